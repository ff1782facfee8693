// window.lab: the api as three narrow functions over IPC. The page never gets ipcRenderer nor an
// IPC event object (its `sender` is ipcRenderer itself), only call ids, names, inputs and replies.
import type { ErrorReport } from '../api/errors.ts';
import { CALL_CHANNEL, CANCEL_CHANNEL, EVENT_CHANNEL } from '../main/ipc-channels.ts';

export type Reply = { result: unknown } | { error: ErrorReport };

/** What the renderer's IpcTransport (renderer/transport.ts) talks to. */
export interface LabBridge {
  call(id: number, name: string, input: unknown): Promise<Reply>;
  cancel(id: number): void;
  /** Returns the function that removes the listener. */
  onEvent(listener: (id: number, event: unknown) => void): () => void;
}

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The parts of Electron's ipcRenderer the bridge uses; tests pass a fake. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export function createLabBridge(ipc: IpcRendererLike): LabBridge {
  return {
    // The main process answers every call with {result} or {error}, refusals included.
    call: (id, name, input) => ipc.invoke(CALL_CHANNEL, id, name, input) as Promise<Reply>,
    cancel: (id) => ipc.send(CANCEL_CHANNEL, id),
    onEvent: (listener) => {
      const forward: IpcListener = (_event, id, apiEvent) => {
        if (typeof id === 'number') listener(id, apiEvent);
      };
      ipc.on(EVENT_CHANNEL, forward);
      return () => void ipc.removeListener(EVENT_CHANNEL, forward);
    },
  };
}
