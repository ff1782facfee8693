// Put a block in a small, deep box (modelled on RLBench put_shoes_in_box / put_rubbish_in_bin):
// tighter and taller than the bin, so the block goes in from straight above.
import { defineTask } from '../core/tasks/types.ts';
import {
  binXml,
  block,
  placeApart,
  WORKSPACES,
  COLOUR_NAMES,
  type Colour,
  type Point2,
} from '../core/tasks/scene-kit.ts';
import { insideContainer } from '../core/tasks/checks.ts';
import { pick } from '../core/sim/skills.ts';
import { pickOne, uniform } from '../core/random.ts';

export const BOX = { inner: 0.075, wall: 0.09 };
/**
 * Release with the gripper point just above the rim: the open jaws (8 cm) are wider than the box
 * (7.5 cm), so opening them inside catches the walls; the block drops the last few centimetres.
 */
const RELEASE_ABOVE_RIM = 0.005;

export default defineTask<{ colour: Colour; edge: number; box: Point2 }>({
  id: 'put_block_in_box',
  title: 'Put the block in the box',
  split: 'train',
  skills: ['pick', 'place', 'container'],
  arms: ['panda'],
  instructions: ({ colour }) => [
    `put the ${colour} block in the box`,
    `drop the ${colour} cube into the box`,
    `place the ${colour} block inside the tall grey box`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const colour = pickOne(random, COLOUR_NAMES);
    const [box] = placeApart(random, 1, [0.4, 0.7], [-0.2, 0.2], 0);
    const [spot] = placeApart(random, 1, ws.x, ws.y, 0.15, [box]);
    return {
      params: { colour, edge: ws.block, box },
      objects: [block(`${colour}_block`, colour, spot, uniform(random, -0.8, 0.8), ws.block)],
      fixtures: [binXml('box', box, BOX.inner, BOX.wall)],
    };
  },
  verify(world, { colour, box }) {
    const name = `${colour}_block`;
    return insideContainer(world, name, box, BOX.inner, BOX.wall, 'the box');
  },
  solve(robot, state, { colour }) {
    const object = state.objects.find((o) => o.name === `${colour}_block`)!;
    const box = state.objects.find((o) => o.name === 'box')!;
    const [x, y] = box.position;
    const rim = box.position[2] + box.size[2] / 2;
    pick(robot, object);
    robot.move_gripper([x, y, rim + 0.1], object.yaw);
    robot.move_gripper([x, y, rim + RELEASE_ABOVE_RIM], object.yaw);
    robot.open_gripper();
    robot.move_gripper([x, y, rim + 0.1], object.yaw);
  },
});
