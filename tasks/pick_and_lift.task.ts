// Pick up a block and lift it (RLBench pick_and_lift), with a block of another colour beside it.
import { defineTask } from '../core/tasks/types.ts';
import { block, placeApart, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { all, fail, pass } from '../core/tasks/checks.ts';
import { pick } from '../core/sim/skills.ts';
import { shuffled, uniform } from '../core/random.ts';

const LIFT = { panda: 0.08, so100: 0.05 } as const; // how high the block's bottom must be

export default defineTask<{ colour: Colour; other: Colour; edge: number; lift: number }>({
  id: 'pick_and_lift',
  title: 'Pick up and lift a block',
  split: 'train',
  skills: ['pick', 'lift'],
  arms: ['panda', 'so100'],
  instructions: ({ colour }) => [
    `pick up the ${colour} block and lift it`,
    `lift the ${colour} block off the table`,
    `grasp the ${colour} cube and raise it`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const [colour, other] = shuffled(random, COLOUR_NAMES).slice(0, 2);
    const edge = ws.block;
    const [a, b] = placeApart(random, 2, ws.x, ws.y, edge * 2.5);
    return {
      params: { colour, other, edge, lift: LIFT[arm] },
      objects: [
        block(`${colour}_block`, colour, a, uniform(random, -0.8, 0.8), edge),
        block(`${other}_block`, other, b, uniform(random, -0.8, 0.8), edge),
      ],
    };
  },
  verify(world, { colour, edge, lift }) {
    const name = `${colour}_block`;
    const bottom = world.position(name)[2] - edge / 2;
    const height = `${(Math.max(0, bottom) * 100).toFixed(1)} cm`; // resting blocks sink a hair: never '-0.0 cm'
    return all(
      bottom >= lift
        ? pass(`${name} is lifted ${height}`)
        : fail(`${name} is only ${height} above the table (needs ${lift * 100} cm)`),
      world.gripperTouches(name) ? pass(`${name} is held`) : fail(`${name} is not in the gripper`),
    );
  },
  solve(robot, state, { colour }) {
    pick(
      robot,
      state.objects.find((o) => o.name === `${colour}_block`)!,
    );
  },
});
