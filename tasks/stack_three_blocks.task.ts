// Stack three blocks into a tower in a given order (RLBench stack_blocks, three high), with a
// distractor block of a fourth colour.
import { defineTask } from '../core/tasks/types.ts';
import { block, placeApart, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { all, bottomAt, fail, horizontal, pass, released } from '../core/tasks/checks.ts';
import { pickAndPlace } from '../core/sim/skills.ts';
import { shuffled, uniform } from '../core/random.ts';

interface Params {
  bottom: Colour;
  middle: Colour;
  top: Colour;
  other: Colour;
  edge: number;
}

export default defineTask<Params>({
  id: 'stack_three_blocks',
  title: 'Stack three blocks',
  split: 'train',
  skills: ['pick', 'place', 'stack', 'order'],
  arms: ['panda'],
  instructions: ({ bottom, middle, top }) => [
    `put the ${middle} block on the ${bottom} block and the ${top} block on the ${middle} block`,
    `build a tower: ${bottom} block at the bottom, ${middle} in the middle, ${top} on top`,
    `stack the ${middle} cube onto the ${bottom} cube, then the ${top} cube onto the ${middle} one`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const [bottom, middle, top, other] = shuffled(random, COLOUR_NAMES).slice(0, 4);
    const spots = placeApart(random, 4, ws.x, ws.y, ws.block * 3);
    return {
      params: { bottom, middle, top, other, edge: ws.block },
      objects: [bottom, middle, top, other].map((c, i) =>
        block(`${c}_block`, c, spots[i], uniform(random, -0.8, 0.8), ws.block),
      ),
    };
  },
  verify(world, { bottom, middle, top, edge }) {
    const [b, m, t] = [bottom, middle, top].map((c) => `${c}_block`);
    const offset = (upper: string, lower: string) => {
      const d = horizontal(world.position(upper), world.position(lower));
      return d <= edge / 2
        ? pass(`${upper} is ${(d * 100).toFixed(1)} cm off the centre of ${lower}`)
        : fail(`${upper} is ${(d * 100).toFixed(1)} cm off the centre of ${lower} (more than half a block)`);
    };
    return all(
      bottomAt(world, b, edge / 2, 0, 'the table'),
      bottomAt(world, m, edge / 2, world.position(b)[2] + edge / 2, b),
      offset(m, b),
      bottomAt(world, t, edge / 2, world.position(m)[2] + edge / 2, m),
      offset(t, m),
      released(world, t),
    );
  },
  solve(robot, state, { bottom, middle, top }) {
    const find = (c: Colour) => state.objects.find((o) => o.name === `${c}_block`)!;
    const [b, m, t] = [find(bottom), find(middle), find(top)];
    const at: [number, number] = [b.position[0], b.position[1]];
    const base = b.position[2] + b.size[2] / 2;
    pickAndPlace(robot, m, at, base);
    pickAndPlace(robot, t, at, base + m.size[2]);
  },
});
