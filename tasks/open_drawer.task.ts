// Open a drawer (RLBench open_drawer): grasp the handle from above and pull it towards the robot.
import { defineTask } from '../core/tasks/types.ts';
import { drawerXml } from '../core/tasks/scene-kit.ts';
import { fail, pass } from '../core/tasks/checks.ts';
import { uniform } from '../core/random.ts';
import { pullHandle } from '../core/tasks/drawer-skills.ts';

export const OPEN_AT_LEAST = 0.1; // metres out of DRAWER.travel

export default defineTask<{ cabinet: [number, number] }>({
  id: 'open_drawer',
  title: 'Open the drawer',
  split: 'train',
  skills: ['grasp handle', 'pull', 'articulated'],
  arms: ['panda'],
  instructions: () => ['open the drawer', 'pull the drawer open', 'slide the drawer out by its handle'],
  setup(random) {
    const cabinet: [number, number] = [uniform(random, 0.66, 0.72), uniform(random, -0.15, 0.15)];
    return { params: { cabinet }, objects: [], fixtures: [drawerXml('cabinet', cabinet)] };
  },
  verify(world) {
    const out = -world.joint('cabinet_slide');
    const cm = `${(out * 100).toFixed(1)} cm`;
    return out >= OPEN_AT_LEAST
      ? pass(`the drawer is open ${cm}`)
      : fail(`the drawer is open only ${cm} (needs ${OPEN_AT_LEAST * 100} cm)`);
  },
  solve(robot, state) {
    const handle = state.objects.find((o) => o.name === 'cabinet_handle')!;
    const { moved, travel } = state.objects.find((o) => o.name === 'cabinet_drawer')!.slide!;
    // Pull towards -x to 2 cm short of the end of its travel, not into the stop.
    pullHandle(robot, handle.position, -(travel - moved - 0.02));
  },
});
