// HELD OUT. Open a closed drawer, put a block in its tray and close it again. Composes open_drawer
// (grasp the handle, pull), pick + place into a moving container whose position must be inferred
// from how far it was opened, and the reverse push to close; a long-horizon chain of skills that
// data generation never sees together, like the paper's out-of-distribution "put the jar in the
// bin" / "put the case on the target" compositions of trained skills.
import { defineTask } from '../core/tasks/types.ts';
import {
  block,
  drawerXml,
  placeApart,
  DRAWER,
  WORKSPACES,
  COLOUR_NAMES,
  type Colour,
} from '../core/tasks/scene-kit.ts';
import { all, bottomAt, fail, insideSquare, pass } from '../core/tasks/checks.ts';
import { pick, place } from '../core/sim/skills.ts';
import { pullHandle } from '../core/tasks/drawer-skills.ts';
import { pickOne, uniform } from '../core/random.ts';

export const CLOSED_WITHIN = 0.02; // metres the drawer may still stick out
const TRAY_FLOOR_THICKNESS = 0.01;

interface Params {
  colour: Colour;
  edge: number;
  cabinet: [number, number];
}

export default defineTask<Params>({
  id: 'put_block_in_drawer_and_close',
  title: 'Put the block in the drawer and close it',
  split: 'heldout',
  skills: ['grasp handle', 'pull', 'articulated', 'pick', 'place', 'container', 'push'],
  arms: ['panda'],
  instructions: ({ colour }) => [
    `put the ${colour} block in the drawer and close the drawer`,
    `open the drawer, drop the ${colour} cube inside and shut it`,
    `store the ${colour} block in the drawer, leaving the drawer closed`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const colour = pickOne(random, COLOUR_NAMES);
    const cabinet: [number, number] = [uniform(random, 0.66, 0.72), uniform(random, -0.1, 0.1)];
    // The block stays clear of the drawer's path as it slides out towards the robot, and in front
    // of the cabinet (x <= 0.52), so the hand, wider than the block, does not hit it.
    let spot: [number, number];
    do [spot] = placeApart(random, 1, [ws.x[0], 0.52], ws.y, 0);
    while (Math.abs(spot[1] - cabinet[1]) < 0.18);
    return {
      params: { colour, edge: ws.block, cabinet },
      objects: [block(`${colour}_block`, colour, spot, uniform(random, -0.8, 0.8), ws.block)],
      fixtures: [drawerXml('cabinet', cabinet)],
    };
  },
  verify(world, { colour, edge }) {
    const name = `${colour}_block`;
    const out = -world.joint('cabinet_slide');
    const tray = world.position('cabinet_drawer'); // tray centre, its underside's height
    const p = world.position(name);
    return all(
      insideSquare(name, p, tray, DRAWER.trayInner / 2, 'the drawer tray'),
      bottomAt(world, name, edge / 2, tray[2] + TRAY_FLOOR_THICKNESS, 'the tray floor'),
      out <= CLOSED_WITHIN
        ? pass(`the drawer is closed (${(out * 100).toFixed(1)} cm out)`)
        : fail(`the drawer is still open ${(out * 100).toFixed(1)} cm (at most ${CLOSED_WITHIN * 100} cm)`),
    );
  },
  solve(robot, state, { colour }) {
    const object = state.objects.find((o) => o.name === `${colour}_block`)!;
    const handle = state.objects.find((o) => o.name === 'cabinet_handle')!.position;
    const drawer = state.objects.find((o) => o.name === 'cabinet_drawer')!;
    const { moved, travel } = drawer.slide!;
    const { centre, floor } = drawer.inside!;
    // Pull it open (-x) to 2 cm short of the end of its travel; the tray moves with it.
    const openBy = travel - moved - 0.02;
    pullHandle(robot, handle, -openBy);
    pick(robot, object);
    place(robot, object, [centre[0] - openBy, centre[1]], floor);
    // Push it back (+x) all the way it is out now, and 1 cm more to be sure it is shut.
    pullHandle(robot, [handle[0] - openBy, handle[1], handle[2]], moved + openBy + 0.01);
  },
});
