// Knock over a tall block standing on the table (in the spirit of RLBench's contact tasks such
// as slide_block_to_target): sweep the closed gripper through it, its fingers just below its top.
import { defineTask } from '../core/tasks/types.ts';
import { block, placeApart, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { fail, pass } from '../core/tasks/checks.ts';
import { FINGER_HEIGHT, SAFE_HEIGHT } from '../core/sim/skills.ts';
import { pickOne, uniform } from '../core/random.ts';

export const TALL = { edge: 0.04, height: 0.16, mass: 0.1 };
const FALLEN = (60 * Math.PI) / 180;

export default defineTask<{ colour: Colour }>({
  id: 'knock_over',
  title: 'Knock over the tall block',
  split: 'train',
  skills: ['push', 'sweep'],
  arms: ['panda'],
  instructions: ({ colour }) => [
    `knock over the ${colour} tall block`,
    `push the standing ${colour} block so it falls over`,
    `topple the tall ${colour} block`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const colour = pickOne(random, COLOUR_NAMES);
    // Room behind it (towards the robot) for the sweep to start, and in front for it to fall.
    const [spot] = placeApart(random, 1, [ws.x[0] + 0.05, ws.x[1] - 0.1], ws.y, 0);
    return {
      params: { colour },
      objects: [
        {
          ...block('tall_block', colour, spot, uniform(random, -0.8, 0.8), TALL.edge, TALL.height),
          mass: TALL.mass,
        },
      ],
    };
  },
  verify(world) {
    const tilt = world.tilt('tall_block');
    const deg = `${((tilt * 180) / Math.PI).toFixed(0)} degrees`;
    return tilt > FALLEN
      ? pass(`tall_block lies tilted ${deg}`)
      : fail(`tall_block is tilted only ${deg} from upright (needs more than 60)`);
  },
  solve(robot, state) {
    const object = state.objects.find((o) => o.name === 'tall_block')!;
    const [x, y, z] = object.position;
    const top = z + object.size[2] / 2;
    // Sweep away from the robot along +x: push angle 0, so yaw = 0 + pi/2 (the closed fingers one
    // behind the other). Push high, with the fingers (about 0.05 m tall, their tips fingertipsBelow
    // under the gripper point) just below the block's top, so the hand above them clears it.
    const yaw = Math.PI / 2;
    const height = top - FINGER_HEIGHT + state.gripper!.fingertipsBelow! + 0.01;
    const start = x - 0.08;
    const end = x + 0.06;
    robot.close_gripper();
    robot.move_gripper([start, y, height + SAFE_HEIGHT], yaw);
    robot.move_gripper([start, y, height], yaw);
    for (let s = start + 0.02; s <= end + 1e-9; s += 0.02) robot.move_gripper([s, y, height], yaw);
    robot.move_gripper([end - 0.03, y, height + SAFE_HEIGHT], yaw);
  },
});
