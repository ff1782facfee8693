// Sort blocks by colour onto matching pads (modelled on RLBench's colour-matching tasks, e.g.
// slide_block_to_color_target, and empty_container): two red and two blue blocks, two pads.
import { defineTask } from '../core/tasks/types.ts';
import { block, pad, placeApart, WORKSPACES } from '../core/tasks/scene-kit.ts';
import { all, fail, insideSquare, pass } from '../core/tasks/checks.ts';
import { pick, place } from '../core/sim/skills.ts';
import { shuffled, uniform } from '../core/random.ts';

export const PAD = 0.12;
const COLOURS = ['red', 'blue'] as const;
const BLOCKS = COLOURS.flatMap((c) => [`${c}_block_1`, `${c}_block_2`]);

export default defineTask<{ red_pad: [number, number]; blue_pad: [number, number]; edge: number }>({
  id: 'sort_blocks_by_colour',
  title: 'Sort the blocks by colour',
  split: 'train',
  skills: ['pick', 'place', 'sort', 'colour'],
  arms: ['panda'],
  instructions: () => [
    'put each block on the pad of its colour',
    'sort the blocks: red blocks onto the red pad, blue blocks onto the blue pad',
    'move every red cube to the red square and every blue cube to the blue square',
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    // Pads a little inside the workspace, so both slots on them (3.5 cm either side) stay inside it.
    const pads = placeApart(
      random,
      2,
      [ws.x[0] + 0.04, ws.x[1] - 0.04],
      [ws.y[0] + 0.04, ws.y[1] - 0.04],
      PAD + 0.06,
    );
    // 12 cm from a pad's centre keeps a block (half-diagonal 2.8 cm) off the pad's corners too.
    const free = placeApart(random, 4, ws.x, ws.y, 0.12, pads);
    const names = shuffled(random, BLOCKS);
    return {
      params: { red_pad: pads[0], blue_pad: pads[1], edge: ws.block },
      objects: [
        pad('red_pad', 'red', pads[0], PAD),
        pad('blue_pad', 'blue', pads[1], PAD),
        ...names.map((n, i) =>
          block(n, n.startsWith('red') ? 'red' : 'blue', free[i], uniform(random, -0.8, 0.8), ws.block),
        ),
      ],
    };
  },
  verify(world, params) {
    return all(
      ...BLOCKS.flatMap((name) => {
        const colour = name.startsWith('red') ? 'red' : 'blue';
        const p = world.position(name);
        return [
          insideSquare(name, p, params[`${colour}_pad`], PAD / 2, `the ${colour} pad`),
          p[2] < 0.03
            ? pass(`${name} rests on the pad`)
            : fail(`${name} is not resting on the table: its centre is ${(p[2] * 100).toFixed(1)} cm up`),
        ];
      }),
    );
  },
  solve(robot, state) {
    const pads = state.objects.filter((o) => o.name.endsWith('_pad'));
    for (const target of pads) {
      const blocks = state.objects.filter((o) => o.colour === target.colour && o !== target);
      blocks.forEach((object, k) => {
        // A cube looks the same turned by a quarter turn: grasp across the faces nearest to yaw 0
        // and put the block down turned to yaw 0, so the open jaws (closing along y) stay clear of
        // the block already on the pad (side by side along x).
        const yaw = object.yaw - (Math.PI / 2) * Math.round(object.yaw / (Math.PI / 2));
        // Two blocks side by side along x, each half a block (plus 1.5 cm) from the pad's centre.
        const slot = object.size[0] / 2 + 0.015;
        const x = target.position[0] + (k === 0 ? -slot : slot);
        pick(robot, object, yaw);
        place(robot, { ...object, yaw }, [x, target.position[1]], target.position[2] + target.size[2] / 2, 0);
      });
    }
  },
});
