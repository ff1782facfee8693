// The api over one WebSocket, as JSON messages:
//   client -> {id, call, input}          run a call
//   client -> {cancel: id}               stop a running call (its AbortSignal fires)
//   server -> {id, event}                an event of a running call (progress, streamed text)
//   server -> {id, result} | {id, error} how it ended; error is {kind, message, expected}
import { reportError } from '../api/errors.ts';
import type { CallContext } from '../api/contract.ts';

export interface SocketSession {
  running: Map<number, AbortController>;
  send: (message: unknown) => void;
}

export type Dispatch = (name: unknown, input: unknown, context?: CallContext) => Promise<unknown>;

export function handleSocketMessage(session: SocketSession, text: string, dispatch: Dispatch): void {
  let message: { id?: unknown; call?: unknown; input?: unknown; cancel?: unknown };
  try {
    message = JSON.parse(text) as typeof message;
  } catch {
    session.send({ error: { kind: 'bad-request', message: 'the message is not JSON', expected: true } });
    return;
  }
  if (typeof message !== 'object' || message === null) {
    session.send({ error: { kind: 'bad-request', message: 'the message is not an object', expected: true } });
    return;
  }
  if (typeof message.cancel === 'number') {
    session.running.get(message.cancel)?.abort();
    return;
  }
  const id = message.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    session.send({ error: { kind: 'bad-request', message: 'a call needs a numeric id', expected: true } });
    return;
  }
  if (session.running.has(id)) {
    session.send({
      id,
      error: { kind: 'bad-request', message: `call id ${id} is already running`, expected: true },
    });
    return;
  }
  const controller = new AbortController();
  session.running.set(id, controller);
  dispatch(message.call, message.input, {
    emit: (event) => session.send({ id, event }),
    signal: controller.signal,
  })
    .then(
      (result) => session.send({ id, result }),
      (err: unknown) => session.send({ id, error: reportError(err) }),
    )
    .finally(() => session.running.delete(id));
}
