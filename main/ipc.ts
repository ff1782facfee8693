// The api over Electron IPC: each page (web contents) gets one call session (api/call-session.ts,
// the same framing as the WebSocket shell) that receives its call messages and sends the replies
// back to that page only. Only the app's own page may call: a message from any other frame (a
// navigated-away window, an injected frame) is refused before the session sees it.
import { CallSession } from '../api/call-session.ts';
import type { CallContext } from '../api/dispatch.ts';
import type { ReplyMessage } from '../api/framing.ts';
import { isAppUrl } from './app-origin.ts';
import { CALL_CHANNEL, REPLY_CHANNEL } from './ipc-channels.ts';

/** The parts of Electron's WebContents the IPC layer uses. */
export interface IpcSender {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** The parts of Electron's IpcMainEvent the IPC layer uses. */
export interface IpcEventLike {
  readonly sender: IpcSender;
  /** null once the frame has navigated away or been destroyed. */
  readonly senderFrame: { readonly url: string } | null;
}

/** The parts of Electron's ipcMain the IPC layer uses; tests pass a fake. */
export interface IpcMainLike {
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): void;
}

export interface RegisterOptions {
  /** Which sender URLs are the app's own page; the app:// origin unless a test says otherwise. */
  isAppUrl?: (url: string) => boolean;
  /** Told about every refused sender (the Electron entry logs it). */
  onRefused?: (url: string) => void;
  /** The real dispatch unless a test passes one. */
  dispatch?: (name: unknown, input: unknown, context: CallContext) => Promise<unknown>;
}

export interface RegisteredApi {
  /** Stop every running call of one page (it reloaded, navigated or closed). */
  abortSender(senderId: number): void;
  /** Stop every running call (the app is quitting). */
  abortAll(): void;
}

export function registerApi(ipcMain: IpcMainLike, options: RegisterOptions = {}): RegisteredApi {
  const fromApp = options.isAppUrl ?? isAppUrl;
  const sessions = new Map<number, CallSession>();

  const reply = (sender: IpcSender, message: ReplyMessage): void => {
    // A page that closed mid-call has no one to tell (sending would throw).
    if (!sender.isDestroyed()) sender.send(REPLY_CHANNEL, message);
  };

  ipcMain.on(CALL_CHANNEL, (event, message) => {
    const { sender } = event;
    const url = event.senderFrame?.url;
    if (url === undefined || !fromApp(url)) {
      const where = url ?? 'a destroyed frame';
      options.onRefused?.(where);
      const id = (message as { id?: unknown } | null)?.id;
      if (typeof id === 'number')
        reply(sender, {
          id,
          error: { kind: 'forbidden', message: `${where} is not the lab's own page: call refused` },
        });
      return;
    }
    let session = sessions.get(sender.id);
    if (!session) {
      session = new CallSession((m) => reply(sender, m), { local: true }, options.dispatch);
      sessions.set(sender.id, session);
    }
    session.receive(message);
  });

  // Forgetting the page's session lets a reloaded page reuse ids while the stopped calls wind down.
  const abortSender = (senderId: number): void => {
    sessions.get(senderId)?.abortAll();
    sessions.delete(senderId);
  };
  return {
    abortSender,
    abortAll: () => {
      for (const senderId of [...sessions.keys()]) abortSender(senderId);
    },
  };
}
