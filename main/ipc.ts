// The api over Electron IPC: one invoke channel for calls, one for cancelling, events sent back to
// the calling page. The same messages as the WebSocket protocol (server/socket-protocol.ts). Only
// the app's own page may call: IPC from any other frame (a navigated-away window, an injected
// frame) is refused before dispatch, which validates every input against the call's schema.
import type { CallContext } from '../api/contract.ts';
import { reportError, type ErrorReport } from '../api/errors.ts';
import { isAppUrl } from './app-origin.ts';
import { CALL_CHANNEL, CANCEL_CHANNEL, EVENT_CHANNEL } from './ipc-channels.ts';

export type Dispatch = (name: unknown, input: unknown, context?: CallContext) => Promise<unknown>;

export type Reply = { result: unknown } | { error: ErrorReport };

/** The parts of Electron's WebContents the IPC layer uses. */
export interface IpcSender {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** The parts of Electron's IpcMainEvent / IpcMainInvokeEvent the IPC layer uses. */
export interface IpcEventLike {
  readonly sender: IpcSender;
  /** null once the frame has navigated away or been destroyed. */
  readonly senderFrame: { readonly url: string } | null;
}

/** The parts of Electron's ipcMain the IPC layer uses; tests pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<Reply>): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): void;
}

export interface RegisterOptions {
  /** Which sender URLs are the app's own page; the app:// origin unless a test says otherwise. */
  isAppUrl?: (url: string) => boolean;
  /** Told about every refused sender (the Electron entry logs it). */
  onRefused?: (url: string) => void;
}

export interface RegisteredApi {
  /** Stop every running call of one page (it reloaded, navigated or closed). */
  abortSender(senderId: number): void;
  /** Stop every running call (the app is quitting). */
  abortAll(): void;
}

const refusal = (what: string): Reply => ({
  error: { kind: 'forbidden', message: `${what} is not the lab's own page: call refused`, expected: false },
});

const badRequest = (message: string): Reply => ({ error: { kind: 'bad-request', message, expected: true } });

export function registerApi(
  ipcMain: IpcMainLike,
  dispatch: Dispatch,
  options: RegisterOptions = {},
): RegisteredApi {
  const fromApp = options.isAppUrl ?? isAppUrl;
  // Running calls by sender, then by the id the page chose; ids are only unique within one page.
  const running = new Map<number, Map<number, AbortController>>();

  const senderUrl = (event: IpcEventLike): string | undefined => {
    const url = event.senderFrame?.url;
    if (url !== undefined && fromApp(url)) return url;
    options.onRefused?.(url ?? '(a destroyed frame)');
    return undefined;
  };

  ipcMain.handle(CALL_CHANNEL, async (event, id, name, input) => {
    if (senderUrl(event) === undefined) return refusal(event.senderFrame?.url ?? 'a destroyed frame');
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return badRequest('a call needs a numeric id');
    const { sender } = event;
    let calls = running.get(sender.id);
    if (!calls) running.set(sender.id, (calls = new Map()));
    if (calls.has(id)) return badRequest(`call id ${id} is already running`);
    const controller = new AbortController();
    calls.set(id, controller);
    try {
      const result = await dispatch(name, input, {
        // A page that closed mid-call has no one to tell (sending would throw), and a stopped call's
        // late progress could land on a reloaded page's call of the same id.
        emit: (apiEvent) => {
          if (!controller.signal.aborted && !sender.isDestroyed()) sender.send(EVENT_CHANNEL, id, apiEvent);
        },
        signal: controller.signal,
      });
      return { result };
    } catch (err) {
      return { error: reportError(err) };
    } finally {
      calls.delete(id);
      if (calls.size === 0 && running.get(sender.id) === calls) running.delete(sender.id);
    }
  });

  ipcMain.on(CANCEL_CHANNEL, (event, id) => {
    if (senderUrl(event) === undefined || typeof id !== 'number') return;
    running.get(event.sender.id)?.get(id)?.abort();
  });

  // Forgetting the page's calls lets a reloaded page reuse ids while the stopped calls wind down.
  const abortSender = (senderId: number): void => {
    for (const controller of running.get(senderId)?.values() ?? []) controller.abort();
    running.delete(senderId);
  };
  return {
    abortSender,
    abortAll: () => {
      for (const senderId of [...running.keys()]) abortSender(senderId);
    },
  };
}
