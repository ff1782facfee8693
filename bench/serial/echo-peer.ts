// bench/serial's anchor peer, run as its own process on the bus side of a pty pair: it counts the
// bytes that arrive and, for every `--request` bytes, writes `--reply` bytes back in one write (as
// the emulated bus sends a sync read's six status packets). No protocol parsing at all, so a round
// trip through it is what the pty, serialport and two event loops cost for those byte counts.
// Usage: node --import tsx bench/serial/echo-peer.ts --port PATH --request 14 --reply 48
// Prints {"ready":true}; exits on SIGTERM or when its piped stdin ends (the parent went away).
import { parseArgs } from 'node:util';
import { SerialPort } from 'serialport';

const { values } = parseArgs({
  options: { port: { type: 'string' }, request: { type: 'string' }, reply: { type: 'string' } },
});
const request = Number(values.request);
const replyBytes = Number(values.reply);
if (!values.port || !(request > 0) || !(replyBytes > 0)) {
  process.stderr.write('usage: echo-peer --port PATH --request BYTES --reply BYTES\n');
  process.exit(2);
}
const reply = Buffer.alloc(replyBytes, 0x5a);
let pending = 0;

const port = new SerialPort({ path: values.port, baudRate: 1_000_000, autoOpen: false });
await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
port.on('error', () => undefined);
port.on('data', (chunk: Buffer) => {
  pending += chunk.length;
  while (pending >= request) {
    pending -= request;
    port.write(reply);
  }
});

const stop = () => port.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop).resume();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
