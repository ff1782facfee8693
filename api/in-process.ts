// The lab in this process, for the CLI and the tests: the same client and framing as the UI's, with
// messages handed over directly instead of through IPC or a socket.
import { LabClient, type CallMessage, type ReplyMessage, type Transport } from './framing.ts';
import { CallSession } from './call-session.ts';
import type { Shell } from './dispatch.ts';

export function inProcessTransport(shell: Shell = { local: true }): Transport {
  return {
    async open(receive) {
      // Replies arrive on a later tick, as they would from another process.
      const session = new CallSession(
        (message: ReplyMessage) => queueMicrotask(() => receive(message)),
        shell,
      );
      return (message: CallMessage) => session.receive(structuredClone(message));
    },
  };
}

export function inProcessLab(shell?: Shell): LabClient {
  return new LabClient(inProcessTransport(shell));
}
