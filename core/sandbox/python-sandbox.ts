// The parent side of the Python sandbox: one runner process (python-runner.mjs, started locked
// down by runner-channel.ts), programs one at a time, each in a fresh interpreter the runner
// prepares while the parent is busy elsewhere. The parent answers primitive calls and enforces
// what the runner cannot be trusted to enforce itself: time, memory, number of calls, and the
// protocol. A runner that is killed, dies or misbehaves is replaced at once.
import { readFileSync } from 'node:fs';
import type { SceneState } from '../../api/types.ts';
import { RunnerChannel } from './runner-channel.ts';
import {
  describeCrash,
  fromReport,
  type CallHandler,
  type CallReply,
  type ProgramOutcome,
  type Verdict,
} from './outcome.ts';

export type { CallHandler, CallReply, ProgramOutcome, ProgramOutcomeKind } from './outcome.ts';

export interface SandboxLimits {
  /** Runner time per program, excluding time spent executing primitives. */
  seconds: number;
  primitiveCalls: number;
  /** Resident memory of the runner process. */
  memoryBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { seconds: 5, primitiveCalls: 200, memoryBytes: 1.2e9 };

export interface SandboxOptions {
  /** The runner script; the default is python-runner.mjs beside this file. */
  runner?: string;
  /**
   * How long a runner may take to prepare the next program's interpreter (a fraction of a second
   * normally) before it is replaced; default 30 s.
   */
  prepareTimeoutMs?: number;
}

const WATCH_INTERVAL_MS = 25;
/** Start-up loads and snapshots Pyodide (seconds); a busy machine can take much longer. */
const STARTUP_TIMEOUT_MS = 120_000;
const PREPARE_TIMEOUT_MS = 30_000;

export class PythonSandbox {
  private channel?: RunnerChannel;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Start-up time of the most recent runner, ms (Pyodide takes seconds: runners are kept warm). */
  lastStartupMs = 0;
  /** Time the runner took to prepare the fresh interpreter for the latest program, ms. */
  lastPrepareMs = 0;

  constructor(private readonly options: SandboxOptions = {}) {}

  /** The runner process's id, once one is started (tests check that it ends with its parent). */
  get runnerPid(): number | undefined {
    return this.channel?.pid;
  }

  /** Start the runner now rather than on the first program. */
  async warm(): Promise<void> {
    await this.readyChannel();
  }

  /** Run one program; concurrent calls queue, each gets its own fresh interpreter and its own result. */
  run(
    program: string,
    state: SceneState,
    onCall: CallHandler,
    limits: Partial<SandboxLimits> = {},
  ): Promise<ProgramOutcome> {
    const turn = this.queue.then(() =>
      this.runNow(program, state, onCall, { ...DEFAULT_SANDBOX_LIMITS, ...limits }),
    );
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  dispose(): void {
    this.disposed = true;
    this.channel?.kill();
    this.channel = undefined;
  }

  private async runNow(
    program: string,
    state: SceneState,
    onCall: CallHandler,
    limit: SandboxLimits,
  ): Promise<ProgramOutcome> {
    const channel = await this.readyChannel();
    this.lastPrepareMs = channel.prepareMs;
    let calls = 0;
    let verdict: Verdict | undefined; // the parent's own: a stop, or a limit
    let busyMs = 0;
    let busySince = performance.now();
    const pause = (): void => void (busyMs += performance.now() - busySince);
    const kill = (kind: Verdict['kind'], message: string): void => {
      verdict ??= { kind, message };
      channel.kill();
    };
    const watch = setInterval(() => {
      const busy = busyMs + (performance.now() - busySince);
      if (busy > limit.seconds * 1000) kill('timeout', `the program ran longer than ${limit.seconds} s`);
      else if (residentBytes(channel.pid) > limit.memoryBytes)
        kill('memory', `the program used more than ${Math.round(limit.memoryBytes / 1e6)} MB`);
    }, WATCH_INTERVAL_MS);
    const finish = (outcome: Omit<ProgramOutcome, 'primitiveCalls' | 'runnerSeconds'>): ProgramOutcome => ({
      ...outcome,
      primitiveCalls: calls,
      runnerSeconds: round3(busyMs / 1000),
    });

    try {
      channel.begin(program, state);
      for (;;) {
        const event = await channel.next();
        if (event.kind === 'call') {
          pause();
          calls++;
          // Once stopped, stopped: a program that catches the stop moves nothing more.
          const reply: CallReply = verdict
            ? { stop: verdict.message }
            : calls > limit.primitiveCalls
              ? { stop: `more than ${limit.primitiveCalls} primitive calls` }
              : safeCall(onCall, event.name, event.args);
          if ('stop' in reply) verdict ??= { kind: 'stopped', message: reply.stop };
          busySince = performance.now();
          channel.answer(reply);
        } else if (event.kind === 'done') {
          pause();
          return finish(fromReport(event.result, verdict));
        } else {
          pause();
          await channel.closed; // stderr may still be arriving after stdout ended
          const why: Verdict =
            event.kind === 'broken'
              ? {
                  kind: 'sandbox-violation',
                  message: `the sandbox runner broke the protocol (${event.reason}) and was replaced`,
                }
              : (verdict ?? describeCrash(channel.stderr));
          return finish({ ok: false, ...why, output: '' });
        }
      }
    } finally {
      clearInterval(watch);
    }
  }

  /** The current runner once it can take a program, starting or replacing it as needed. */
  private async readyChannel(): Promise<RunnerChannel> {
    for (let attempt = 0; ; attempt++) {
      if (this.disposed) throw new Error('the sandbox was disposed');
      const channel = this.channel ?? this.start();
      try {
        await channel.idle(
          channel.served ? (this.options.prepareTimeoutMs ?? PREPARE_TIMEOUT_MS) : STARTUP_TIMEOUT_MS,
        );
        this.lastStartupMs = channel.startupMs;
        return channel;
      } catch (err) {
        if (this.channel === channel) this.channel = undefined;
        // A runner that worked before and died between programs: one more try on a new one.
        if (!channel.served || attempt > 0) throw err;
      }
    }
  }

  private start(): RunnerChannel {
    const channel = new RunnerChannel(this.options.runner);
    this.channel = channel;
    void channel.closed.then(() => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      // Replace a runner that had been working right away, so the next program finds one warm.
      if (channel.served && !this.disposed) this.start();
    });
    return channel;
  }
}

function safeCall(onCall: CallHandler, name: string, args: unknown[]): CallReply {
  try {
    const reply = onCall(name, args);
    if (!isCallReply(reply)) return { stop: `the primitive ${name.slice(0, 40)} gave no valid reply` };
    JSON.stringify(reply); // a reply the runner cannot be sent ends the attempt here, not in the channel
    return reply;
  } catch (err) {
    return {
      stop: `the primitive ${name.slice(0, 40)} failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

function isCallReply(reply: unknown): reply is CallReply {
  if (typeof reply !== 'object' || reply === null) return false;
  if ('stop' in reply) return typeof reply.stop === 'string';
  if ('error' in reply) return typeof reply.error === 'string';
  return 'result' in reply;
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

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
