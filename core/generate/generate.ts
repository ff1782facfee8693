// A zero-shot data generation run: for each task, scene seed and sample, a teacher (the scripted
// solver or an LLM) attempts the task in simulation and the verified result is stored. Rerunning
// the same configuration resumes: episodes already stored are skipped, none is stored twice.
// Everything a run could trip on (tasks, teacher, sizes) is checked before any file is touched.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadTasks } from '../tasks/registry.ts';
import type { TaskDefinition } from '../tasks/types.ts';
import { EpisodeWorkers } from './workers.ts';
import { openDataset } from '../dataset/open-dataset.ts';
import { EpisodeStore, type EpisodeRecord } from '../dataset/episode-store.ts';
import { openModel } from '../llm/open-model.ts';
import type { ChatModel } from '../llm/types.ts';
import { solve, type SolverSpec } from '../planner/solve.ts';
import { referenceModel } from '../planner/reference-model.ts';
import { PROMPT_TEMPLATE_VERSION, promptTemplate } from '../planner/prompt.ts';
import { projectRoot } from '../paths.ts';
import { LabError } from '../errors.ts';
import type {
  ArmName,
  Attempt,
  EpisodeResult,
  GenerationProgress,
  GenerationSummary,
  ProgramFormat,
} from '../../api/types.ts';

export interface GenerateOptions {
  db: string;
  /** Task ids, or 'train' / 'all' (every train task: held-out tasks are never used for data). */
  tasks: string[] | 'train' | 'all';
  /** 'scripted' or a model: a registered name, a GGUF path, or openai:MODEL@URL. */
  teacher: string;
  /** A LoRA adapter for a local model teacher: a registered adapter name or a GGUF file. */
  adapter?: string;
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

/** More episodes than this in one run is a typo, not a plan: split the work with --first-scene. */
export const MAX_EPISODES_PER_RUN = 1_000_000;

/** Scene seeds from here on are kept for evaluation: generation never uses them. */
export const EVAL_FIRST_SEED = 1_000_000_000;

export class GenerateError extends LabError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

interface Job {
  task: TaskDefinition;
  arm: ArmName;
  seed: number;
  sample: number;
}

export async function generate(options: GenerateOptions): Promise<GenerationSummary> {
  const tasks = await chooseTasks(options.tasks);
  const firstScene = options.firstScene ?? 0;
  const total = tasks.length * options.scenes * options.samples;
  if (!(Number.isSafeInteger(options.scenes) && options.scenes > 0))
    throw new GenerateError('--scenes must be a positive integer');
  if (!(Number.isSafeInteger(options.samples) && options.samples > 0))
    throw new GenerateError('--samples must be a positive integer');
  if (
    !Number.isSafeInteger(firstScene) ||
    firstScene < 0 ||
    !Number.isSafeInteger(firstScene + options.scenes)
  )
    throw new GenerateError('--first-scene must be a non-negative integer');
  if (firstScene + options.scenes > EVAL_FIRST_SEED)
    throw new GenerateError(
      `scene seeds from ${EVAL_FIRST_SEED.toLocaleString('en-US')} on are kept for evaluation (lab eval): --first-scene plus --scenes must stay below`,
    );
  if (total > MAX_EPISODES_PER_RUN)
    throw new GenerateError(
      `${tasks.length} tasks x ${options.scenes} scenes x ${options.samples} samples is ${total.toLocaleString('en-US')} episodes; ` +
        `one run takes at most ${MAX_EPISODES_PER_RUN.toLocaleString('en-US')} (split the scenes over runs with --first-scene)`,
    );
  const format = options.format ?? 'code';
  const scripted = options.teacher === 'scripted';
  // The teacher is opened before the dataset: a wrong name or an unreachable file leaves no file behind.
  const model = scripted
    ? undefined
    : await openModel(options.teacher, { threads: options.threads, adapter: options.adapter });
  try {
    return await runEpisodes(options, tasks, model, { firstScene, total, format, purpose: 'generate' });
  } finally {
    await model?.dispose();
  }
}

export interface EpisodePlan {
  firstScene: number;
  total: number;
  format: ProgramFormat;
  /** 'eval' runs measure a model on evaluation seeds; their episodes never become training data. */
  purpose: 'generate' | 'eval';
}

/** Attempt every (task, scene, sample) not yet stored in the run with this configuration, and store it. */
export async function runEpisodes(
  options: GenerateOptions,
  tasks: TaskDefinition[],
  model: ChatModel | undefined,
  plan: EpisodePlan,
): Promise<GenerationSummary> {
  const config = {
    ...(plan.purpose === 'eval' ? { purpose: 'eval' } : {}),
    tasks: tasks.map((t) => t.id),
    teacher: options.teacher,
    ...(options.adapter ? { adapter: options.adapter } : {}),
    scenes: options.scenes,
    firstScene: plan.firstScene,
    samples: options.samples,
    temperature: options.temperature ?? null,
    format: model ? plan.format : null,
  };
  const db = openDataset(options.db);
  const store = new EpisodeStore(db);
  const workers = new EpisodeWorkers(options.workers ?? 1);
  let runId: number | undefined;
  try {
    runId = store.startRun({
      key: createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 32),
      config,
      teacher: options.teacher,
      codeVersion: codeVersion(),
      templateVersion: PROMPT_TEMPLATE_VERSION,
      purpose: plan.purpose,
    });
    const run = runId;
    const already = store.countInRun(run);
    const resumed = [...already.values()].reduce((a, b) => a + b, 0);
    const progress: GenerationProgress = {
      done: resumed,
      total: plan.total,
      resumed,
      successes: 0,
      perMinute: 0,
      etaSeconds: 0,
      tasks: Object.fromEntries(
        tasks.map((t) => [
          t.id,
          { done: already.get(t.id) ?? 0, total: options.scenes * options.samples, successes: 0 },
        ]),
      ),
    };
    const started = performance.now();
    const report = (): void => options.onProgress?.({ ...progress, tasks: structuredClone(progress.tasks) });
    const record = (entry: EpisodeRecord): void => {
      const perTask = progress.tasks[entry.task];
      if (store.addEpisode(run, entry)) {
        progress.done++;
        perTask.done++;
      }
      if (entry.success) {
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

    const about = model?.describe();
    if (about) store.recordModel(about);
    const concurrency = model
      ? (options.concurrency ?? (about!.kind === 'openai' ? 4 : 2))
      : (options.workers ?? 1);
    const todo = pendingJobs(tasks, options.scenes, options.samples, plan.firstScene, (job) =>
      store.hasEpisode(run, job.task.id, job.arm, job.seed, job.sample),
    );
    // `concurrency` feeders each take the next job when their last one is stored.
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let next = todo.next(); !next.done && !options.signal?.aborted; next = todo.next()) {
          const job = next.value;
          const solver: SolverSpec = model
            ? {
                kind: 'model',
                model,
                format: plan.format,
                sampling: {
                  temperature: options.temperature ?? 0.7,
                  maxTokens: promptTemplate().maxAnswerTokens,
                  seed: sampleSeed(job),
                },
              }
            : job.task.reference !== undefined
              ? // The scripted teacher gives its reference answer, which runs like a model's.
                { kind: 'model', model: referenceModel(job.task), format: 'code' }
              : { kind: 'scripted' };
          const episode = await workers.open(job.task.id, job.seed, { arm: job.arm });
          let solved;
          try {
            solved = await solve(episode, solver, { signal: options.signal });
          } finally {
            episode.close();
          }
          if (options.signal?.aborted && solved.attempt?.generation.finishReason === 'abort') return; // cut short: not data
          record(
            solved.attempt
              ? fromAttempt(job, solved.attempt, solved.result)
              : fromEpisode(job, solved.result),
          );
        }
      }),
    );
    const stopped = progress.done < progress.total;
    store.finishRun(run, stopped ? 'stopped' : 'done');
    return { ...progress, runId: run, stopped, scenesBuilt: workers.scenesBuilt() };
  } catch (err) {
    if (runId !== undefined) store.finishRun(runId, 'stopped');
    throw err;
  } finally {
    await workers.close();
    db.close();
  }
}

/** The run's episodes not yet stored, in order, one at a time: a large run never sits in memory. */
function* pendingJobs(
  tasks: TaskDefinition[],
  scenes: number,
  samples: number,
  firstScene: number,
  stored: (job: Job) => boolean,
): Generator<Job> {
  for (const task of tasks)
    for (let seed = firstScene; seed < firstScene + scenes; seed++)
      for (let sample = 0; sample < samples; sample++) {
        const job = { task, arm: task.arms[0], seed, sample };
        if (!stored(job)) yield job;
      }
}

async function chooseTasks(selection: GenerateOptions['tasks']): Promise<TaskDefinition[]> {
  const tasks = await loadTasks();
  if (selection === 'train' || selection === 'all') return tasks.filter((t) => t.split === 'train');
  return [...new Set(selection)].map((id) => {
    const task = tasks.find((t) => t.id === id);
    if (!task) throw new GenerateError(`no task '${id}' (see lab tasks)`);
    if (task.split === 'heldout')
      throw new GenerateError(
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

function fromAttempt(job: Job, a: Attempt, r: EpisodeResult): EpisodeRecord {
  return {
    ...identity(job),
    instruction: a.instruction,
    scene: r.initialState,
    prompt: a.prompt,
    answer: a.answer,
    format: a.format,
    program: a.program,
    trace: r.trace,
    success: a.success,
    failureKind: a.failure?.kind,
    failure: a.failure
      ? `${a.failure.message}${a.failure.line ? ` (line ${a.failure.line})` : ''}`
      : undefined,
    reason: r.reason,
    model: a.model.id,
    sampling: a.sampling,
    tokens: a.generation.tokens,
    simSeconds: r.simSeconds,
    wallSeconds: r.wallSeconds,
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
