// The parent's line to one runner process: starts it locked down, and enforces the protocol on
// everything it writes. A run has its own random nonce and numbered calls; a runner that sends
// anything out of turn (before it is ready, while idle, a second call before its reply, a message
// for another run, output after its result) or anything malformed is killed on the spot and
// reported as broken, so no later program can ever receive an earlier one's messages.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SceneState } from '../../api/types.ts';
import { lastLine, type CallReply } from './outcome.ts';
import { lineSplitter } from './line-splitter.ts';
import {
  MAX_RUNNER_LINE,
  parseRunnerMessage,
  type RunnerMessage,
  type RunnerResult,
} from './runner-protocol.ts';

/** A packaged Electron app keeps these files unpacked beside its archive: a separate process cannot read inside it. */
const unpacked = (path: string): string => path.replace(/([/\\])app\.asar([/\\])/, '$1app.asar.unpacked$2');
export const DEFAULT_RUNNER = unpacked(fileURLToPath(new URL('./python-runner.mjs', import.meta.url)));
const PYODIDE_DIR = unpacked(dirname(createRequire(import.meta.url).resolve('pyodide/package.json')));
/** Inside Electron, process.execPath is the Electron binary: this makes it a plain Node. */
const RUNNER_ENV: Record<string, string> = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
/** Node 22.13 renamed the permission flag (the old name is gone in later releases); Electron 45 runs Node 22. */
const [NODE_MAJOR, NODE_MINOR] = process.versions.node.split('.').map(Number);
const PERMISSION_FLAG =
  NODE_MAJOR > 22 || (NODE_MAJOR === 22 && NODE_MINOR >= 13) ? '--permission' : '--experimental-permission';
const STDERR_KEPT = 8192;

export type RunEvent =
  | { kind: 'call'; name: string; args: unknown[] }
  | { kind: 'done'; result: RunnerResult }
  | { kind: 'broken'; reason: string } // it broke the protocol and was killed
  | { kind: 'exited' }; // it died, or was killed for a limit

type Phase = 'starting' | 'preparing' | 'idle' | 'running' | 'awaiting-reply' | 'dead';

export class RunnerChannel {
  /** Resolves when the process has exited and its output streams are closed. */
  readonly closed: Promise<void>;
  stderr = '';
  startupMs = 0;
  prepareMs = 0;
  /** It became ready at least once: it started, so a new one is worth starting in its place. */
  served = false;
  private phase: Phase = 'starting';
  private nonce = '';
  private seq = 0;
  private readonly events: RunEvent[] = [];
  private wakers: (() => void)[] = [];
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(runner = DEFAULT_RUNNER) {
    const readable = [...new Set([PYODIDE_DIR, dirname(DEFAULT_RUNNER), dirname(runner)])];
    this.child = spawn(
      process.execPath,
      [
        PERMISSION_FLAG,
        ...readable.map((dir) => `--allow-fs-read=${dir}`),
        '--allow-worker', // for the lifeline thread only (lifeline.mjs); programs reach no JavaScript
        '--disallow-code-generation-from-strings',
        '--max-old-space-size=256',
        '--expose-gc', // the runner frees each finished interpreter at once
        '--no-warnings',
        runner,
      ],
      // An empty environment: no API keys reach programs. fd 3 is the lifeline: held open here, it
      // closes when this process (or the thread that started the runner) goes, and the runner ends.
      { env: RUNNER_ENV, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] },
    ) as ChildProcessWithoutNullStreams;
    this.closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    void this.closed.then(() => this.exited());
    this.child.stdout.on(
      'data',
      lineSplitter(MAX_RUNNER_LINE, {
        line: (text) => this.receive(text),
        overflow: (limit) => this.broke(`a line longer than ${limit} characters`),
      }),
    );
    this.child.stderr.on(
      'data',
      (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-STDERR_KEPT)),
    );
    this.child.stdin.on('error', () => {}); // writes after a kill: the exit is reported by `closed`
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Wait until the runner can take a program; rejects if it dies, breaks or takes longer than `timeoutMs`. */
  async idle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.phase === 'starting' || this.phase === 'preparing') {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.kill();
        throw new Error(`the Python runner was not ready within ${Math.round(timeoutMs / 1000)} s`);
      }
      await this.nextWake(left);
    }
    if (this.phase !== 'idle') {
      await this.closed;
      const broken = this.events.find((e) => e.kind === 'broken');
      throw new Error(
        broken?.kind === 'broken'
          ? `the Python runner broke the protocol before a program: ${broken.reason}`
          : `the Python runner failed to start: ${lastLine(this.stderr) || 'no message'}`,
      );
    }
  }

  /** Send a program; its messages then arrive through next(). */
  begin(program: string, state: SceneState): void {
    if (this.phase !== 'idle') throw new Error(`a runner that is ${this.phase} cannot take a program`);
    this.nonce = randomBytes(16).toString('hex');
    this.seq = 0;
    this.phase = 'running';
    this.write({ type: 'run', nonce: this.nonce, program, state });
  }

  /** Answer the call next() just returned. */
  answer(reply: CallReply): void {
    if (this.phase !== 'awaiting-reply') return; // it broke or died meanwhile
    this.phase = 'running';
    this.write({ type: 'reply', nonce: this.nonce, seq: this.seq, reply });
  }

  async next(): Promise<RunEvent> {
    while (this.events.length === 0) await this.nextWake();
    return this.events.shift()!;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  private receive(line: string): void {
    if (this.phase === 'dead') return;
    const parsed = parseRunnerMessage(line);
    if ('error' in parsed) return this.broke(parsed.error);
    const message = parsed.message;
    const refusal = this.accept(message);
    if (refusal) this.broke(refusal);
  }

  /** Take a well-formed message if it is the runner's turn to send it; otherwise say what is wrong. */
  private accept(message: RunnerMessage): string | undefined {
    if (message.type === 'ready') {
      if (this.phase !== 'starting' && this.phase !== 'preparing')
        return `a ready message while ${this.phase}`;
      this.startupMs = message.startupMs ?? this.startupMs;
      this.prepareMs = message.prepareMs ?? this.prepareMs;
      this.served = true;
      this.phase = 'idle';
      return this.notify();
    }
    if (this.phase !== 'running') {
      return this.phase === 'awaiting-reply'
        ? `a ${message.type} message before its reply arrived`
        : `a ${message.type} message while ${this.phase === 'idle' ? 'no program was running' : this.phase}`;
    }
    if (message.nonce !== this.nonce) return `a ${message.type} message for another program`;
    if (message.type === 'call') {
      if (message.seq !== this.seq + 1) return `call ${message.seq} where call ${this.seq + 1} was due`;
      this.seq = message.seq;
      this.phase = 'awaiting-reply';
      this.push({ kind: 'call', name: message.name, args: message.args });
    } else {
      this.phase = 'preparing';
      this.push({ kind: 'done', result: message.result });
    }
    return undefined;
  }

  private broke(reason: string): void {
    if (this.phase === 'dead') return;
    this.phase = 'dead';
    this.kill();
    this.push({ kind: 'broken', reason });
  }

  private exited(): void {
    if (this.phase === 'dead') return this.notify(); // already reported as broken
    this.phase = 'dead';
    this.push({ kind: 'exited' });
  }

  private push(event: RunEvent): void {
    this.events.push(event);
    this.notify();
  }

  private notify(): undefined {
    for (const wake of this.wakers.splice(0)) wake();
    return undefined;
  }

  private nextWake(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(resolve, timeoutMs);
      this.wakers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private write(message: object): void {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }
}
