// The renderer talks to the lab through one interface: IPC through the preload's `window.lab`
// under Electron, a WebSocket to `lab serve` in a browser. Both carry the same messages: a call
// with an id, events for that id while it runs, then a result or an error.
import type { ApiEvent } from '../api/events.ts';

export interface CallOptions {
  onEvent?: (event: ApiEvent) => void;
  signal?: AbortSignal;
}

export interface Transport {
  call<T>(name: string, input: unknown, options?: CallOptions): Promise<T>;
}

export interface ErrorReport {
  kind: string;
  message: string;
  expected: boolean;
}

export class LabCallError extends Error {
  constructor(readonly report: ErrorReport) {
    super(report.message);
  }
}

type Reply = { result: unknown } | { error: ErrorReport };

/** What the Electron preload exposes as window.lab. */
export interface LabBridge {
  call(id: number, name: string, input: unknown): Promise<Reply>;
  cancel(id: number): void;
  onEvent(listener: (id: number, event: unknown) => void): () => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: ApiEvent) => void;
}

let nextId = 1;

function settle(pending: Pending, reply: Reply): void {
  if ('error' in reply) pending.reject(new LabCallError(reply.error));
  else pending.resolve(reply.result);
}

export class IpcTransport implements Transport {
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly bridge: LabBridge) {
    bridge.onEvent((id, event) => this.pending.get(id)?.onEvent?.(event as ApiEvent));
  }

  call<T>(name: string, input: unknown, options: CallOptions = {}): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { resolve: resolve as (v: unknown) => void, reject, onEvent: options.onEvent };
      this.pending.set(id, pending);
      options.signal?.addEventListener('abort', () => this.bridge.cancel(id), { once: true });
      this.bridge
        .call(id, name, input)
        .then((reply) => settle(pending, reply), reject)
        .finally(() => this.pending.delete(id));
    });
  }
}

/** Thrown when the server refuses the token: the UI asks for the right one. */
export class TokenRefused extends Error {}

export class WebSocketTransport implements Transport {
  private socket?: Promise<WebSocket>;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly token: string) {}

  /** Ask the server whether the token is right before opening the socket (a browser cannot see a refused upgrade's status). */
  static async check(token: string): Promise<void> {
    const response = await fetch('/api/app.info', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    if (response.status === 401) throw new TokenRefused('the server refused this token');
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
  }

  call<T>(name: string, input: unknown, options: CallOptions = {}): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent: options.onEvent });
      let sent: WebSocket | undefined;
      const stop = (): void => {
        if (sent) sent.send(JSON.stringify({ cancel: id }));
        else {
          this.pending.delete(id); // stopped before it was sent: it never runs
          reject(new Error('stopped'));
        }
      };
      if (options.signal?.aborted) return stop();
      options.signal?.addEventListener('abort', stop, { once: true });
      this.open().then(
        (socket) => {
          if (!this.pending.has(id)) return;
          socket.send(JSON.stringify({ id, call: name, input }));
          sent = socket;
        },
        (err: Error) => {
          this.pending.delete(id);
          reject(err);
        },
      );
    });
  }

  private open(): Promise<WebSocket> {
    this.socket ??= new Promise<WebSocket>((resolve, reject) => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(this.token)}`);
      socket.onopen = () => resolve(socket);
      socket.onerror = () => reject(new Error('cannot reach the lab server'));
      socket.onmessage = (message) => this.receive(String(message.data));
      socket.onclose = () => {
        this.socket = undefined; // the next call reconnects
        for (const pending of this.pending.values())
          pending.reject(new Error('the connection to the lab server closed'));
        this.pending.clear();
      };
    });
    return this.socket;
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as { id?: number; event?: ApiEvent } & Partial<Reply>;
    if (message.id === undefined) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.event) pending.onEvent?.(message.event);
    else {
      this.pending.delete(message.id);
      settle(pending, message as Reply);
    }
  }
}
