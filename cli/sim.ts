// lab sim info | lab sim state
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { invoke } from '../api/contract.ts';
import { simInfo, simState } from '../api/sim.ts';
import { formatModelInfo } from '../core/sim/model-info.ts';
import { formatSceneState } from '../core/sim/scene-state.ts';
import { print } from './print.ts';

export async function simCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, target] = positionals;
  if (!target || positionals.length > 2)
    throw new UsageError(`lab sim ${sub ?? '<info|state>'} needs exactly one model or scene`);
  const json = flags.json === true;
  if (sub === 'info') {
    const info = await invoke(simInfo, { model: target });
    print(json ? info : formatModelInfo(info), json);
    return 0;
  }
  if (sub === 'state') {
    const state = await invoke(simState, { scene: target });
    print(json ? state : formatSceneState(state), json);
    return 0;
  }
  throw new UsageError(`unknown sim command '${sub ?? ''}': use info or state`);
}
