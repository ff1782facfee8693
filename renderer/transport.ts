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

/** Thrown when the server refuses a class student's name: the UI asks for another. */
export class NameRefused extends Error {}

/** Who connects: the teacher's (operator's) token, or a student of the class link by name. */
export type Credentials = { token: string } | { classToken: string; student: string };

/** Ask the server whether the credentials are right before opening the socket (a browser cannot see a refused upgrade's status). */
export async function checkToken(credentials: Credentials | string): Promise<void> {
  const who = typeof credentials === 'string' ? { token: credentials } : credentials;
  const response = await fetch('/api/app.info', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...('token' in who
        ? { Authorization: `Bearer ${who.token}` }
        : {
            Authorization: `Bearer ${who.classToken}`,
            'X-Lab-Student': encodeURIComponent(who.student),
          }),
    },
    body: '{}',
  });
  if (response.status === 401) {
    // The server says which: the token, or the student's name (with the rule it broke).
    const said = await response.json().then(
      (body: { error?: unknown; kind?: unknown }) => ({
        kind: body.kind,
        message: typeof body.error === 'string' ? body.error : '',
      }),
      () => ({ kind: undefined, message: '' }),
    );
    if ('classToken' in who && said.kind === 'bad-student')
      throw new NameRefused(said.message.replace(/^.*?:\s*/, ''));
    throw new TokenRefused('the server refused this token');
  }
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
}

const hexOf = (text: string): string =>
  [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The server's WebSocket; the token (and a student's name) travel as subprotocols, never in the URL. */
export function webSocketTransport(credentials: Credentials | string): Transport {
  const who = typeof credentials === 'string' ? { token: credentials } : credentials;
  const protocols =
    'token' in who
      ? ['blazer-lab', `blazer-token.${hexOf(who.token)}`]
      : ['blazer-lab', `blazer-class.${hexOf(who.classToken)}`, `blazer-student.${hexOf(who.student)}`];
  return {
    open: (receive, lost) =>
      new Promise((resolve, reject) => {
        const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
        const socket = new WebSocket(`${scheme}://${location.host}/ws`, protocols);
        socket.onopen = () => resolve((message) => socket.send(JSON.stringify(message)));
        socket.onerror = () => reject(new Error('cannot reach the lab server'));
        socket.onmessage = (message) => receive(JSON.parse(String(message.data)) as ReplyMessage);
        socket.onclose = () => lost(new Error('the connection to the lab server closed'));
      }),
  };
}
