// Evaluation: a model (with or without an adapter) attempts tasks on fixed evaluation seeds that
// generation never uses, and the run is stored like a generation run but marked 'eval', so its
// episodes are browsable and never become training data. The same machinery as generation runs it:
// scenes are prepared and programs verified on worker threads while the model generates.
import { loadTasks } from '../tasks/registry.ts';
import type { TaskDefinition } from '../tasks/types.ts';
import { openModel } from '../llm/open-model.ts';
import { EVAL_FIRST_SEED, GenerateError, runEpisodes, type GenerateOptions } from '../generate/generate.ts';
import { openDataset, datasetPath, type Db } from '../dataset/open-dataset.ts';
import { LabError } from '../errors.ts';
import { rateWithInterval } from './wilson.ts';
import type { EvalSummary, EvalTaskResult, GenerationProgress, ProgramFormat } from '../../api/types.ts';

export interface EvaluateOptions {
  db: string;
  /** 'scripted' (the tasks' own solutions and reference answers) or a model spec. */
  model: string;
  adapter?: string;
  tasks: 'train' | 'heldout' | 'all' | string[];
  scenes: number;
  samples?: number;
  /** Default 0 (greedy) for one sample, 0.7 for several. */
  temperature?: number;
  format?: ProgramFormat;
  workers?: number;
  concurrency?: number;
  threads?: number;
  onProgress?: (progress: GenerationProgress) => void;
  signal?: AbortSignal;
}

export class EvalError extends LabError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

export async function evaluate(options: EvaluateOptions): Promise<EvalSummary> {
  const tasks = await evaluationTasks(options.tasks);
  const samples = options.samples ?? 1;
  if (!(Number.isSafeInteger(options.scenes) && options.scenes > 0 && options.scenes <= 100_000))
    throw new EvalError('--scenes must be a whole number from 1 to 100,000');
  if (!(Number.isSafeInteger(samples) && samples > 0 && samples <= 1000))
    throw new EvalError('--samples must be a whole number from 1 to 1,000');
  const scripted = options.model === 'scripted';
  if (scripted && options.adapter) throw new EvalError('the scripted solver takes no adapter');
  const model = scripted
    ? undefined
    : await openModel(options.model, { threads: options.threads, adapter: options.adapter });
  const run: GenerateOptions = {
    db: options.db,
    tasks: tasks.map((t) => t.id),
    teacher: options.model,
    adapter: options.adapter,
    scenes: options.scenes,
    firstScene: EVAL_FIRST_SEED,
    samples,
    temperature: options.temperature ?? (samples === 1 ? 0 : 0.7),
    format: options.format,
    workers: options.workers,
    concurrency: options.concurrency,
    threads: options.threads,
    onProgress: options.onProgress,
    signal: options.signal,
  };
  let runId: number;
  try {
    const summary = await runEpisodes(run, tasks, model, {
      firstScene: EVAL_FIRST_SEED,
      total: tasks.length * options.scenes * samples,
      format: options.format ?? 'code',
      purpose: 'eval',
    });
    runId = summary.runId;
  } finally {
    await model?.dispose();
  }
  const db = openDataset(options.db, { readonly: true });
  try {
    return evaluationSummary(db, runId);
  } finally {
    db.close();
  }
}

async function evaluationTasks(selection: EvaluateOptions['tasks']): Promise<TaskDefinition[]> {
  const all = await loadTasks();
  if (selection === 'train' || selection === 'heldout') return all.filter((t) => t.split === selection);
  if (selection === 'all') return all;
  if (selection.length === 0) throw new EvalError('name at least one task');
  return [...new Set(selection)].map((id) => {
    const task = all.find((t) => t.id === id);
    if (!task) throw new GenerateError(`no task '${id}' (see lab tasks)`);
    return task;
  });
}

interface RunRow {
  id: number;
  purpose: string;
  config: string;
  teacher: string;
  status: string;
  started_at: number;
}

/** An evaluation run's results, read back from the dataset: per task, then the train and held-out pools. */
export function evaluationSummary(db: Db, runId: number): EvalSummary {
  // Trials on a real arm compare like evaluation runs: a row marked real in the paper's table.
  const run = db.prepare("SELECT * FROM runs WHERE id = ? AND purpose IN ('eval', 'real')").get(runId) as
    RunRow | undefined;
  if (!run) throw new EvalError(`${datasetPath(db)} has no evaluation run ${runId} (see lab eval list)`);
  const config = JSON.parse(run.config) as {
    adapter?: string;
    scenes: number;
    samples: number;
    firstScene: number;
    format?: 'code' | 'json' | null;
    temperature?: number | null;
  };
  const rows = db
    .prepare(
      `SELECT task, split, COUNT(*) AS attempts, SUM(success) AS successes,
              AVG(COALESCE(tokens, 0)) AS tokens, AVG(COALESCE(wall_seconds, 0)) AS seconds
       FROM episodes WHERE run_id = ? GROUP BY task, split ORDER BY split DESC, task`,
    )
    .all(runId) as {
    task: string;
    split: 'train' | 'heldout';
    attempts: number;
    successes: number;
    tokens: number;
    seconds: number;
  }[];
  const tasks: EvalTaskResult[] = rows.map((r) => ({
    task: r.task,
    split: r.split,
    ...rateWithInterval(r.successes, r.attempts),
    tokens: Math.round(r.tokens),
    seconds: Math.round(r.seconds * 1000) / 1000,
  }));
  const pool = (split: 'train' | 'heldout') => {
    const of = tasks.filter((t) => t.split === split);
    if (!of.length) return undefined;
    return rateWithInterval(
      of.reduce((n, t) => n + t.successes, 0),
      of.reduce((n, t) => n + t.attempts, 0),
    );
  };
  const real = run.purpose === 'real';
  return {
    runId,
    label: real
      ? `real: ${evaluationLabel(run.teacher, config.adapter)}`
      : evaluationLabel(run.teacher, config.adapter),
    ...(real ? { real: true as const } : {}),
    model: run.teacher,
    ...(config.adapter ? { adapter: config.adapter } : {}),
    scenes: real ? tasks.reduce((n, t) => n + t.attempts, 0) : config.scenes,
    samples: config.samples,
    firstSeed: config.firstScene,
    ...(config.format ? { format: config.format } : {}),
    ...(typeof config.temperature === 'number' ? { temperature: config.temperature } : {}),
    tasks,
    ...(pool('train') ? { train: pool('train') } : {}),
    ...(pool('heldout') ? { heldout: pool('heldout') } : {}),
    status: run.status,
    startedAt: run.started_at,
  };
}

export function evaluationLabel(model: string, adapter?: string): string {
  return adapter ? `${model}+${adapter}` : model;
}

export function listEvaluations(db: Db): EvalSummary[] {
  const hasPurpose = (
    db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('runs') as string[]
  ).includes('purpose');
  if (!hasPurpose) return [];
  const ids = db
    .prepare("SELECT id FROM runs WHERE purpose IN ('eval', 'real') ORDER BY id")
    .pluck()
    .all() as number[];
  return ids.map((id) => evaluationSummary(db, id));
}
