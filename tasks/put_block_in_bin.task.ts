// Put a block in a bin (RLBench put_rubbish_in_bin / put_block): an open container on the table.
import { defineTask } from '../core/tasks/types.ts';
import { binXml, block, placeApart, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { insideContainer } from '../core/tasks/checks.ts';
import { pickAndPlace } from '../core/sim/skills.ts';
import { pickOne, uniform } from '../core/random.ts';

export const BIN = { inner: 0.12, wall: 0.05 };

export default defineTask<{ colour: Colour; edge: number; bin: [number, number] }>({
  id: 'put_block_in_bin',
  title: 'Put the block in the bin',
  split: 'train',
  skills: ['pick', 'place', 'container'],
  arms: ['panda'],
  instructions: ({ colour }) => [
    `put the ${colour} block in the bin`,
    `drop the ${colour} cube into the bin`,
    `place the ${colour} block inside the grey bin`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const colour = pickOne(random, COLOUR_NAMES);
    const [bin, spot] = placeApart(random, 2, ws.x, ws.y, 0.2);
    return {
      params: { colour, edge: ws.block, bin },
      objects: [block(`${colour}_block`, colour, spot, uniform(random, -0.8, 0.8), ws.block)],
      fixtures: [binXml('bin', bin, BIN.inner, BIN.wall)],
    };
  },
  verify(world, { colour, bin }) {
    const name = `${colour}_block`;
    return insideContainer(world, name, bin, BIN.inner, BIN.wall, 'the bin');
  },
  solve(robot, state, { colour }) {
    const object = state.objects.find((o) => o.name === `${colour}_block`)!;
    const { inside } = state.objects.find((o) => o.name === 'bin')!;
    pickAndPlace(robot, object, inside!.centre, inside!.floor);
  },
});
