// A worker thread that runs episode requests and posts back the results. Each worker owns its own
// MuJoCo module (and, when it runs Python programs, its own sandbox runner), so episodes run truly
// in parallel.
import { parentPort } from 'node:worker_threads';
import { findTask } from './registry.ts';
import { doNothing, prepareEpisode, runEpisode } from './episode.ts';
import type { EpisodeJob, WorkerReply } from './pool.ts';
import { executeProgram } from '../planner/attempt.ts';
import { PythonSandbox } from '../sandbox/python-sandbox.ts';

if (!parentPort) throw new Error('episode-worker must run in a worker thread');
const port = parentPort;
let sandbox: PythonSandbox | undefined;

port.on('message', async (job: EpisodeJob) => {
  let reply: WorkerReply;
  try {
    const task = await findTask(job.taskId);
    if (job.prepare) {
      reply = { id: job.id, prepared: await prepareEpisode(task, job.seed, job.arm) };
    } else {
      const program = job.program;
      const arm = job.arm ?? task.arms[0];
      if (program?.format === 'code') sandbox ??= new PythonSandbox();
      const result = await runEpisode(task, job.seed, {
        arm: job.arm,
        program: program
          ? (robot, state) => executeProgram(program, robot, state, arm, sandbox)
          : job.solver === 'none'
            ? doNothing
            : undefined,
      });
      reply = { id: job.id, result };
    }
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});

process.on('exit', () => sandbox?.dispose());
