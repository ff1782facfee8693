// A worker thread holding episodes for workers.ts: 'open' builds a task's scene and keeps the
// session, 'run' runs what it is given on it (scripted, nothing, or a program: Python through this
// worker's own sandbox runner, a JSON plan step by step) and closes it, 'close' drops it unrun.
import { parentPort } from 'node:worker_threads';
import { findTask } from '../tasks/registry.ts';
import { EpisodeSession } from '../episode/session.ts';
import { localRunner } from '../planner/solve.ts';
import { SandboxPool } from '../sandbox/sandbox-pool.ts';
import { scenesBuilt } from '../sim/scene.ts';
import type { WorkerReply, WorkerRequest } from './workers.ts';

if (!parentPort) throw new Error('episode-worker must run in a worker thread');
const port = parentPort;
const sessions = new Map<number, EpisodeSession>();
/** One runner, queued: episodes on this worker may wait on Python at the same time. */
let sandbox: SandboxPool | undefined;

async function handle(request: WorkerRequest): Promise<Omit<WorkerReply, 'id' | 'scenesBuilt'>> {
  if (request.op === 'open') {
    const session = await EpisodeSession.open(await findTask(request.taskId), request.seed, request.arm);
    sessions.set(request.session, session);
    return { opened: { instruction: session.instruction, state: session.initialState, arm: session.arm } };
  }
  const session = sessions.get(request.session);
  sessions.delete(request.session);
  if (request.op === 'close') {
    session?.dispose();
    return {};
  }
  if (!session) throw new Error(`no open episode ${request.session} on this worker`);
  if (request.what.kind === 'program' && request.what.program.format === 'code')
    sandbox ??= new SandboxPool(1);
  return { result: await localRunner(session, { sandbox }).run(request.what) };
}

port.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (reply) => port.postMessage({ id: request.id, ...reply, scenesBuilt: scenesBuilt() }),
    (err: unknown) =>
      port.postMessage({
        id: request.id,
        error: err instanceof Error ? err.message : String(err),
        scenesBuilt: scenesBuilt(),
      }),
  );
});

process.on('exit', () => sandbox?.dispose());
