// lab demo: the arm picks the red cube and puts it down elsewhere, primitive by primitive.
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { openScene } from '../core/sim/open-scene.ts';
import { pickAndPlace } from '../core/sim/pick-and-place.ts';
import { formatSceneState, readSceneState } from '../core/sim/scene-state.ts';
import { print } from './print.ts';

const DESTINATION: Record<string, [number, number, number]> = {
  panda: [0.6, -0.05, 0.002],
  so100: [0.16, -0.1, 0],
};

export async function demoCommand({ flags }: ParsedArgs): Promise<number> {
  const arm = String(flags.arm ?? 'panda');
  if (!(arm in DESTINATION)) throw new UsageError(`--arm must be panda or so100, not '${arm}'`);
  const scene = await openScene(`${arm}-cube`);
  try {
    const before = readSceneState(scene.sim, scene.arm);
    if (!flags.json)
      process.stdout.write(
        `BLAZER Lab demo: ${arm} moves red_cube to ${JSON.stringify(DESTINATION[arm])}\n\n${formatSceneState(before)}\n`,
      );
    const started = performance.now();
    const results = pickAndPlace(scene.sim, scene.arm!, 'red_cube', DESTINATION[arm], (r) => {
      if (!flags.json)
        process.stdout.write(
          `  ${r.primitive.padEnd(13)} ${r.status.padEnd(11)} ${r.duration.toFixed(2)} s  ${r.message}\n`,
        );
    });
    const after = readSceneState(scene.sim, scene.arm);
    const cube = after.objects.find((o) => o.name === 'red_cube')!;
    const placed =
      Math.hypot(cube.position[0] - DESTINATION[arm][0], cube.position[1] - DESTINATION[arm][1]) < 0.03;
    const summary = {
      arm,
      placed,
      primitives: results.length,
      simSeconds: Number(scene.sim.time.toFixed(3)),
      wallSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      results,
      state: after,
    };
    if (flags.json) print(summary, true);
    else {
      process.stdout.write(`\n${formatSceneState(after)}\n`);
      process.stdout.write(
        `${placed ? 'placed' : 'NOT placed'}: ${results.length} primitives, ${summary.simSeconds} s simulated in ${summary.wallSeconds} s\n`,
      );
    }
    return placed ? 0 : 1;
  } finally {
    scene.dispose();
  }
}
