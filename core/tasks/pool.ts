// A pool of worker threads (one MuJoCo module each) that run episodes: a whole episode with the
// scripted solver or no program, the start state of an episode (for prompting a model), or an
// episode with a given program (a model's). Requests queue until a worker is free.
import { Worker } from 'node:worker_threads';
import type { ArmName } from '../sim/scene.ts';
import type { SceneState } from '../sim/scene-state.ts';
import type { EpisodeResult } from './episode.ts';
import type { RunnableProgram } from '../planner/attempt.ts';

export interface EpisodeJob {
  id: number;
  taskId: string;
  seed: number;
  arm?: ArmName;
  solver?: 'scripted' | 'none';
  /** Which of several samples of the same scene this is (data generation). */
  sample?: number;
  /** Only build the scene and return the instruction and initial state. */
  prepare?: boolean;
  /** Run this program instead of a solver (Python runs in the worker's own sandbox runner). */
  program?: RunnableProgram;
}

export type JobOutcome = { job: EpisodeJob; result: EpisodeResult } | { job: EpisodeJob; error: string };
export interface WorkerReply {
  id: number;
  result?: EpisodeResult;
  prepared?: { instruction: string; state: SceneState };
  error?: string;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./episode-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

/** A worker running the episode worker; from TypeScript sources (tsx, vitest) it registers tsx first. */
function startWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(boot, { eval: true });
}

export class EpisodeWorkers {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[];
  private readonly queue: {
    job: EpisodeJob;
    resolve: (r: WorkerReply) => void;
    reject: (e: Error) => void;
  }[] = [];
  private readonly pending = new Map<
    Worker,
    { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;

  constructor(size: number) {
    this.all = Array.from({ length: Math.max(1, size) }, () => {
      const worker = startWorker();
      worker.on('message', (reply: WorkerReply) => {
        const waiting = this.pending.get(worker);
        this.pending.delete(worker);
        this.idle.push(worker);
        waiting?.resolve(reply);
        this.dispatch();
      });
      worker.on('error', (err) => this.fail(worker, err));
      worker.on(
        'exit',
        (code) => code !== 0 && this.fail(worker, new Error(`episode worker exited with code ${code}`)),
      );
      return worker;
    });
    this.idle.push(...this.all);
  }

  request(job: Omit<EpisodeJob, 'id'>): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop()!;
      const { job, resolve, reject } = this.queue.shift()!;
      this.pending.set(worker, { resolve, reject });
      worker.postMessage(job);
    }
  }

  private fail(worker: Worker, err: Error): void {
    this.pending.get(worker)?.reject(err);
    this.pending.delete(worker);
  }
}

/** Run every job on `workers` threads; results come back in job order. */
export async function runEpisodesInWorkers(
  jobs: Omit<EpisodeJob, 'id'>[],
  workers: number,
  onDone?: (outcome: JobOutcome) => void,
  signal?: AbortSignal,
): Promise<JobOutcome[]> {
  const pool = new EpisodeWorkers(Math.min(workers, Math.max(jobs.length, 1)));
  const outcomes: JobOutcome[] = new Array(jobs.length);
  let next = 0;
  try {
    // As many feeders as workers: each takes the next job when its previous one is done.
    await Promise.all(
      Array.from({ length: Math.min(workers, jobs.length) }, async () => {
        while (next < jobs.length && !signal?.aborted) {
          const index = next++;
          const job = { ...jobs[index], id: index };
          const reply = await pool.request(jobs[index]);
          const outcome: JobOutcome = reply.result
            ? { job, result: reply.result }
            : { job, error: reply.error ?? 'unknown error' };
          outcomes[index] = outcome;
          onDone?.(outcome); // an error here (the caller could not take the result) ends the run
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return outcomes;
}
