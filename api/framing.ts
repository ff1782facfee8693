// How calls travel, the same over Electron IPC, a WebSocket and in-process:
//   caller -> {id, call, input}          run a call
//   caller -> {cancel: id}               stop a running call (its AbortSignal fires)
//   lab    -> {id, event}                an event of a running call (progress, streamed text)
//   lab    -> {id, result} | {id, error} how it ended
//   lab    -> {error}                     a message that was not a call at all
// This file holds the messages and the caller's side (LabClient, typed by the contract); the lab's
// side is api/call-session.ts. Nothing here imports core, so the renderer uses it as is.
import type { CallInput, CallName, CallResult, ErrorReport, LabEvent } from './contract.ts';

export type CallMessage = { id: number; call: string; input?: unknown } | { cancel: number };
export type ReplyMessage =
  { id: number; event: LabEvent } | { id: number; result: unknown } | { id?: number; error: ErrorReport };

/** A call that ended in an error: its kind to branch on (`err.kind === 'no-dataset'`), its message to show. */
export class LabCallError extends Error {
  readonly kind: string;
  readonly issues?: ErrorReport['issues'];
  /** A bug's stack in the lab, for a local shell to print. */
  readonly detail?: string;
  constructor(report: ErrorReport & { stack?: string }) {
    super(report.message);
    this.name = 'LabCallError';
    this.kind = report.kind;
    if (report.issues) this.issues = report.issues;
    if (report.stack) this.detail = report.stack;
  }
}

export interface CallOptions {
  onEvent?: (event: LabEvent) => void;
  signal?: AbortSignal;
}

/**
 * A way to reach the lab. `open` connects (or reuses a connection) and returns how to send; replies
 * go to `receive`, and `lost` is called once if the connection closes, after which the client opens
 * a new one for its next call.
 */
export interface Transport {
  open(
    receive: (message: ReplyMessage) => void,
    lost: (reason: Error) => void,
  ): Promise<(message: CallMessage) => void>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: LabEvent) => void;
}

/** The lab as the UI, the CLI and the tests call it: `lab.call('dataset.list', input)` -> its typed result. */
export class LabClient {
  private readonly pending = new Map<number, Pending>();
  private connection?: Promise<(message: CallMessage) => void>;
  private nextId = 1;

  constructor(private readonly transport: Transport) {}

  call<K extends CallName>(name: K, input: CallInput<K>, options: CallOptions = {}): Promise<CallResult<K>> {
    const id = this.nextId++;
    return new Promise<CallResult<K>>((resolve, reject) => {
      const pending: Pending = {
        resolve: resolve as (value: unknown) => void,
        reject,
        onEvent: options.onEvent,
      };
      this.pending.set(id, pending);
      let send: ((message: CallMessage) => void) | undefined;
      const stop = (): void => {
        if (send) return send({ cancel: id }); // the lab answers how the stopped call ended
        this.pending.delete(id); // stopped before it was sent: it never runs
        reject(new LabCallError({ kind: 'stopped', message: 'stopped' }));
      };
      if (options.signal?.aborted) return stop();
      options.signal?.addEventListener('abort', stop, { once: true });
      this.connect().then(
        (sender) => {
          if (!this.pending.has(id)) return;
          send = sender;
          sender({ id, call: name, input });
        },
        (err: Error) => {
          this.pending.delete(id);
          reject(err);
        },
      );
    });
  }

  private connect(): Promise<(message: CallMessage) => void> {
    if (!this.connection) {
      const opening = this.transport.open(
        (message) => this.receive(message),
        (reason) => {
          if (this.connection === opening) this.connection = undefined; // the next call reconnects
          for (const pending of this.pending.values()) pending.reject(reason);
          this.pending.clear();
        },
      );
      this.connection = opening;
      opening.catch(() => {
        if (this.connection === opening) this.connection = undefined;
      });
    }
    return this.connection;
  }

  private receive(message: ReplyMessage): void {
    if (typeof message !== 'object' || message === null || typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if ('event' in message) return pending.onEvent?.(message.event);
    this.pending.delete(message.id);
    if ('error' in message) pending.reject(new LabCallError(message.error));
    else pending.resolve(message.result);
  }
}
