// Close a drawer (RLBench close_drawer): the drawer starts open; grasp its handle from above and
// push it back into the cabinet.
import { defineTask } from '../core/tasks/types.ts';
import { drawerXml } from '../core/tasks/scene-kit.ts';
import { fail, pass } from '../core/tasks/checks.ts';
import { uniform } from '../core/random.ts';
import { pullHandle } from '../core/tasks/drawer-skills.ts';

export const CLOSED_WITHIN = 0.02; // metres still out that count as closed

export default defineTask<{ cabinet: [number, number]; openBy: number }>({
  id: 'close_drawer',
  title: 'Close the drawer',
  split: 'train',
  skills: ['grasp handle', 'push', 'articulated'],
  arms: ['panda'],
  instructions: () => [
    'close the drawer',
    'push the drawer shut',
    'slide the open drawer back into the cabinet',
  ],
  setup(random) {
    const cabinet: [number, number] = [uniform(random, 0.66, 0.72), uniform(random, -0.15, 0.15)];
    const openBy = uniform(random, 0.12, 0.15);
    return {
      params: { cabinet, openBy },
      objects: [],
      fixtures: [drawerXml('cabinet', cabinet)],
      joints: { cabinet_slide: -openBy },
    };
  },
  verify(world) {
    const out = -world.joint('cabinet_slide');
    const cm = `${(out * 100).toFixed(1)} cm`;
    return out <= CLOSED_WITHIN
      ? pass(`the drawer is closed (${cm} out)`)
      : fail(`the drawer is still open ${cm} (closed means under ${CLOSED_WITHIN * 100} cm)`);
  },
  solve(robot, state) {
    const handle = state.objects.find((o) => o.name === 'cabinet_handle')!;
    const drawer = state.objects.find((o) => o.name === 'cabinet_drawer')!;
    // It slides along -x and has moved slide.moved out: push the handle back (+x) by that much.
    pullHandle(robot, handle.position, drawer.slide!.moved);
  },
});
