// The sandboxed Python runner: a separate Node process (started by python-sandbox.ts with Node's
// permission model, an empty environment and no code generation from strings). It snapshots a
// set-up Pyodide interpreter once, then runs each program it receives in a fresh interpreter
// restored from that snapshot, preparing the next one as soon as a program ends. Protocol, one
// JSON message per line: runner -> parent `ready`, `call`, `done`; parent -> runner `run`,
// `reply`. Every message of a run carries the parent's nonce for that run, calls a sequence number.
import './runner-setup.mjs';
import { readFileSync } from 'node:fs';
import { createInterpreterSource } from './interpreters.mjs';
import { readMessage, send } from './runner-io.mjs';

const started = performance.now();
const source = await createInterpreterSource(
  readFileSync(new URL('./robot_api.py', import.meta.url), 'utf8'),
);
let interpreter = await source.fresh();
send({ type: 'ready', startupMs: Math.round(performance.now() - started) });

for (;;) {
  const { nonce, program, state } = expect(readMessage(), 'run');
  let seq = 0;
  const result = interpreter.run({ program, state }, (name, args) => {
    seq++;
    send({ type: 'call', nonce, seq, name, args });
    const answer = expect(readMessage(), 'reply');
    if (answer.nonce !== nonce || answer.seq !== seq) fail('the parent answered another call');
    return answer.reply;
  });
  send({ type: 'done', nonce, result });
  interpreter.discard();

  // The next program's interpreter, ready before it arrives. The old one's memory goes now, so the
  // parent's memory watch sees only the next program's.
  const preparing = performance.now();
  interpreter = undefined;
  globalThis.gc?.();
  interpreter = await source.fresh();
  send({ type: 'ready', prepareMs: Math.round(performance.now() - preparing) });
}

function expect(message, type) {
  if (message?.type !== type) fail(`expected a ${type} message from the parent`);
  return message;
}

/** The parent is the runner's only client: if it breaks the protocol, stop rather than guess. */
function fail(why) {
  process.stderr.write(`python-runner: ${why}\n`);
  process.exit(70);
}
