// How the renderer reaches the lab: IPC through the preload's `window.lab` under Electron, a
// WebSocket to `lab serve` in a browser. Both carry the call framing's messages (api/framing.ts);
// the typed LabClient on top is the same for both.
import type { CallMessage, ReplyMessage, Transport } from '../api/framing.ts';

/** What the Electron preload exposes as window.lab (preload/bridge.ts). */
export interface LabBridge {
  send(message: CallMessage): void;
  onReply(listener: (message: ReplyMessage) => void): () => void;
}

export function ipcTransport(bridge: LabBridge): Transport {
  return {
    async open(receive) {
      bridge.onReply(receive);
      return (message) => bridge.send(message);
    },
  };
}

/** Thrown when the server refuses the token: the UI asks for the right one. */
export class TokenRefused extends Error {}

/** Ask the server whether the token is right before opening the socket (a browser cannot see a refused upgrade's status). */
export async function checkToken(token: string): Promise<void> {
  const response = await fetch('/api/app.info', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  if (response.status === 401) throw new TokenRefused('the server refused this token');
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
}

/** The server's WebSocket; the token travels as a subprotocol, never in the URL. */
export function webSocketTransport(token: string): Transport {
  const hex = [...new TextEncoder().encode(token)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return {
    open: (receive, lost) =>
      new Promise((resolve, reject) => {
        const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
        const socket = new WebSocket(`${scheme}://${location.host}/ws`, [
          'blazer-lab',
          `blazer-token.${hex}`,
        ]);
        socket.onopen = () => resolve((message) => socket.send(JSON.stringify(message)));
        socket.onerror = () => reject(new Error('cannot reach the lab server'));
        socket.onmessage = (message) => receive(JSON.parse(String(message.data)) as ReplyMessage);
        socket.onclose = () => lost(new Error('the connection to the lab server closed'));
      }),
  };
}
