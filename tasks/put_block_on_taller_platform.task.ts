// HELD OUT. Put a block on the taller of two fixed platforms. Composes pick + place onto a raised
// surface (stacking onto a fixed support) with comparing the objects' heights in the scene state
// (size h); which platform is taller is drawn at random and they are named platform_a and
// platform_b, so the choice needs the state. Mirrors the paper's out-of-distribution "put the
// case on the target" / "cup on the coloured object": place on a target chosen by an attribute.
import { defineTask } from '../core/tasks/types.ts';
import {
  block,
  platform,
  placeApart,
  WORKSPACES,
  COLOUR_NAMES,
  type Colour,
} from '../core/tasks/scene-kit.ts';
import { all, bottomAt, fail, insideSquare, released } from '../core/tasks/checks.ts';
import { pickAndPlace } from '../core/sim/skills.ts';
import { shuffled, uniform } from '../core/random.ts';

export const PLATFORM_EDGE = 0.09;
const SHORT: [number, number] = [0.03, 0.05];
const TALL: [number, number] = [0.08, 0.11];

type PlatformName = 'platform_a' | 'platform_b';
interface Params {
  colour: Colour;
  edge: number;
  /** The taller platform. */
  target: PlatformName;
  platforms: Record<PlatformName, { at: [number, number]; height: number }>;
}

export default defineTask<Params>({
  id: 'put_block_on_taller_platform',
  title: 'Put the block on the taller platform',
  split: 'heldout',
  skills: ['pick', 'place', 'stack', 'compare sizes'],
  arms: ['panda'],
  instructions: ({ colour }) => [
    `put the ${colour} block on the taller platform`,
    `place the ${colour} cube on top of the higher of the two platforms`,
    `stack the ${colour} block onto whichever platform is tallest`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const [colour, colourA, colourB] = shuffled(random, COLOUR_NAMES).slice(0, 3);
    const [a, b] = placeApart(random, 2, ws.x, ws.y, 0.15);
    // The hand is wider than the block: keep the block clear of the platforms it could hit.
    const [spot] = placeApart(random, 1, ws.x, ws.y, 0.21, [a, b]);
    const tall = uniform(random, TALL[0], TALL[1]);
    const short = uniform(random, SHORT[0], SHORT[1]);
    const aIsTaller = random() < 0.5;
    const platforms = {
      platform_a: { at: a, height: aIsTaller ? tall : short },
      platform_b: { at: b, height: aIsTaller ? short : tall },
    };
    return {
      params: { colour, edge: ws.block, target: aIsTaller ? 'platform_a' : 'platform_b', platforms },
      objects: [
        platform('platform_a', colourA, a, PLATFORM_EDGE, platforms.platform_a.height),
        platform('platform_b', colourB, b, PLATFORM_EDGE, platforms.platform_b.height),
        block(`${colour}_block`, colour, spot, uniform(random, -0.8, 0.8), ws.block),
      ],
    };
  },
  verify(world, { colour, edge, target, platforms }) {
    const name = `${colour}_block`;
    const p = world.position(name);
    const other: PlatformName = target === 'platform_a' ? 'platform_b' : 'platform_a';
    const lower = platforms[other];
    if (
      insideSquare(name, p, lower.at, PLATFORM_EDGE / 2, other).success &&
      bottomAt(world, name, edge / 2, lower.height, other).success
    )
      return fail(`${name} is on ${other}, the shorter platform, not ${target}`);
    const { at, height } = platforms[target];
    return all(
      insideSquare(name, p, at, PLATFORM_EDGE / 2, `${target} (the taller platform)`),
      bottomAt(world, name, edge / 2, height, `the top of ${target}`),
      released(world, name),
    );
  },
  solve(robot, state, { colour }) {
    const object = state.objects.find((o) => o.name === `${colour}_block`)!;
    const [taller] = state.objects
      .filter((o) => o.name.startsWith('platform_'))
      .sort((u, v) => v.position[2] + v.size[2] / 2 - (u.position[2] + u.size[2] / 2));
    const top = taller.position[2] + taller.size[2] / 2;
    pickAndPlace(robot, object, [taller.position[0], taller.position[1]], top);
  },
});
