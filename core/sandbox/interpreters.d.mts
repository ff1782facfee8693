// Types for interpreters.mjs (plain JavaScript: the runner runs without a TypeScript loader).
import type { RunnerResult } from './runner-protocol.ts';

export interface Interpreter {
  /** Run one program; `call` answers its primitive calls with the parent's reply. */
  run(
    task: { program: string; state: unknown },
    call: (name: string, args: unknown[]) => unknown,
  ): RunnerResult;
  /** Wipe it once the outcome is sent: nothing of the program may run in it later. */
  discard(): void;
}

export interface InterpreterSource {
  /** A new interpreter, restored from the snapshot, ready to run exactly one program. */
  fresh(): Promise<Interpreter>;
}

/** Load, set up and snapshot the interpreter every program starts from. */
export function createInterpreterSource(setupPython: string): Promise<InterpreterSource>;
