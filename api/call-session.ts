// The lab's side of the call framing (api/framing.ts), shared by the Electron IPC and WebSocket
// shells and the in-process client: one session per connected page or client, its running calls by
// id, cancellation, a duplicate id refused, and every ending reported as {id, result} or {id, error}.
import type { CallMessage, ReplyMessage } from './framing.ts';
import { dispatch, type CallContext, type Shell } from './dispatch.ts';
import { reportError } from './errors.ts';

export class CallSession {
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly send: (message: ReplyMessage) => void,
    private readonly shell: Shell,
    /** The real dispatch; tests of a shell pass one that records or waits. */
    private readonly run: (
      name: unknown,
      input: unknown,
      context: CallContext,
    ) => Promise<unknown> = dispatch,
  ) {}

  /** Handle one message from the caller; anything malformed is answered, never thrown. */
  receive(message: unknown): void {
    const refuse = (text: string, id?: number): void =>
      this.send({ ...(id === undefined ? {} : { id }), error: { kind: 'bad-request', message: text } });
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return refuse('the message is not an object');
    const { id, call, input, cancel } = message as Partial<
      Record<keyof CallMessage | 'call' | 'input' | 'cancel', unknown>
    > & {
      id?: unknown;
    };
    if (cancel !== undefined) {
      if (typeof cancel === 'number') this.running.get(cancel)?.abort();
      return;
    }
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return refuse('a call needs a numeric id');
    if (this.running.has(id)) return refuse(`call id ${id} is already running`, id);
    const controller = new AbortController();
    this.running.set(id, controller);
    this.run(call, input, {
      // A stopped call's late events would land on whatever the caller does next with that id.
      emit: (event) => {
        if (!controller.signal.aborted) this.send({ id, event });
      },
      signal: controller.signal,
      shell: this.shell,
    })
      .then(
        (result) => this.send({ id, result }),
        (err: unknown) => this.send({ id, error: reportError(err, { withStack: this.shell.local }) }),
      )
      .finally(() => {
        if (this.running.get(id) === controller) this.running.delete(id);
      });
  }

  /** Stop every running call (the page closed or reloaded, the client went away). */
  abortAll(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  get runningCalls(): number {
    return this.running.size;
  }
}
