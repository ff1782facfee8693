// Reach a target: move the gripper to a sphere floating above the table (RLBench reach_target).
import { defineTask } from '../core/tasks/types.ts';
import { targetXml, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { pickOne, uniform } from '../core/random.ts';
import { fail, pass } from '../core/tasks/checks.ts';

const TOLERANCE = 0.02; // metres between the gripper and the target's centre
const HEIGHT = { panda: [0.08, 0.3], so100: [0.04, 0.09] } as const;

export default defineTask<{ colour: Colour; target: [number, number, number] }>({
  id: 'reach_target',
  title: 'Reach the target',
  split: 'train',
  skills: ['reach'],
  arms: ['panda', 'so100'],
  instructions: ({ colour }) => [
    `reach the ${colour} target`,
    `move the gripper to the ${colour} ball`,
    `touch the ${colour} target sphere with the gripper`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const colour = pickOne(random, COLOUR_NAMES);
    const target: [number, number, number] = [
      uniform(random, ...ws.x),
      uniform(random, ...ws.y),
      uniform(random, HEIGHT[arm][0], HEIGHT[arm][1]),
    ];
    return { params: { colour, target }, objects: [], fixtures: [targetXml('target', target, colour)] };
  },
  verify(world, { target }) {
    const [x, y, z] = world.gripper().position;
    const distance = Math.hypot(x - target[0], y - target[1], z - target[2]);
    const cm = (distance * 100).toFixed(1);
    return distance <= TOLERANCE
      ? pass(`gripper is ${cm} cm from the target`)
      : fail(`gripper is ${cm} cm from the target`);
  },
  solve(robot, state) {
    const target = state.objects.find((o) => o.name === 'target')!;
    robot.move_gripper(target.position, 0);
  },
  // Short on purpose: a small student learns it quickly, and it reads the target from the scene.
  reference: [
    'The target floats above the table with nothing in the way.',
    'Plan: move the gripper to its centre.',
    '```python',
    'move_gripper(objects["target"].position, 0)',
    '```',
  ].join('\n'),
});
