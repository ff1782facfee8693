// lab sim info | lab sim state
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { Simulation } from '../core/sim/simulation.ts';
import { formatModelInfo, modelInfo } from '../core/sim/model-info.ts';
import { openScene } from '../core/sim/open-scene.ts';
import { formatSceneState, readSceneState } from '../core/sim/scene-state.ts';
import { print } from './print.ts';

export async function simCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, target] = positionals;
  if (!target || positionals.length > 2)
    throw new UsageError(`lab sim ${sub ?? '<info|state>'} needs exactly one model or scene`);
  if (sub === 'info') {
    const sim = await Simulation.fromFile(target);
    try {
      const info = modelInfo(sim);
      print(flags.json ? info : formatModelInfo(info), flags.json === true);
    } finally {
      sim.dispose();
    }
    return 0;
  }
  if (sub === 'state') {
    const scene = await openScene(target);
    try {
      const state = readSceneState(scene.sim, scene.arm);
      print(flags.json ? state : formatSceneState(state), flags.json === true);
    } finally {
      scene.dispose();
    }
    return 0;
  }
  throw new UsageError(`unknown sim command '${sub ?? ''}': use info or state`);
}
