// Stand-ins for the Electron objects main/ and preload/ take as parameters (importing 'electron' in
// a Node test would try to download its binary): they record what was registered and sent.
import type { IpcEventLike, IpcMainLike, IpcSender } from '../../main/ipc.ts';
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

type Listener = (event: IpcEventLike, ...args: unknown[]) => void;

export class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, Listener>();
  on(channel: string, listener: Listener): void {
    if (this.listeners.has(channel)) throw new Error(`second listener for ${channel}`);
    this.listeners.set(channel, listener);
  }
  /** A page's ipcRenderer.send arriving in the main process. */
  send(channel: string, event: IpcEventLike, ...args: unknown[]): void {
    this.listeners.get(channel)?.(event, ...args);
  }
}

type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class FakeIpcRenderer implements IpcRendererLike {
  readonly sent: unknown[][] = [];
  readonly listeners = new Map<string, Set<RendererListener>>();
  /** Where sends go besides `sent`; a test wires it to a FakeIpcMain. */
  onSend?: (channel: string, ...args: unknown[]) => void;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
    this.onSend?.(channel, ...args);
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
