// Worker threads that hold episodes: each worker owns its own MuJoCo module (and, for Python
// programs, its own sandbox runner), so episodes build and run truly in parallel. An episode is
// opened on one worker (its scene built once there) and handed out as an EpisodeRunner: the
// instruction and state come back at once, the program runs later on the same worker.
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker-thread.ts';
import type { EpisodeRunner, RunSpec } from '../planner/solve.ts';
import type { ArmName, EpisodeResult, SceneState } from '../../api/types.ts';

/** Messages to a worker. */
export type WorkerRequest =
  | { id: number; op: 'open'; session: number; taskId: string; seed: number; arm?: ArmName }
  | { id: number; op: 'run'; session: number; what: RunSpec }
  | { id: number; op: 'close'; session: number };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** A worker's answer to one request. */
export interface WorkerReply {
  id: number;
  opened?: { instruction: string; state: SceneState; arm: ArmName };
  result?: EpisodeResult;
  error?: string;
  /** Scenes this worker has built so far. */
  scenesBuilt: number;
}

const startWorker = (): Worker => startModuleWorker(new URL('./episode-worker.ts', import.meta.url));

export class WorkerError extends Error {}

interface Slot {
  worker: Worker;
  waiting: Map<number, { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void }>;
  sessions: number;
  scenesBuilt: number;
  dead?: Error;
}

/** An episode opened on a worker; close it if it will never run. */
export interface WorkerEpisode extends EpisodeRunner {
  close(): void;
}

export class EpisodeWorkers {
  private readonly slots: Slot[];
  private nextId = 0;
  private nextSession = 0;

  constructor(size: number) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => this.startSlot());
  }

  /** Open a task's episode on the least busy worker (or the one named, for tests of determinism). */
  async open(
    taskId: string,
    seed: number,
    options: { arm?: ArmName; worker?: number } = {},
  ): Promise<WorkerEpisode> {
    const slot =
      options.worker !== undefined
        ? this.slots[options.worker % this.slots.length]
        : this.slots.filter((s) => !s.dead).sort((a, b) => a.sessions - b.sessions)[0];
    if (!slot || slot.dead)
      throw new WorkerError(`no episode worker is alive (${slot?.dead?.message ?? 'none'})`);
    const session = this.nextSession++;
    slot.sessions++;
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      slot.sessions--;
      if (!slot.dead) void this.request(slot, { op: 'close', session }).catch(() => {});
    };
    let opened: NonNullable<WorkerReply['opened']>;
    try {
      const reply = await this.request(slot, { op: 'open', session, taskId, seed, arm: options.arm });
      opened = reply.opened!;
    } catch (err) {
      close();
      throw err;
    }
    return {
      instruction: opened.instruction,
      initialState: opened.state,
      arm: opened.arm,
      close,
      run: async (what): Promise<EpisodeResult> => {
        try {
          return (await this.request(slot, { op: 'run', session, what })).result!;
        } finally {
          if (open) {
            open = false; // the worker closes a session once it has run
            slot.sessions--;
          }
        }
      },
    };
  }

  /** Scenes built on every worker so far. */
  scenesBuilt(): number {
    return this.slots.reduce((sum, s) => sum + s.scenesBuilt, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private startSlot(): Slot {
    const slot: Slot = { worker: startWorker(), waiting: new Map(), sessions: 0, scenesBuilt: 0 };
    slot.worker.on('message', (reply: WorkerReply) => {
      slot.scenesBuilt = Math.max(slot.scenesBuilt, reply.scenesBuilt);
      const waiting = slot.waiting.get(reply.id);
      slot.waiting.delete(reply.id);
      if (!waiting) return;
      if (reply.error !== undefined) waiting.reject(new WorkerError(reply.error));
      else waiting.resolve(reply);
    });
    const die = (err: Error): void => {
      slot.dead ??= err;
      for (const { reject } of slot.waiting.values()) reject(err);
      slot.waiting.clear();
    };
    slot.worker.on('error', (err) => die(new WorkerError(`an episode worker failed: ${err.message}`)));
    slot.worker.on('exit', (code) => die(new WorkerError(`an episode worker exited with code ${code}`)));
    return slot;
  }

  private request(slot: Slot, request: WithoutId<WorkerRequest>): Promise<WorkerReply> {
    if (slot.dead) return Promise.reject(slot.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ ...request, id });
    });
  }
}

/** A scripted or do-nothing episode to run on the workers. */
export interface EpisodeJob {
  taskId: string;
  seed: number;
  arm?: ArmName;
  solver?: 'scripted' | 'none';
  /** Run on this worker (tests of determinism across MuJoCo modules). */
  worker?: number;
}

export type JobOutcome = { job: EpisodeJob; result: EpisodeResult } | { job: EpisodeJob; error: string };

/** Run every job on `workers` threads; results come back in job order. */
export async function runInWorkers(jobs: EpisodeJob[], workers: number): Promise<JobOutcome[]> {
  const pool = new EpisodeWorkers(Math.min(workers, Math.max(jobs.length, 1)));
  const outcomes: JobOutcome[] = new Array(jobs.length);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(workers, jobs.length) }, async () => {
        while (next < jobs.length) {
          const index = next++;
          const job = jobs[index];
          try {
            const episode = await pool.open(job.taskId, job.seed, { arm: job.arm, worker: job.worker });
            outcomes[index] = { job, result: await episode.run({ kind: job.solver ?? 'scripted' }) };
          } catch (err) {
            outcomes[index] = { job, error: (err as Error).message };
          }
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return outcomes;
}
