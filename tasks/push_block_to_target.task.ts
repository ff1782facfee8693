// Push a block onto a target (RLBench slide_block_to_target): a 5 cm block and a 10 cm target
// square 10-20 cm away; push the block along the table with the closed gripper, without lifting it.
import { defineTask } from '../core/tasks/types.ts';
import { block, COLOURS, WORKSPACES, type Colour, type Point2 } from '../core/tasks/scene-kit.ts';
import { all, bottomAt, fail, insideSquare, pass } from '../core/tasks/checks.ts';
import type { TaskMemory, Verdict } from '../core/tasks/types.ts';
import type { WorldView } from '../core/tasks/world.ts';
import { push } from '../core/sim/skills.ts';
import { uniform } from '../core/random.ts';
import type { ObjectState } from '../api/types.ts';

export const PUSH = { block: 0.05, target: 0.1, lifted: 0.02 };

/**
 * A target square printed on the table: seen, listed in the scene state, but not collided with.
 * (A solid scene-kit pad is a 2 mm step that catches the leading edge of a pushed block and tips it.)
 */
export function flatTarget(name: string, colour: Colour, at: Point2, edge = PUSH.target): string {
  const rgba = COLOURS[colour].join(' ');
  return `<body name="${name}" pos="${at[0].toFixed(4)} ${at[1].toFixed(4)} 0"><geom type="box" pos="0 0 0.001" size="${edge / 2} ${edge / 2} 0.001" rgba="${rgba}" contype="0" conaffinity="0"/></body>`;
}

/** Remember how high the block's bottom ever got: a pushed block stays on the table. */
export function latchLift(world: WorldView, name: string, memory: TaskMemory): void {
  const bottom = world.position(name)[2] - PUSH.block / 2;
  memory.highest = Math.max((memory.highest as number | undefined) ?? 0, bottom);
}

export function notLifted(name: string, memory: TaskMemory): Verdict {
  const highest = (memory.highest as number | undefined) ?? 0;
  return highest <= PUSH.lifted
    ? pass(`${name} stayed on the table`)
    : fail(`${name} was lifted ${(highest * 100).toFixed(1)} cm off the table: push it, do not carry it`);
}

/**
 * The block with its footprint widened to its diagonal, so push() starts far enough back for the
 * closed fingers to come down clear of a corner of a block turned to the push direction.
 */
export function clearCorners(object: ObjectState): ObjectState {
  const diagonal = Math.hypot(object.size[0], object.size[1]);
  return { ...object, size: [diagonal, diagonal, object.size[2]] };
}

export default defineTask<{ start: Point2; target: Point2 }>({
  id: 'push_block_to_target',
  title: 'Push the block onto the target',
  split: 'train',
  skills: ['push', 'non-prehensile'],
  arms: ['panda'],
  instructions: () => [
    'push the block onto the target',
    'slide the block along the table until it sits on the target square',
    'shove the cube onto the target without picking it up',
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    for (;;) {
      const start: Point2 = [
        uniform(random, ws.x[0] + 0.05, ws.x[1] - 0.05),
        uniform(random, ws.y[0], ws.y[1]),
      ];
      const angle = uniform(random, -Math.PI, Math.PI);
      const distance = uniform(random, 0.1, 0.2);
      const target: Point2 = [start[0] + distance * Math.cos(angle), start[1] + distance * Math.sin(angle)];
      if (target[0] < ws.x[0] || target[0] > ws.x[1] || Math.abs(target[1]) > ws.y[1]) continue;
      return {
        params: { start, target },
        objects: [block('block', 'red', start, uniform(random, -0.8, 0.8), PUSH.block)],
        fixtures: [flatTarget('target', 'green', target)],
      };
    }
  },
  observe(world, _params, memory) {
    latchLift(world, 'block', memory);
  },
  verify(world, { target }, memory) {
    return all(
      insideSquare('block', world.position('block'), target, PUSH.target / 2, 'the target'),
      bottomAt(world, 'block', PUSH.block / 2, 0, 'the table', 0.01),
      notLifted('block', memory),
    );
  },
  solve(robot, state) {
    const object = state.objects.find((o) => o.name === 'block')!;
    const target = state.objects.find((o) => o.name === 'target')!;
    push(robot, clearCorners(object), [target.position[0], target.position[1]]);
  },
});
