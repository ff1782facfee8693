// Long-lived things the api's calls share inside one shell process: a warm Python sandbox (Pyodide
// takes seconds to start) and the model last used (loading a GGUF takes seconds too). The shell
// disposes them when it exits.
import { SandboxPool } from '../core/sandbox/sandbox-pool.ts';
import { openModel } from '../core/llm/open-model.ts';
import type { ChatModel } from '../core/llm/types.ts';
import { disposeSharedLlama } from '../core/llm/local-model.ts';

let sandbox: SandboxPool | undefined;
let openedModel: { key: string; model: Promise<ChatModel> } | undefined;

/** One runner, shared: a pool of one queues programs, since a runner runs one program at a time. */
export function sharedSandbox(): SandboxPool {
  sandbox ??= new SandboxPool(1);
  return sandbox;
}

/** The model for a spec, kept open for the next call; another spec replaces it (one in memory). */
export async function sharedModel(
  spec: string,
  options: { adapter?: string; threads?: number } = {},
): Promise<ChatModel> {
  const key = JSON.stringify([spec, options.adapter ?? null, options.threads ?? null]);
  if (openedModel?.key !== key) {
    const previous = openedModel;
    openedModel = { key, model: openModel(spec, options) };
    openedModel.model.catch(() => {
      if (openedModel?.key === key) openedModel = undefined;
    });
    if (previous) await previous.model.then((m) => m.dispose()).catch(() => {});
  }
  return openedModel.model;
}

export async function disposeResources(): Promise<void> {
  sandbox?.dispose();
  sandbox = undefined;
  const previous = openedModel;
  openedModel = undefined;
  if (previous) await previous.model.then((m) => m.dispose()).catch(() => {});
  await disposeSharedLlama();
}
