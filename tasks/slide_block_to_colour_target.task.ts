// Slide a block onto the target of a named colour (RLBench slide_block_to_color_target): one
// block and two coloured squares on the table; push the block onto the named one, not the other.
import { defineTask } from '../core/tasks/types.ts';
import { block, WORKSPACES, type Colour, type Point2 } from '../core/tasks/scene-kit.ts';
import { all, bottomAt, fail, insideSquare, pass } from '../core/tasks/checks.ts';
import { push } from '../core/sim/skills.ts';
import { shuffled, uniform } from '../core/random.ts';
import { clearCorners, flatTarget, latchLift, notLifted, PUSH } from './push_block_to_target.task.ts';

const TARGET_COLOURS: Colour[] = ['green', 'yellow', 'blue', 'purple'];

export default defineTask<{ colour: Colour; other: Colour; targets: Record<string, Point2> }>({
  id: 'slide_block_to_colour_target',
  title: 'Slide the block onto the coloured target',
  split: 'train',
  skills: ['push', 'non-prehensile', 'select by colour'],
  arms: ['panda'],
  instructions: ({ colour }) => [
    `slide the block onto the ${colour} target`,
    `push the red block until it sits on the ${colour} square`,
    `move the block onto the ${colour} target by pushing it, without picking it up`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const [colour, other] = shuffled(random, TARGET_COLOURS).slice(0, 2);
    const inside = ([x, y]: Point2): boolean => x >= ws.x[0] && x <= ws.x[1] && Math.abs(y) <= ws.y[1];
    const around = (from: Point2): Point2 => {
      const angle = uniform(random, -Math.PI, Math.PI);
      const distance = uniform(random, 0.12, 0.22);
      return [from[0] + distance * Math.cos(angle), from[1] + distance * Math.sin(angle)];
    };
    for (;;) {
      const start: Point2 = [
        uniform(random, ws.x[0] + 0.05, ws.x[1] - 0.05),
        uniform(random, ws.y[0], ws.y[1]),
      ];
      const a = around(start);
      const b = around(start);
      if (!inside(a) || !inside(b) || Math.hypot(a[0] - b[0], a[1] - b[1]) < 0.15) continue;
      return {
        params: { colour, other, targets: { [colour]: a, [other]: b } },
        objects: [block('block', 'red', start, uniform(random, -0.8, 0.8), PUSH.block)],
        fixtures: [flatTarget(`${colour}_target`, colour, a), flatTarget(`${other}_target`, other, b)],
      };
    }
  },
  observe(world, _params, memory) {
    latchLift(world, 'block', memory);
  },
  verify(world, { colour, other, targets }, memory) {
    const p = world.position('block');
    const onOther = insideSquare('block', p, targets[other], PUSH.target / 2, `the ${other} target`);
    return all(
      insideSquare('block', p, targets[colour], PUSH.target / 2, `the ${colour} target`),
      onOther.success
        ? fail(`block is on the ${other} target, not the ${colour} one`)
        : pass('not on the other'),
      bottomAt(world, 'block', PUSH.block / 2, 0, 'the table', 0.01),
      notLifted('block', memory),
    );
  },
  solve(robot, state, { colour }) {
    const object = state.objects.find((o) => o.name === 'block')!;
    const target = state.objects.find((o) => o.name === `${colour}_target`)!;
    push(robot, clearCorners(object), [target.position[0], target.position[1]]);
  },
});
