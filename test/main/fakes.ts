// Stand-ins for the Electron objects main/ and preload/ take as parameters (importing 'electron' in
// a Node test would try to download its binary): they record what was registered and sent.
import type { IpcEventLike, IpcMainLike, IpcSender, Reply } from '../../main/ipc.ts';
import type { IpcRendererLike } from '../../preload/bridge.ts';

export const APP_PAGE = 'app://lab/index.html';

export class FakeSender implements IpcSender {
  readonly sent: unknown[][] = [];
  destroyed = false;
  constructor(readonly id = 1) {}
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed'); // as Electron does
    this.sent.push([channel, ...args]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export function ipcEvent(url: string | null = APP_PAGE, sender = new FakeSender()): IpcEventLike {
  return { sender, senderFrame: url === null ? null : { url } };
}

type Handler = (event: IpcEventLike, ...args: unknown[]) => Promise<Reply>;
type Listener = (event: IpcEventLike, ...args: unknown[]) => void;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Listener>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`); // as Electron does
    this.handlers.set(channel, handler);
  }
  on(channel: string, listener: Listener): void {
    this.listeners.set(channel, listener);
  }
  /** What ipcRenderer.invoke would get back. */
  invoke(channel: string, event: IpcEventLike, ...args: unknown[]): Promise<Reply> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
  send(channel: string, event: IpcEventLike, ...args: unknown[]): void {
    this.listeners.get(channel)?.(event, ...args);
  }
}

type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: unknown[][] = [];
  readonly sent: unknown[][] = [];
  readonly listeners = new Map<string, Set<RendererListener>>();
  /** What invoke answers; a test replaces it (or wires it to a FakeIpcMain). */
  answer: (channel: string, ...args: unknown[]) => Promise<unknown> = async () => ({ result: null });
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, ...args]);
    return this.answer(channel, ...args);
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  on(channel: string, listener: RendererListener): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  }
  removeListener(channel: string, listener: RendererListener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  /** The main process sending to this page; the first argument is the IPC event, as in Electron. */
  receive(channel: string, ...args: unknown[]): void {
    const event = { sender: this, senderId: 0 };
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args);
  }
}
