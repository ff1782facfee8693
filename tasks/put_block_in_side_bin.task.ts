// HELD OUT. Put a block in the left or the right one of two identical bins. Composes pick + place
// into a container (put_block_in_bin) with spatial reasoning about which side a bin is on; mirrors
// the paper's real-world out-of-distribution task "put the block in the left/right basket". The
// bins are named bin_a and bin_b and either may be the left one, so a program must read their y:
// the robot looks along +x, so its left is +y and its right is -y.
import { defineTask } from '../core/tasks/types.ts';
import { binXml, block, placeApart, WORKSPACES, COLOUR_NAMES, type Colour } from '../core/tasks/scene-kit.ts';
import { fail, insideContainer } from '../core/tasks/checks.ts';
import { pickAndPlace } from '../core/sim/skills.ts';
import { pickOne, shuffled, uniform } from '../core/random.ts';
import type { WorldView } from '../core/tasks/world.ts';
import { BIN } from './put_block_in_bin.task.ts';

type Side = 'left' | 'right';
type BinName = 'bin_a' | 'bin_b';
interface Params {
  colour: Colour;
  other: Colour;
  side: Side;
  /** The bin on the instructed side. */
  target: BinName;
  bins: Record<BinName, [number, number]>;
}

const inBin = (world: WorldView, name: string, at: readonly number[]): boolean =>
  insideContainer(world, name, at, BIN.inner, BIN.wall, 'the bin').success;

export default defineTask<Params>({
  id: 'put_block_in_side_bin',
  title: 'Put the block in the left or right bin',
  split: 'heldout',
  skills: ['pick', 'place', 'container', 'spatial reasoning'],
  arms: ['panda'],
  instructions: ({ colour, side }) => [
    `put the ${colour} block in the ${side} bin`,
    `drop the ${colour} cube into the bin on the ${side}`,
    `place the ${colour} block inside the ${side}-hand bin`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const [colour, other] = shuffled(random, COLOUR_NAMES).slice(0, 2);
    const side = pickOne(random, ['left', 'right'] as const);
    // One bin well to the robot's left (+y), one well to its right (-y).
    const left: [number, number] = [uniform(random, 0.4, 0.6), uniform(random, 0.13, 0.2)];
    const right: [number, number] = [uniform(random, 0.4, 0.6), uniform(random, -0.2, -0.13)];
    const leftIsA = random() < 0.5;
    const bins = { bin_a: leftIsA ? left : right, bin_b: leftIsA ? right : left };
    const target: BinName = (side === 'left') === leftIsA ? 'bin_a' : 'bin_b';
    const spots = placeApart(random, 2, ws.x, ws.y, 0.16, [left, right]);
    return {
      params: { colour, other, side, target, bins },
      objects: [
        block(`${colour}_block`, colour, spots[0], uniform(random, -0.8, 0.8), ws.block),
        block(`${other}_block`, other, spots[1], uniform(random, -0.8, 0.8), ws.block),
      ],
      fixtures: [
        binXml('bin_a', bins.bin_a, BIN.inner, BIN.wall),
        binXml('bin_b', bins.bin_b, BIN.inner, BIN.wall),
      ],
    };
  },
  verify(world, { colour, side, target, bins }) {
    const name = `${colour}_block`;
    const wrong: BinName = target === 'bin_a' ? 'bin_b' : 'bin_a';
    if (inBin(world, name, bins[wrong]))
      return fail(
        `${name} is in ${wrong}, the ${side === 'left' ? 'right' : 'left'} bin, not the ${side} one`,
      );
    return insideContainer(world, name, bins[target], BIN.inner, BIN.wall, `${target} (the ${side} bin)`);
  },
  solve(robot, state, { colour, side }) {
    const object = state.objects.find((o) => o.name === `${colour}_block`)!;
    const bins = state.objects.filter((o) => o.name === 'bin_a' || o.name === 'bin_b');
    // Left is +y: the bin with the larger y is the left one.
    bins.sort((a, b) => b.position[1] - a.position[1]);
    const bin = side === 'left' ? bins[0] : bins[1];
    pickAndPlace(robot, object, bin.inside!.centre, bin.inside!.floor);
  },
});
