// A zero-shot data generation run: for each task, scene seed and sample, a teacher (the scripted
// solver or an LLM) attempts the task in simulation and the verified result is stored. Rerunning
// the same configuration resumes: episodes already stored are skipped, none is stored twice.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadTasks } from '../tasks/registry.ts';
import type { TaskDefinition } from '../tasks/types.ts';
import { EpisodeWorkers, runEpisodesInWorkers } from '../tasks/pool.ts';
import type { EpisodeResult } from '../tasks/episode.ts';
import type { ArmName } from '../sim/scene.ts';
import { openDataset, DatasetError } from '../dataset/open-dataset.ts';
import { EpisodeStore, episodeKey, type EpisodeRecord } from '../dataset/episode-store.ts';
import { openModel } from '../llm/open-model.ts';
import { askForProgram, attemptRecord, type Attempt } from '../planner/attempt.ts';
import { PROMPT_TEMPLATE_VERSION, type ProgramFormat } from '../planner/prompt.ts';
import { projectRoot } from '../paths.ts';

export interface GenerateOptions {
  db: string;
  /** Task ids, or 'train' / 'all' (every train task: held-out tasks are never used for data). */
  tasks: string[] | 'train' | 'all';
  /** 'scripted' or a model: a registered name, a GGUF path, or openai:MODEL@URL. */
  teacher: string;
  scenes: number;
  /** The first scene seed (default 0): machines sharing the work take different ranges. */
  firstScene?: number;
  samples: number;
  temperature?: number;
  format?: ProgramFormat;
  workers?: number;
  /** Episodes in flight with a model teacher (default 4 for a remote one, 2 for a local one). */
  concurrency?: number;
  threads?: number;
  onProgress?: (progress: GenerationProgress) => void;
  signal?: AbortSignal;
}

export interface GenerationProgress {
  done: number;
  total: number;
  /** Episodes already in the database when the run (re)started. */
  resumed: number;
  successes: number;
  /** Episodes per minute in this session. */
  perMinute: number;
  etaSeconds: number;
  /** The same counts per task (successes: this session's). */
  tasks: Record<string, { done: number; total: number; successes: number }>;
}

export interface GenerationSummary extends GenerationProgress {
  runId: number;
  stopped: boolean;
}

interface Job {
  task: TaskDefinition;
  arm: ArmName;
  seed: number;
  sample: number;
}

export async function generate(options: GenerateOptions): Promise<GenerationSummary> {
  if (!(Number.isInteger(options.scenes) && options.scenes > 0))
    throw new DatasetError('bad-input', '--scenes must be a positive integer');
  if (!(Number.isInteger(options.samples) && options.samples > 0))
    throw new DatasetError('bad-input', '--samples must be a positive integer');
  const tasks = await chooseTasks(options.tasks);
  const format = options.format ?? 'code';
  const config = {
    tasks: tasks.map((t) => t.id),
    teacher: options.teacher,
    scenes: options.scenes,
    firstScene: options.firstScene ?? 0,
    samples: options.samples,
    temperature: options.temperature ?? null,
    format: options.teacher === 'scripted' ? null : format,
  };
  const db = openDataset(options.db);
  const store = new EpisodeStore(db);
  try {
    const runId = store.startRun({
      key: createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 32),
      config,
      teacher: options.teacher,
      codeVersion: codeVersion(),
      templateVersion: options.teacher === 'scripted' ? undefined : PROMPT_TEMPLATE_VERSION,
    });
    const done = store.doneInRun(runId);
    const all: Job[] = tasks.flatMap((task) =>
      Array.from({ length: options.scenes }, (_, seed) =>
        Array.from({ length: options.samples }, (_, sample) => ({ task, arm: task.arms[0], seed, sample })),
      ).flat(),
    );
    const todo = all.filter((j) => !done.has(episodeKey(j.task.id, j.arm, j.seed, j.sample)));
    const started = performance.now();
    const progress: GenerationProgress = {
      done: all.length - todo.length,
      total: all.length,
      resumed: all.length - todo.length,
      successes: 0,
      perMinute: 0,
      etaSeconds: 0,
      tasks: Object.fromEntries(tasks.map((t) => [t.id, { done: 0, total: 0, successes: 0 }])),
    };
    const pending = new Set(todo);
    for (const job of all) {
      progress.tasks[job.task.id].total++;
      if (!pending.has(job)) progress.tasks[job.task.id].done++;
    }
    const report = (): void => options.onProgress?.({ ...progress, tasks: structuredClone(progress.tasks) });
    const record = (record: EpisodeRecord): void => {
      const perTask = progress.tasks[record.task];
      if (store.addEpisode(runId, record)) {
        progress.done++;
        perTask.done++;
      }
      if (record.success) {
        progress.successes++;
        perTask.successes++;
      }
      const minutes = (performance.now() - started) / 60000;
      progress.perMinute = (progress.done - progress.resumed) / Math.max(minutes, 1e-9);
      progress.etaSeconds =
        progress.perMinute > 0 ? (60 * (progress.total - progress.done)) / progress.perMinute : 0;
      report();
    };
    report();

    if (options.teacher === 'scripted') {
      await runEpisodesInWorkers(
        todo.map((j) => ({
          taskId: j.task.id,
          seed: j.seed,
          arm: j.arm,
          solver: 'scripted' as const,
          sample: j.sample,
        })),
        options.workers ?? 1,
        (outcome) => {
          if ('error' in outcome)
            throw new Error(`${outcome.job.taskId} seed ${outcome.job.seed}: ${outcome.error}`);
          const { taskId, seed, sample } = outcome.job;
          const job = todo.find((j) => j.task.id === taskId && j.seed === seed && j.sample === sample)!;
          record(fromEpisode(job, outcome.result));
        },
        options.signal,
      );
    } else {
      // One model in this thread, shared by every episode; scenes and programs run on the worker
      // threads. Up to `concurrency` episodes are in flight, so simulation overlaps generation and a
      // remote teacher gets several requests at once.
      const model = await openModel(options.teacher, { threads: options.threads });
      const pool = new EpisodeWorkers(options.workers ?? 1);
      const about = { format, model: model.describe() };
      store.recordModel(about.model);
      let next = 0;
      try {
        const concurrency = options.concurrency ?? (model.describe().kind === 'openai' ? 4 : 2);
        await Promise.all(
          Array.from({ length: Math.min(concurrency, todo.length) }, async () => {
            while (next < todo.length && !options.signal?.aborted) {
              const job = todo[next++];
              const where = { taskId: job.task.id, seed: job.seed, arm: job.arm };
              const start = await pool.request({ ...where, prepare: true });
              if (!start.prepared) throw new Error(`${job.task.id} seed ${job.seed}: ${start.error}`);
              const sampling = {
                temperature: options.temperature ?? 0.7,
                maxTokens: 1024,
                seed: sampleSeed(job),
              };
              const asked = await askForProgram(start.prepared.instruction, start.prepared.state, {
                model,
                format,
                sampling,
                signal: options.signal,
              });
              const ran = await pool.request(
                asked.program ? { ...where, program: asked.program } : { ...where, solver: 'none' },
              );
              if (!ran.result) throw new Error(`${job.task.id} seed ${job.seed}: ${ran.error}`);
              record(fromAttempt(job, attemptRecord(ran.result, asked, { ...about, sampling })));
            }
          }),
        );
      } finally {
        await pool.close();
        await model.dispose();
      }
    }
    const stopped = progress.done < progress.total;
    store.finishRun(runId, stopped ? 'stopped' : 'done');
    return { ...progress, runId, stopped };
  } finally {
    db.close();
  }
}

async function chooseTasks(selection: GenerateOptions['tasks']): Promise<TaskDefinition[]> {
  const tasks = await loadTasks();
  if (selection === 'train' || selection === 'all') return tasks.filter((t) => t.split === 'train');
  return selection.map((id) => {
    const task = tasks.find((t) => t.id === id);
    if (!task) throw new DatasetError('bad-input', `no task '${id}'`);
    if (task.split === 'heldout')
      throw new DatasetError(
        'bad-input',
        `task '${id}' is held out: it is for evaluation only, never for data generation`,
      );
    return task;
  });
}

/** The fields that say which attempt a record is. */
function identity(job: Job): Pick<EpisodeRecord, 'task' | 'split' | 'arm' | 'seed' | 'sample'> {
  return { task: job.task.id, split: job.task.split, arm: job.arm, seed: job.seed, sample: job.sample };
}

function fromEpisode(job: Job, r: EpisodeResult): EpisodeRecord {
  return {
    ...identity(job),
    instruction: r.instruction,
    scene: r.initialState,
    format: 'scripted',
    trace: r.trace,
    success: r.success,
    ...(r.success ? {} : { failureKind: 'task-failed', failure: r.reason }),
    reason: r.reason,
    model: 'scripted',
    simSeconds: r.simSeconds,
    wallSeconds: r.wallSeconds,
  };
}

function fromAttempt(job: Job, a: Attempt): EpisodeRecord {
  return {
    ...identity(job),
    instruction: a.instruction,
    scene: a.episode.initialState,
    prompt: a.prompt,
    answer: a.answer,
    format: a.format,
    program: a.program,
    trace: a.episode.trace,
    success: a.success,
    failureKind: a.failure?.kind,
    failure: a.failure
      ? `${a.failure.message}${a.failure.line ? ` (line ${a.failure.line})` : ''}`
      : undefined,
    reason: a.episode.reason,
    model: a.model.id,
    sampling: a.sampling,
    tokens: a.generation.tokens,
    simSeconds: a.episode.simSeconds,
    wallSeconds: a.episode.wallSeconds,
  };
}

/** A different but reproducible sampling seed for every (task, scene, sample). */
function sampleSeed(job: Job): number {
  return createHash('sha256').update(`${job.task.id}/${job.seed}/${job.sample}`).digest().readUInt32LE(0);
}

function codeVersion(): string {
  try {
    return (JSON.parse(readFileSync(`${projectRoot}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
