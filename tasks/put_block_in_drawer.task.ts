// Put a block in an open drawer (RLBench put_item_in_drawer): the drawer starts pulled out; pick
// the block and put it down on the floor of the drawer's tray, in the part outside the cabinet.
import { defineTask } from '../core/tasks/types.ts';
import { block, drawerXml, DRAWER, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { all, fail, insideSquare, pass } from '../core/tasks/checks.ts';
import { pickAndPlace } from '../core/sim/skills.ts';
import { pickOne, uniform } from '../core/random.ts';

export default defineTask<{ colour: Colour; edge: number; cabinet: [number, number]; openBy: number }>({
  id: 'put_block_in_drawer',
  title: 'Put the block in the drawer',
  split: 'train',
  skills: ['pick', 'place', 'container', 'articulated'],
  arms: ['panda'],
  instructions: ({ colour }) => [
    `put the ${colour} block in the drawer`,
    `place the ${colour} cube inside the open drawer`,
    `pick up the ${colour} block and drop it into the drawer`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const colour = pickOne(random, COLOUR_NAMES);
    const cabinet: [number, number] = [uniform(random, 0.66, 0.72), uniform(random, -0.1, 0.1)];
    const openBy = uniform(random, 0.13, 0.15);
    // The block goes beside the cabinet, on whichever side has more room.
    const y =
      cabinet[1] >= 0
        ? uniform(random, ws.y[0], cabinet[1] - 0.2)
        : uniform(random, cabinet[1] + 0.2, ws.y[1]);
    const spot: [number, number] = [uniform(random, 0.4, 0.6), y];
    return {
      params: { colour, edge: ws.block, cabinet, openBy },
      objects: [block(`${colour}_block`, colour, spot, uniform(random, -0.8, 0.8), ws.block)],
      fixtures: [drawerXml('cabinet', cabinet)],
      joints: { cabinet_slide: -openBy },
    };
  },
  verify(world, { colour }) {
    const name = `${colour}_block`;
    const p = world.position(name);
    const tray = world.position('cabinet_drawer');
    const rim = tray[2] + DRAWER.trayWall;
    return all(
      insideSquare(name, p, tray, DRAWER.trayInner / 2, 'the drawer'),
      p[2] < rim
        ? pass(`${name} is below the drawer's rim`)
        : fail(`${name} sits on the drawer's rim, ${((p[2] - rim) * 100).toFixed(1)} cm above its walls`),
    );
  },
  solve(robot, state, { colour }) {
    const object = state.objects.find((o) => o.name === `${colour}_block`)!;
    const { inside } = state.objects.find((o) => o.name === 'cabinet_drawer')!;
    pickAndPlace(robot, object, inside!.centre, inside!.floor);
  },
});
