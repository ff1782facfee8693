// The parent side of the Python sandbox: starts python-runner.mjs as a locked-down Node process,
// sends it programs, answers its primitive calls, and enforces the limits the runner cannot be
// trusted to enforce itself: time, memory, number of calls. A runner that is killed or crashes is
// replaced before the next program.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { SceneState } from '../../api/types.ts';

export type ProgramOutcomeKind =
  | 'completed' // ran to its end or called task_completed()
  | 'syntax' // did not compile; `line` says where
  | 'runtime' // raised an exception; `line` says where
  | 'forbidden' // imported a module robot programs may not use
  | 'recursion'
  | 'memory'
  | 'timeout'
  | 'output' // printed too much
  | 'stopped' // the parent ended it: an invalid number, too many primitive calls
  | 'sandbox-violation' // reached for the host (a shell, a file, the network) and was killed
  | 'crash'; // the runner died for another reason

export interface ProgramOutcome {
  ok: boolean;
  kind: ProgramOutcomeKind;
  message: string;
  line?: number;
  output: string;
  primitiveCalls: number;
  /** Seconds the runner spent running the program, not counting time in primitives. */
  runnerSeconds: number;
}

/** What the parent answers to one primitive call: a result, an error the program sees, or a stop. */
export type CallReply = { result: unknown } | { error: string } | { stop: string };
export type CallHandler = (name: string, args: unknown[]) => CallReply;

export interface SandboxLimits {
  /** Runner time per program, excluding time spent executing primitives. */
  seconds: number;
  primitiveCalls: number;
  /** Resident memory of the runner process. */
  memoryBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { seconds: 5, primitiveCalls: 200, memoryBytes: 1.2e9 };

/** A packaged Electron app keeps these files unpacked beside its archive: a separate process cannot read inside it. */
const unpacked = (path: string): string => path.replace(/([/\\])app\.asar([/\\])/, '$1app.asar.unpacked$2');
const RUNNER = unpacked(fileURLToPath(new URL('./python-runner.mjs', import.meta.url)));
const PYODIDE_DIR = unpacked(dirname(createRequire(import.meta.url).resolve('pyodide/package.json')));
/** Inside Electron, process.execPath is the Electron binary: this makes it a plain Node. */
const RUNNER_ENV: Record<string, string> = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
/** Node 22.13 renamed the permission flag (the old name is gone in later releases); Electron 45 runs Node 22. */
const [NODE_MAJOR, NODE_MINOR] = process.versions.node.split('.').map(Number);
const PERMISSION_FLAG =
  NODE_MAJOR > 22 || (NODE_MAJOR === 22 && NODE_MINOR >= 13) ? '--permission' : '--experimental-permission';
const WATCH_INTERVAL_MS = 25;

interface Runner {
  child: ChildProcessWithoutNullStreams;
  lines: AsyncIterator<string>;
  stderr: string;
  /** Resolves when the process has exited and its output streams are closed. */
  closed: Promise<void>;
}

export class PythonSandbox {
  private runner?: Promise<Runner>;
  private disposed = false;
  /** Start-up time of the most recent runner, ms (Pyodide takes seconds: runners are kept warm). */
  lastStartupMs = 0;

  /** Start the runner now rather than on the first program. */
  warm(): Promise<void> {
    return this.liveRunner().then(() => undefined);
  }

  async run(
    program: string,
    state: SceneState,
    onCall: CallHandler,
    limits: Partial<SandboxLimits> = {},
  ): Promise<ProgramOutcome> {
    if (this.disposed) throw new Error('the sandbox was disposed');
    const limit = { ...DEFAULT_SANDBOX_LIMITS, ...limits };
    const runner = await this.liveRunner();
    const { child } = runner;
    let calls = 0;
    let stopped: { kind: ProgramOutcomeKind; message: string } | undefined;
    let busyMs = 0;
    let busySince = performance.now();
    const kill = (kind: ProgramOutcomeKind, message: string): void => {
      stopped ??= { kind, message };
      child.kill('SIGKILL');
    };
    const watch = setInterval(() => {
      const busy = busyMs + (performance.now() - busySince);
      if (busy > limit.seconds * 1000) kill('timeout', `the program ran longer than ${limit.seconds} s`);
      else if (residentBytes(child.pid) > limit.memoryBytes)
        kill('memory', `the program used more than ${Math.round(limit.memoryBytes / 1e6)} MB`);
    }, WATCH_INTERVAL_MS);

    try {
      child.stdin.write(JSON.stringify({ type: 'run', program, state }) + '\n');
      for (;;) {
        const next = await runner.lines.next();
        if (next.done) break; // the runner died: killed by us, or crashed
        const message = JSON.parse(next.value) as {
          type: string;
          call?: { name: string; args: unknown[] };
          result?: RunnerResult;
        };
        if (message.type === 'call') {
          busyMs += performance.now() - busySince;
          calls++;
          const reply: CallReply =
            calls > limit.primitiveCalls
              ? { stop: `more than ${limit.primitiveCalls} primitive calls` }
              : safeCall(onCall, message.call!.name, message.call!.args);
          if ('stop' in reply) stopped ??= { kind: 'stopped', message: reply.stop };
          busySince = performance.now();
          child.stdin.write(JSON.stringify(reply) + '\n');
        } else if (message.type === 'done') {
          busyMs += performance.now() - busySince;
          const r = message.result!;
          return {
            ok: r.ok,
            kind: r.kind,
            message: r.message,
            ...(r.line ? { line: r.line } : {}),
            output: r.output ?? '',
            primitiveCalls: calls,
            runnerSeconds: round3(busyMs / 1000),
          };
        }
      }
      busyMs += performance.now() - busySince;
      this.runner = undefined;
      await runner.closed; // stderr may still be arriving after stdout ended
      const outcome = stopped ?? describeCrash(runner.stderr);
      return {
        ok: false,
        ...outcome,
        output: '',
        primitiveCalls: calls,
        runnerSeconds: round3(busyMs / 1000),
      };
    } finally {
      clearInterval(watch);
    }
  }

  dispose(): void {
    this.disposed = true;
    void this.runner?.then((r) => r.child.kill('SIGKILL'));
    this.runner = undefined;
  }

  private liveRunner(): Promise<Runner> {
    if (!this.runner) {
      const starting = startRunner();
      this.runner = starting;
      starting.then(
        (r) => {
          this.lastStartupMs = r.startupMs;
          void r.closed.then(() => {
            if (this.runner === starting) this.runner = undefined;
          });
        },
        () => {
          if (this.runner === starting) this.runner = undefined;
        },
      );
    }
    return this.runner;
  }
}

interface RunnerResult {
  ok: boolean;
  kind: ProgramOutcomeKind;
  message: string;
  line?: number;
  output?: string;
}

async function startRunner(): Promise<Runner & { startupMs: number }> {
  const child = spawn(
    process.execPath,
    [
      PERMISSION_FLAG,
      `--allow-fs-read=${PYODIDE_DIR}`,
      `--allow-fs-read=${dirname(RUNNER)}`,
      '--disallow-code-generation-from-strings',
      '--max-old-space-size=256',
      '--no-warnings',
      RUNNER,
    ],
    { env: RUNNER_ENV, stdio: ['pipe', 'pipe', 'pipe'] }, // a clean environment: no API keys reach programs
  );
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const runner = {
    child,
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    stderr: '',
    closed,
    startupMs: 0,
  };
  child.stderr.on('data', (d: Buffer) => (runner.stderr = (runner.stderr + d.toString()).slice(-8192)));
  child.stdin.on('error', () => {}); // writes after a kill: the exit is handled by the reader
  const first = await runner.lines.next();
  if (first.done) throw new Error(`the Python runner failed to start: ${lastLine(runner.stderr)}`);
  runner.startupMs = (JSON.parse(first.value) as { startupMs: number }).startupMs;
  return runner; // the same object: the stderr listener keeps writing into it
}

function safeCall(onCall: CallHandler, name: string, args: unknown[]): CallReply {
  try {
    return onCall(name, Array.isArray(args) ? args : []);
  } catch (err) {
    return { stop: `the primitive ${name} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function describeCrash(stderr: string): { kind: ProgramOutcomeKind; message: string } {
  const denied = /ERR_ACCESS_DENIED[\s\S]*?permission: '(\w+)'/.exec(stderr);
  if (denied)
    return {
      kind: 'sandbox-violation',
      message: `the program reached for the host (${denied[1]}) and was stopped`,
    };
  if (/Maximum call stack size exceeded|stack overflow/i.test(stderr))
    return { kind: 'recursion', message: 'recursion too deep' };
  if (/out of memory|Cannot enlarge memory|allocation failed/i.test(stderr))
    return { kind: 'memory', message: 'the program ran out of memory' };
  return { kind: 'crash', message: `the Python runner stopped: ${lastLine(stderr) || 'no message'}` };
}

function residentBytes(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? '';
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
