// A warm pool of Python sandboxes: Pyodide takes seconds to start, so runners are started once and
// kept; each program still gets a fresh interpreter of its own. A program waits for a free runner.
// A runner that is killed (timeout, memory, violation) is replaced by its sandbox.
import {
  PythonSandbox,
  type CallHandler,
  type ProgramOutcome,
  type SandboxLimits,
  type SandboxOptions,
} from './python-sandbox.ts';
import type { SceneState } from '../../api/types.ts';

export class SandboxPool {
  private readonly idle: PythonSandbox[];
  private readonly all: PythonSandbox[];
  private readonly waiting: ((sandbox: PythonSandbox) => void)[] = [];

  constructor(
    readonly size: number,
    options: SandboxOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`a sandbox pool needs at least one runner, not ${size}`);
    this.all = Array.from({ length: size }, () => new PythonSandbox(options));
    this.idle = [...this.all];
  }

  /** Start every runner now, in parallel. */
  async warm(): Promise<void> {
    await Promise.all(this.all.map((s) => s.warm()));
  }

  async run(
    program: string,
    state: SceneState,
    onCall: CallHandler,
    limits?: Partial<SandboxLimits>,
  ): Promise<ProgramOutcome> {
    const sandbox =
      this.idle.pop() ?? (await new Promise<PythonSandbox>((resolve) => this.waiting.push(resolve)));
    try {
      return await sandbox.run(program, state, onCall, limits);
    } finally {
      const next = this.waiting.shift();
      if (next) next(sandbox);
      else this.idle.push(sandbox);
    }
  }

  dispose(): void {
    for (const sandbox of this.all) sandbox.dispose();
  }
}
