// A warm pool of Python sandboxes: Pyodide takes seconds to start, so runners are started once and
// reused; a program waits for a free one. A runner that is killed (timeout, memory, violation) is
// replaced by its sandbox on the next program.
import {
  PythonSandbox,
  type CallHandler,
  type ProgramOutcome,
  type SandboxLimits,
} from './python-sandbox.ts';
import type { SceneState } from '../../api/types.ts';

export class SandboxPool {
  private readonly idle: PythonSandbox[];
  private readonly all: PythonSandbox[];
  private readonly waiting: ((sandbox: PythonSandbox) => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`a sandbox pool needs at least one runner, not ${size}`);
    this.all = Array.from({ length: size }, () => new PythonSandbox());
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
