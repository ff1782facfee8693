// Long-lived things the api's calls share inside one shell process: a warm Python sandbox (Pyodide
// takes seconds to start) and the model last used (loading a GGUF takes seconds too). The shell
// disposes them when it exits. Their modules load on first use only: a quick command (lab tasks)
// never loads llama.cpp or Pyodide.
import type { SandboxPool } from '../core/sandbox/sandbox-pool.ts';
import type { ChatModel } from '../core/llm/types.ts';
import type { OpenModelOptions } from '../core/llm/open-model.ts';
import type { PythonRunner } from '../core/planner/programs.ts';

let sandbox: SandboxPool | undefined;
interface OpenedModel {
  key: string;
  model: Promise<ChatModel>;
  /** Calls using it now: a replaced model is disposed only when the last one finishes. */
  users: number;
  retired: boolean;
}

let current: OpenedModel | undefined;
const opened = new Set<OpenedModel>();
let llamaUsed = false;

/**
 * One runner, shared: a pool of one queues programs, since a runner runs one program at a time.
 * Pyodide's runner starts with the first program.
 */
export function sharedSandbox(): PythonRunner {
  return {
    run: async (...args) => {
      if (!sandbox) {
        const { SandboxPool } = await import('../core/sandbox/sandbox-pool.ts');
        sandbox ??= new SandboxPool(1);
      }
      return sandbox.run(...args);
    },
  };
}

/**
 * Use the model for a spec, kept open for the next call. Another spec replaces it (one model stays
 * in memory), but a call still using the old one keeps it until that call ends.
 */
export async function withSharedModel<T>(
  spec: string,
  options: Pick<OpenModelOptions, 'adapter' | 'threads'>,
  use: (model: ChatModel) => Promise<T>,
): Promise<T> {
  const key = JSON.stringify([spec, options.adapter ?? null, options.threads ?? null]);
  if (current?.key !== key) {
    if (current) retire(current);
    llamaUsed = true;
    const model = import('../core/llm/open-model.ts').then(({ openModel }) => openModel(spec, options));
    const fresh: OpenedModel = { key, model, users: 0, retired: false };
    fresh.model.catch(() => {
      opened.delete(fresh);
      if (current === fresh) current = undefined; // the next call tries to open it again
    });
    opened.add(fresh);
    current = fresh;
  }
  const mine = current;
  mine.users++;
  try {
    return await use(await mine.model);
  } finally {
    mine.users--;
    if (mine.retired && mine.users === 0) void release(mine);
  }
}

function retire(model: OpenedModel): void {
  model.retired = true;
  if (model.users === 0) void release(model);
}

async function release(model: OpenedModel): Promise<void> {
  opened.delete(model);
  await model.model.then((m) => m.dispose()).catch(() => {});
}

let robotUsed = false;
/** A robot call ran in this process: on exit the arm is disconnected (torque off). */
export function noteRobotUsed(): void {
  robotUsed = true;
}

export async function disposeResources(): Promise<void> {
  if (robotUsed) await (await import('./robot-session.ts')).disconnectArm();
  sandbox?.dispose();
  sandbox = undefined;
  current = undefined;
  await Promise.all([...opened].map(release));
  if (llamaUsed) await (await import('../core/llm/local-model.ts')).disposeSharedLlama();
}
