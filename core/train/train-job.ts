// A training job: one training set, one trainer, one base model, recorded in the dataset from start
// to end (status, hyper-parameters, the loss curve as it comes, the error), with its files in a
// folder of its own. What it makes is registered where every model picker finds it: an adapter in
// the adapter registry (built-in and command trainers) or an endpoint in the model registry (a
// remote fine-tuning API). A job whose process died is marked 'interrupted' the next time jobs are listed.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { labHome } from '../paths.ts';
import { openDataset, datasetPath, type Db } from '../dataset/open-dataset.ts';
import { ModelRegistry } from '../llm/model-registry.ts';
import { AdapterRegistry } from '../llm/adapter-registry.ts';
import { showTrainingSet, writeTrainingFiles } from './training-set.ts';
import { TrainCancelled, TrainError } from './errors.ts';
import { BuiltinTrainer } from './builtin-trainer.ts';
import { CommandTrainer } from './command-trainer.ts';
import { OpenAITrainer, readRemoteJob } from './openai-trainer.ts';
import type { Hyperparameters, Trainer, TrainerKind, TrainOutcome } from './types.ts';
import type { TrainJobStatus, TrainJobSummary, TrainProgress } from '../../api/types.ts';

export interface TrainJobOptions {
  db: string;
  trainingSet: string;
  trainer: TrainerKind;
  /** A registered local model or GGUF path (builtin, command); a remote model id (openai). */
  base: string;
  /** The name the result is registered under; default <set>-<job id>. */
  name?: string;
  hyper: Hyperparameters;
  /** What a command trains, when not the GGUF (a Hugging Face folder or id); the adapter is still checked against the GGUF. */
  trainerBase?: string;
  /** The command trainer's argv. */
  command?: string[];
  /** The OpenAI-compatible fine-tuning API (openai). */
  baseURL?: string;
  apiKey?: string;
  /** Seconds between polls of a remote job. */
  pollSeconds?: number;
  onStart?: (jobId: number) => void;
  onProgress?: (jobId: number, progress: TrainProgress) => void;
  signal?: AbortSignal;
  /** Put before the default adapter name (a class's students each get their own: ada-mine-1, bo-mine-1). */
  namePrefix?: string;
}

/** The loss curve is written to the job row at most this often (every step would flood SQLite). */
const LOSS_WRITE_INTERVAL_MS = 1000;

export async function runTrainJob(options: TrainJobOptions): Promise<TrainJobSummary> {
  const db = openDataset(options.db, { create: false });
  try {
    const set = showTrainingSet(db, options.trainingSet);
    const basePath = options.trainer === 'openai' ? undefined : localBase(options.base);
    const trainer = trainerFor(options);
    const name = options.name;
    const jobId = startJob(db, set.id, options);
    const outDir = join(labHome(), 'training', `${jobFolderPrefix(db)}-job-${jobId}`);
    mkdirSync(outDir, { recursive: true });
    db.prepare('UPDATE train_jobs SET out_dir = ? WHERE id = ?').run(outDir, jobId);
    options.onStart?.(jobId);

    const losses: [number, number, number | null][] = [];
    let lastValid: number | undefined;
    let lastWrite = 0;
    const saveLosses = (): void => {
      db.prepare('UPDATE train_jobs SET losses = ? WHERE id = ?').run(JSON.stringify(losses), jobId);
      lastWrite = Date.now();
    };
    try {
      const files = await writeTrainingFiles(db, set.name, outDir);
      const outcome = await trainer.train({
        method: set.method,
        trainFile: files.train,
        ...(files.validation ? { validationFile: files.validation } : {}),
        baseModel: options.trainerBase ?? basePath ?? options.base,
        outDir,
        hyper: options.hyper,
        signal: options.signal,
        onProgress: (progress) => {
          // Progress repeats the latest validation loss on every step; the curve keeps it once, at
          // the step it was measured (a repeated step brings one measured at the end of an epoch).
          const last = losses.at(-1);
          const valid =
            progress.validLoss !== undefined && progress.validLoss !== lastValid ? progress.validLoss : null;
          if (valid !== null) lastValid = valid;
          if (last && progress.step === last[0]) last[2] = valid ?? last[2];
          else if (Number.isFinite(progress.loss) && progress.step > (last?.[0] ?? 0))
            losses.push([progress.step, progress.loss, valid]);
          if (Date.now() - lastWrite > LOSS_WRITE_INTERVAL_MS) saveLosses();
          options.onProgress?.(jobId, progress);
        },
      });
      saveLosses();
      await recordRemoteJob(db, jobId, outDir);
      const made = await register(outcome, {
        name: name ?? `${options.namePrefix ?? ''}${set.name}-${jobId}`,
        basePath,
        jobId,
        trainingSet: set.name,
        trainer: options.trainer,
      });
      finishJob(db, jobId, 'succeeded', { adapter: made });
    } catch (err) {
      saveLosses();
      await recordRemoteJob(db, jobId, outDir);
      const cancelled = err instanceof TrainCancelled || options.signal?.aborted;
      finishJob(db, jobId, cancelled ? 'cancelled' : 'failed', { error: (err as Error).message });
      throw cancelled && !(err instanceof TrainCancelled) ? new TrainCancelled() : err;
    }
    return showTrainJob(db, jobId);
  } finally {
    db.close();
  }
}

function localBase(spec: string): string {
  const ref = new ModelRegistry().lookup(spec);
  if (ref.kind !== 'file')
    throw new TrainError(
      `'${spec}' is an endpoint: local trainers need a GGUF model (fine-tune an endpoint's model with --trainer openai)`,
    );
  return ref.path;
}

function trainerFor(options: TrainJobOptions): Trainer {
  switch (options.trainer) {
    case 'builtin':
      return new BuiltinTrainer();
    case 'command':
      if (!options.command?.length)
        throw new TrainError(
          'the command trainer needs its command (--command "python3 scripts/train_lora_peft.py")',
        );
      return new CommandTrainer({ command: options.command });
    case 'openai':
      if (!options.baseURL)
        throw new TrainError(
          'the openai trainer needs the fine-tuning API base URL (--base-url http://host:port/v1)',
        );
      return new OpenAITrainer({
        baseURL: options.baseURL,
        apiKey: options.apiKey,
        pollSeconds: options.pollSeconds,
      });
  }
}

/** Put what a job made where model pickers find it; returns the name it is known by. */
async function register(
  outcome: TrainOutcome,
  job: { name: string; basePath?: string; jobId: number; trainingSet: string; trainer: TrainerKind },
): Promise<string> {
  if (outcome.kind === 'remote-model') {
    new ModelRegistry().addEndpoint(job.name, `openai:${outcome.modelId}@${outcome.baseURL}`);
    return job.name;
  }
  const entry = await new AdapterRegistry().importAdapter({
    from: outcome.path,
    base: job.basePath!,
    name: job.name,
    source: job.trainer === 'builtin' ? 'builtin' : 'command',
    trainJob: job.jobId,
    trainingSet: job.trainingSet,
  });
  return entry.name;
}

/** A remote job's id, so a job cut short here can be followed again (or looked up on the provider's side). */
async function recordRemoteJob(db: Db, jobId: number, outDir: string): Promise<void> {
  const remote = await readRemoteJob(outDir);
  if (remote) db.prepare('UPDATE train_jobs SET remote_job = ? WHERE id = ?').run(remote.jobId, jobId);
}

function startJob(db: Db, setId: number, options: TrainJobOptions): number {
  return Number(
    db
      .prepare(
        `INSERT INTO train_jobs (set_id, trainer, base_model, hyper, status, out_dir, pid, host, started_at)
         VALUES (?, ?, ?, ?, 'running', '', ?, ?, ?)`,
      )
      .run(
        setId,
        options.trainer,
        options.base,
        JSON.stringify(options.hyper),
        process.pid,
        hostname(),
        Date.now(),
      ).lastInsertRowid,
  );
}

function finishJob(
  db: Db,
  jobId: number,
  status: TrainJobStatus,
  result: { adapter?: string; error?: string },
): void {
  db.prepare('UPDATE train_jobs SET status = ?, adapter = ?, error = ?, ended_at = ? WHERE id = ?').run(
    status,
    result.adapter ?? null,
    result.error ?? null,
    Date.now(),
    jobId,
  );
}

interface JobRow {
  id: number;
  set_name: string;
  trainer: TrainerKind;
  base_model: string;
  hyper: string;
  status: TrainJobStatus;
  out_dir: string;
  adapter: string | null;
  remote_job: string | null;
  losses: string;
  error: string | null;
  pid: number | null;
  host: string | null;
  started_at: number;
  ended_at: number | null;
}

const JOB_QUERY = `SELECT j.*, s.name AS set_name FROM train_jobs j JOIN training_sets s ON s.id = j.set_id`;

export function showTrainJob(db: Db, jobId: number): TrainJobSummary {
  const row = db.prepare(`${JOB_QUERY} WHERE j.id = ?`).get(jobId) as JobRow | undefined;
  if (!row) throw new TrainError(`${datasetPath(db)} has no training job ${jobId}`);
  return summary(row);
}

/** Every job, newest last; a job still 'running' whose process is gone is marked 'interrupted'. */
export function listTrainJobs(db: Db): TrainJobSummary[] {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'train_jobs'").get()) return []; // older than schema 7
  const rows = db.prepare(`${JOB_QUERY} ORDER BY j.id`).all() as JobRow[];
  for (const row of rows)
    if (row.status === 'running' && row.host === hostname() && row.pid !== null && !alive(row.pid)) {
      if (!db.readonly)
        db.prepare(
          "UPDATE train_jobs SET status = 'interrupted', ended_at = ? WHERE id = ? AND status = 'running'",
        ).run(Date.now(), row.id);
      row.status = 'interrupted';
    }
  return rows.map(summary);
}

function summary(row: JobRow): TrainJobSummary {
  return {
    id: row.id,
    trainingSet: row.set_name,
    trainer: row.trainer,
    baseModel: row.base_model,
    hyper: JSON.parse(row.hyper) as Record<string, unknown>,
    status: row.status,
    outDir: row.out_dir,
    ...(row.adapter ? { adapter: row.adapter } : {}),
    ...(row.remote_job ? { remoteJob: row.remote_job } : {}),
    losses: JSON.parse(row.losses) as [number, number, number | null][],
    ...(row.error ? { error: row.error } : {}),
    startedAt: row.started_at,
    ...(row.ended_at ? { endedAt: row.ended_at } : {}),
  };
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The dataset's name and a hash of its full path: two datasets named lab.sqlite never share job folders. */
function jobFolderPrefix(db: Db): string {
  const path = resolve(datasetPath(db));
  const name = path
    .split(/[\\/]/)
    .at(-1)!
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '_');
  return `${name || 'dataset'}-${createHash('sha256').update(path).digest('hex').slice(0, 8)}`;
}
