// Heavy calls of a server's clients (building scenes from their MJCF, running episodes, dataset
// queries and exports) run on a few worker threads, not on the server's event loop: one client's
// 10,000-body model or long chart query never stalls the others. Each client (by address) runs one
// such call at a time and may queue a few more, so one client cannot take every worker; beyond that
// it is told the lab is busy. A call past its deadline is stopped and its worker replaced, and a
// worker that dies fails only its own call.
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../core/worker-thread.ts';
import type { ErrorReport, LabEvent } from './contract.ts';
import { ApiError } from './errors.ts';
import type { CallContext } from './dispatch.ts';
import { LabError } from '../core/errors.ts';

/** To a call worker: run a call (as a client of lab serve), or stop one. */
export type WorkerCall =
  { id: number; call: string; input: unknown; defaultDb?: string; student?: string } | { cancel: number };
/** From a call worker: an event of a call, or how it ended. */
export type WorkerReply =
  { id: number; event: LabEvent } | { id: number; result: unknown } | { id: number; error: ErrorReport };

export interface CallWorkersOptions {
  /** Worker threads (default 2). */
  size?: number;
  /** Calls that may wait for a free worker before the lab says it is busy (default 32). */
  maxWaiting?: number;
  /** Calls one client may have waiting behind its running one (default 8). */
  perClientWaiting?: number;
  /** A call still running after this long is stopped and its worker replaced (default 5 minutes). */
  deadlineMs?: number;
}

interface Running {
  id: number;
  client: string;
  context: CallContext;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  running?: Running;
}

class CallFailed extends LabError {}

export class CallWorkers {
  private readonly slots: Slot[] = [];
  private readonly waiting: { client: string; start: (slot: Slot) => void; reject: (err: Error) => void }[] =
    [];
  private nextId = 0;
  private closed = false;
  private readonly maxWaiting: number;
  private readonly perClientWaiting: number;
  private readonly deadlineMs: number;

  constructor(
    private readonly defaultDb: string | undefined,
    options: CallWorkersOptions = {},
  ) {
    this.maxWaiting = options.maxWaiting ?? 32;
    this.perClientWaiting = options.perClientWaiting ?? 8;
    this.deadlineMs = options.deadlineMs ?? 5 * 60_000;
    for (let i = 0; i < (options.size ?? 2); i++) this.slots.push(this.startSlot());
  }

  /** Run a call on a worker thread; its events and its stop signal cross with it. */
  run(call: string, input: unknown, context: CallContext): Promise<unknown> {
    if (this.closed) return Promise.reject(new ApiError('busy', 'the lab server is shutting down'));
    const client = context.shell.client ?? 'local';
    const free = this.slots.find((s) => !s.running);
    if (free && !this.isRunning(client)) return this.start(free, client, call, input, context);
    const queued = this.waiting.filter((w) => w.client === client).length;
    if (this.waiting.length >= this.maxWaiting || queued >= this.perClientWaiting)
      return Promise.reject(
        new ApiError(
          'busy',
          queued >= this.perClientWaiting
            ? `the lab is busy with your earlier simulations or dataset calls (${queued} waiting); try again when they have finished`
            : `the lab is busy: ${this.slots.length} simulations or dataset calls are running and ${this.waiting.length} waiting; try again in a moment`,
        ),
      );
    return new Promise((resolve, reject) => {
      const entry = {
        client,
        start: (slot: Slot) => this.start(slot, client, call, input, context).then(resolve, reject),
        reject,
      };
      this.waiting.push(entry);
      context.signal.addEventListener(
        'abort',
        () => {
          const at = this.waiting.indexOf(entry);
          if (at < 0) return;
          this.waiting.splice(at, 1);
          reject(Object.assign(new Error('stopped'), { name: 'AbortError' }));
        },
        { once: true },
      );
    });
  }

  /** Calls running or waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.slots.filter((s) => s.running).length, waiting: this.waiting.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    const shuttingDown = new ApiError('busy', 'the lab server is shutting down');
    for (const entry of this.waiting.splice(0)) entry.reject(shuttingDown);
    // Calls still running end now, with their deadline timers, or they would hold the process open.
    for (const slot of this.slots) {
      if (slot.running) clearTimeout(slot.running.timer);
      slot.running?.reject(shuttingDown);
      slot.running = undefined;
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private isRunning(client: string): boolean {
    return this.slots.some((s) => s.running?.client === client);
  }

  /** The next waiting call whose client has nothing running: one client never holds every worker. */
  private takeNext(): ((slot: Slot) => void) | undefined {
    const at = this.waiting.findIndex((w) => !this.isRunning(w.client));
    return at < 0 ? undefined : this.waiting.splice(at, 1)[0].start;
  }

  private start(
    slot: Slot,
    client: string,
    call: string,
    input: unknown,
    context: CallContext,
  ): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.replace(
            slot,
            new CallFailed(
              'timeout',
              `${call} ran longer than ${Math.round(this.deadlineMs / 1000)} s and was stopped`,
            ),
          ),
        this.deadlineMs,
      );
      slot.running = { id, client, context, resolve, reject, timer };
      context.signal.addEventListener(
        'abort',
        () => slot.worker.postMessage({ cancel: id } satisfies WorkerCall),
        {
          once: true,
        },
      );
      slot.worker.postMessage({
        id,
        call,
        input,
        defaultDb: this.defaultDb,
        ...(context.shell.student ? { student: context.shell.student } : {}),
      } satisfies WorkerCall);
    });
  }

  private startSlot(): Slot {
    const slot: Slot = { worker: startModuleWorker(new URL('./call-worker.ts', import.meta.url)) };
    slot.worker.on('message', (reply: WorkerReply) => {
      const running = slot.running;
      if (!running || reply.id !== running.id) return;
      if ('event' in reply) return running.context.emit(reply.event);
      this.finish(slot);
      if ('error' in reply) running.reject(new CallFailed(reply.error.kind, reply.error.message));
      else running.resolve(reply.result);
    });
    slot.worker.on('error', (err) =>
      this.replace(slot, new CallFailed('internal', `the call's worker failed: ${err.message}`)),
    );
    slot.worker.on('exit', (code) => {
      if (!this.closed)
        this.replace(slot, new CallFailed('internal', `the call's worker stopped (exit code ${code})`));
    });
    return slot;
  }

  /** A call ended: its worker takes the next waiting call. */
  private finish(slot: Slot): void {
    if (slot.running) clearTimeout(slot.running.timer);
    slot.running = undefined;
    this.takeNext()?.(slot);
  }

  /** A worker that overran or died fails its own call only, and a fresh one takes its place. */
  private replace(slot: Slot, error: LabError): void {
    const running = slot.running;
    const at = this.slots.indexOf(slot);
    if (at < 0) return; // already replaced
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => {}); // whatever it says while it goes is no one's to hear
    void slot.worker.terminate();
    if (running) clearTimeout(running.timer);
    running?.reject(error);
    if (this.closed) return;
    const fresh = this.startSlot();
    this.slots[at] = fresh;
    this.takeNext()?.(fresh);
  }
}
