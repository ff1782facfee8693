// Types for import-gate.mjs (plain JavaScript: the runner runs without a TypeScript loader).
export class GateClosed extends Error {}

export interface Gate {
  /** Wrap every function of an import namespace in place. */
  wrapImports(namespace: Record<string, unknown>): void;
  /** The file descriptor of the robot device, the only one a program may read. */
  allowDevice(fd: number): void;
  beginProgram(): void;
  shut(): void;
  readonly state: 'open' | 'program' | 'shut';
  /** The first import a program tried to call past the gate, if any. */
  readonly violation: string | undefined;
}

export function createGate(): Gate;
