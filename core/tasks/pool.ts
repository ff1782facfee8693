// Runs many episodes on a pool of worker threads (one MuJoCo module each), handing out jobs as
// workers free up. Results come back in job order.
import { Worker } from 'node:worker_threads';
import type { ArmName } from '../sim/scene.ts';
import type { EpisodeResult } from './episode.ts';

export interface EpisodeJob {
  id: number;
  taskId: string;
  seed: number;
  arm?: ArmName;
  solver?: 'scripted' | 'none';
  /** Which of several samples of the same scene this is (data generation). */
  sample?: number;
}

export type JobOutcome = { job: EpisodeJob; result: EpisodeResult } | { job: EpisodeJob; error: string };

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./episode-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

/** A worker running the episode worker; from TypeScript sources (tsx, vitest) it registers tsx first. */
function startWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(boot, { eval: true });
}

export async function runEpisodesInWorkers(
  jobs: Omit<EpisodeJob, 'id'>[],
  workers: number,
  onDone?: (outcome: JobOutcome) => void,
  signal?: AbortSignal,
): Promise<JobOutcome[]> {
  const queue = jobs.map((job, id) => ({ ...job, id }));
  const outcomes: JobOutcome[] = new Array(queue.length);
  const pool = Array.from({ length: Math.max(1, Math.min(workers, queue.length)) }, startWorker);
  let next = 0;
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = (): void => {
              if (next >= queue.length || signal?.aborted) return resolve(); // stop handing out work
              worker.postMessage(queue[next++]);
            };
            worker.on('message', (message: { id: number; result?: EpisodeResult; error?: string }) => {
              const job = queue[message.id];
              const outcome: JobOutcome = message.result
                ? { job, result: message.result }
                : { job, error: message.error ?? 'unknown error' };
              outcomes[message.id] = outcome;
              try {
                onDone?.(outcome);
              } catch (err) {
                reject(err); // the caller could not take the result (e.g. its database failed): stop
                return;
              }
              feed();
            });
            worker.on('error', reject);
            worker.on(
              'exit',
              (code) => code !== 0 && reject(new Error(`episode worker exited with code ${code}`)),
            );
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return outcomes;
}
