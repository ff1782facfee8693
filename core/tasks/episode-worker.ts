// A worker thread that runs episodes it is sent and posts back their results. Each worker owns
// its own MuJoCo module, so episodes run truly in parallel.
import { parentPort } from 'node:worker_threads';
import { findTask } from './registry.ts';
import { doNothing, runEpisode, type EpisodeResult } from './episode.ts';
import type { EpisodeJob } from './pool.ts';

if (!parentPort) throw new Error('episode-worker must run in a worker thread');
const port = parentPort;

port.on('message', async (job: EpisodeJob) => {
  try {
    const task = await findTask(job.taskId);
    const result: EpisodeResult = await runEpisode(task, job.seed, {
      arm: job.arm,
      program: job.solver === 'none' ? doNothing : undefined,
    });
    port.postMessage({ id: job.id, result });
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
