// HELD OUT. Put a block in whichever of two identical bins is closer to it. Composes pick + place
// into a container (put_block_in_bin) with a distance comparison over the scene state; mirrors the
// paper's real-world out-of-distribution task "put the fruit in the closest basket". The bins are
// named bin_a and bin_b and either may be the closer one; the two distances differ by at least
// MIN_GAP so the answer is clear from the state.
import { defineTask } from '../core/tasks/types.ts';
import { binXml, block, placeApart, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { fail, horizontal, insideContainer } from '../core/tasks/checks.ts';
import { pickAndPlace } from '../core/sim/skills.ts';
import { pickOne, uniform } from '../core/random.ts';
import { SimError } from '../core/sim/errors.ts';
import { BIN } from './put_block_in_bin.task.ts';

export const MIN_GAP = 0.08; // metres between the two bins' distances to the block

type BinName = 'bin_a' | 'bin_b';
interface Params {
  colour: Colour;
  /** The bin closer to the block's starting position. */
  target: BinName;
  bins: Record<BinName, [number, number]>;
}

export default defineTask<Params>({
  id: 'put_block_in_closest_bin',
  title: 'Put the block in the closest bin',
  split: 'heldout',
  skills: ['pick', 'place', 'container', 'spatial reasoning'],
  arms: ['panda'],
  instructions: ({ colour }) => [
    `put the ${colour} block in the bin closest to it`,
    `drop the ${colour} cube into the nearer of the two bins`,
    `place the ${colour} block inside whichever bin is nearest to the block`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const colour = pickOne(random, COLOUR_NAMES);
    // Rejection sampling from the seeded stream until one bin is clearly closer.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const [a, b, spot] = placeApart(random, 3, ws.x, ws.y, 0.17);
      const gap = horizontal(spot, a) - horizontal(spot, b);
      if (Math.abs(gap) < MIN_GAP) continue;
      return {
        params: { colour, target: gap < 0 ? 'bin_a' : 'bin_b', bins: { bin_a: a, bin_b: b } },
        objects: [block(`${colour}_block`, colour, spot, uniform(random, -0.8, 0.8), ws.block)],
        fixtures: [binXml('bin_a', a, BIN.inner, BIN.wall), binXml('bin_b', b, BIN.inner, BIN.wall)],
      };
    }
    throw new SimError('bad-input', `cannot place two bins ${MIN_GAP} m apart in distance to the block`);
  },
  verify(world, { colour, target, bins }) {
    const name = `${colour}_block`;
    const wrong: BinName = target === 'bin_a' ? 'bin_b' : 'bin_a';
    if (insideContainer(world, name, bins[wrong], BIN.inner, BIN.wall, wrong).success)
      return fail(`${name} is in ${wrong}, the farther bin, not ${target}`);
    return insideContainer(world, name, bins[target], BIN.inner, BIN.wall, `${target} (the closest bin)`);
  },
  solve(robot, state, { colour }) {
    const object = state.objects.find((o) => o.name === `${colour}_block`)!;
    const bins = state.objects.filter((o) => o.name === 'bin_a' || o.name === 'bin_b');
    bins.sort((a, b) => horizontal(a.position, object.position) - horizontal(b.position, object.position));
    const { inside } = bins[0];
    pickAndPlace(robot, object, inside!.centre, inside!.floor);
  },
});
