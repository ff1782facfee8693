// Put a named block on a target pad while a block of another colour stands close beside it
// (modelled on RLBench pick_and_lift, whose target block has coloured distractors, with a place).
import { defineTask } from '../core/tasks/types.ts';
import {
  block,
  pad,
  placeApart,
  WORKSPACES,
  COLOUR_NAMES,
  type Colour,
  type Point2,
} from '../core/tasks/scene-kit.ts';
import { all, fail, horizontal, insideSquare, pass } from '../core/tasks/checks.ts';
import { pickAndPlace } from '../core/sim/skills.ts';
import { shuffled, uniform } from '../core/random.ts';

export const PAD = 0.1;
const MAX_DISTRACTOR_SHIFT = 0.02;

interface Params {
  colour: Colour;
  other: Colour;
  padColour: Colour;
  pad: Point2;
  /** Where the distractor starts, to check it was left alone. */
  distractor: Point2;
}

export default defineTask<Params>({
  id: 'pick_and_place_with_distractor',
  title: 'Put the block on the target, not its neighbour',
  split: 'train',
  skills: ['pick', 'place', 'distractor'],
  arms: ['panda'],
  instructions: ({ colour, padColour }) => [
    `put the ${colour} block on the target pad`,
    `move the ${colour} cube onto the ${padColour} target square`,
    `place the ${colour} block on the target and leave the other block where it is`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const [colour, other, padColour] = shuffled(random, COLOUR_NAMES).slice(0, 3);
    // The distractor stands 9-11 cm from the block, in a direction that keeps it in the workspace.
    const [spot] = placeApart(random, 1, ws.x, ws.y, 0);
    const inside = ([x, y]: Point2) => x >= ws.x[0] && x <= ws.x[1] && y >= ws.y[0] && y <= ws.y[1];
    let distractor: Point2;
    do {
      const angle = uniform(random, -Math.PI, Math.PI);
      const gap = uniform(random, 0.09, 0.11);
      distractor = [spot[0] + gap * Math.cos(angle), spot[1] + gap * Math.sin(angle)];
    } while (!inside(distractor));
    const [target] = placeApart(random, 1, ws.x, ws.y, 0.15, [spot, distractor]);
    return {
      params: { colour, other, padColour, pad: target, distractor },
      objects: [
        pad('target_pad', padColour, target, PAD),
        block(`${colour}_block`, colour, spot, uniform(random, -0.8, 0.8), ws.block),
        block(`${other}_block`, other, distractor, uniform(random, -0.8, 0.8), ws.block),
      ],
    };
  },
  verify(world, { colour, other, pad, distractor }) {
    const name = `${colour}_block`;
    const p = world.position(name);
    const q = world.position(`${other}_block`);
    const moved = horizontal(q, distractor);
    const onPad = insideSquare(`${other}_block`, q, pad, PAD / 2, 'the target pad').success;
    return all(
      insideSquare(name, p, pad, PAD / 2, 'the target pad'),
      p[2] < 0.03
        ? pass(`${name} rests on the pad`)
        : fail(`${name} is not resting on the pad: its centre is ${(p[2] * 100).toFixed(1)} cm up`),
      moved <= MAX_DISTRACTOR_SHIFT
        ? pass(`${other}_block stayed put`)
        : fail(`${other}_block was moved ${(moved * 100).toFixed(1)} cm (at most 2 cm allowed)`),
      onPad ? fail(`${other}_block is on the target pad too`) : pass(`${other}_block is off the pad`),
    );
  },
  solve(robot, state, { colour }) {
    const object = state.objects.find((o) => o.name === `${colour}_block`)!;
    const target = state.objects.find((o) => o.name === 'target_pad')!;
    pickAndPlace(
      robot,
      object,
      [target.position[0], target.position[1]],
      target.position[2] + target.size[2] / 2,
    );
  },
});
