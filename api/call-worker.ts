// A worker thread of api/call-workers.ts: runs the calls it is sent through the one dispatch, as a
// client of lab serve (files in the data folder), and posts back their events and how they ended.
import { parentPort } from 'node:worker_threads';
import { dispatch, type Shell } from './dispatch.ts';
import { remoteShell, studentShell } from './access.ts';
import { reportError } from './errors.ts';
import type { WorkerCall, WorkerReply } from './call-workers.ts';

if (!parentPort) throw new Error('call-worker must run in a worker thread');
const port = parentPort;
const running = new Map<number, AbortController>();
const shells = new Map<string, Shell>();
const post = (reply: WorkerReply): void => port.postMessage(reply);

port.on('message', (message: WorkerCall) => {
  if ('cancel' in message) return running.get(message.cancel)?.abort();
  const { id, call, input, defaultDb, student } = message;
  const controller = new AbortController();
  running.set(id, controller);
  // A class's student runs as themselves: their folder, their default dataset.
  const key = student === undefined ? `db:${defaultDb ?? ''}` : `student:${student}`;
  let shell = shells.get(key);
  if (!shell)
    shells.set(key, (shell = student === undefined ? remoteShell({ defaultDb }) : studentShell(student)));
  dispatch(call, input, { emit: (event) => post({ id, event }), signal: controller.signal, shell })
    .then(
      (result) => post({ id, result }),
      (err: unknown) => post({ id, error: reportError(err) }),
    )
    .finally(() => running.delete(id));
});
