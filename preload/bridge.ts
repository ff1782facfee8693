// window.lab: the call framing over IPC as two narrow functions. The page never gets ipcRenderer
// nor an IPC event object (its `sender` is ipcRenderer itself), only the framing's messages.
import type { CallMessage, ReplyMessage } from '../api/framing.ts';
import { CALL_CHANNEL, REPLY_CHANNEL } from '../main/ipc-channels.ts';

/** What the renderer's IPC transport (renderer/transport.ts) talks to. */
export interface LabBridge {
  send(message: CallMessage): void;
  /** Returns the function that removes the listener. */
  onReply(listener: (message: ReplyMessage) => void): () => void;
}

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The parts of Electron's ipcRenderer the bridge uses; tests pass a fake. */
export interface IpcRendererLike {
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export function createLabBridge(ipc: IpcRendererLike): LabBridge {
  return {
    send: (message) => ipc.send(CALL_CHANNEL, message),
    onReply: (listener) => {
      const forward: IpcListener = (_event, message) => listener(message as ReplyMessage);
      ipc.on(REPLY_CHANNEL, forward);
      return () => void ipc.removeListener(REPLY_CHANNEL, forward);
    },
  };
}
