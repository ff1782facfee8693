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
import { pick, SAFE_HEIGHT } from '../core/sim/skills.ts';
import { pickOne, uniform } from '../core/random.ts';

export const BOX = { inner: 0.075, wall: 0.09 };
/** How far above the box's rim the fingertips are when the solver lets go of the block. */
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
    const { inside } = state.objects.find((o) => o.name === 'box')!;
    // The gripper's widest opening (0.080) is more than the box's free space (0.075), so opening
    // the jaws inside it catches the walls: let go with the fingertips just above the rim instead
    // and let the block drop in.
    const [x, y] = inside!.centre;
    const release = inside!.rim + state.gripper!.fingertipsBelow! + RELEASE_ABOVE_RIM;
    pick(robot, object);
    robot.move_gripper([x, y, release + SAFE_HEIGHT], object.yaw);
    robot.move_gripper([x, y, release], object.yaw);
    robot.open_gripper();
    robot.move_gripper([x, y, release + SAFE_HEIGHT], object.yaw);
  },
});
