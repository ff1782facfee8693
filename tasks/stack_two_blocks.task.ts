// Stack one block on another (RLBench stack_blocks, two high), with a distractor block.
import { defineTask } from '../core/tasks/types.ts';
import { block, placeApart, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { all, bottomAt, fail, horizontal, pass, released } from '../core/tasks/checks.ts';
import { pickAndPlace } from '../core/sim/skills.ts';
import { shuffled, uniform } from '../core/random.ts';

export default defineTask<{ top: Colour; bottom: Colour; other: Colour; edge: number }>({
  id: 'stack_two_blocks',
  title: 'Stack two blocks',
  split: 'train',
  skills: ['pick', 'place', 'stack'],
  arms: ['panda'],
  instructions: ({ top, bottom }) => [
    `put the ${top} block on top of the ${bottom} block`,
    `stack the ${top} cube on the ${bottom} cube`,
    `place the ${top} block onto the ${bottom} one`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const [top, bottom, other] = shuffled(random, COLOUR_NAMES).slice(0, 3);
    const spots = placeApart(random, 3, ws.x, ws.y, ws.block * 3);
    return {
      params: { top, bottom, other, edge: ws.block },
      objects: [top, bottom, other].map((c, i) =>
        block(`${c}_block`, c, spots[i], uniform(random, -0.8, 0.8), ws.block),
      ),
    };
  },
  verify(world, { top, bottom, edge }) {
    const upper = `${top}_block`;
    const lower = `${bottom}_block`;
    const offset = horizontal(world.position(upper), world.position(lower));
    return all(
      bottomAt(world, lower, edge / 2, 0, 'the table'),
      bottomAt(world, upper, edge / 2, world.position(lower)[2] + edge / 2, `${lower}`),
      offset <= edge / 2
        ? pass(`offset ${(offset * 100).toFixed(1)} cm`)
        : fail(`${upper} is ${(offset * 100).toFixed(1)} cm off the centre of ${lower}`),
      released(world, upper),
    );
  },
  solve(robot, state, { top, bottom }) {
    const upper = state.objects.find((o) => o.name === `${top}_block`)!;
    const lower = state.objects.find((o) => o.name === `${bottom}_block`)!;
    pickAndPlace(robot, upper, [lower.position[0], lower.position[1]], lower.position[2] + lower.size[2] / 2);
  },
});
