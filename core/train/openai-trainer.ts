// Training on an OpenAI-compatible fine-tuning API (OpenAI itself, or a server that implements
// /v1/files and /v1/fine_tuning/jobs): upload the JSONL, create the job, follow it until it ends.
// The result is a model id behind that endpoint: no weights come back.
//
// Hyper-parameters map onto method.{supervised|dpo}.hyperparameters: epochs -> n_epochs, batchSize ->
// batch_size, and learningRate -> learning_rate_multiplier: the OpenAI API takes a multiplier of its
// own base rate, not a rate, so give e.g. 1.8 here rather than 2e-4. rank, alpha, maxSteps and
// maxSeconds have no counterpart in the API; the endpoint chooses them. seed goes to the job's seed.
//
// The key comes from the options, else BLAZER_API_KEY, else OPENAI_API_KEY. It is used for requests
// only: never written to the job record, the outcome, progress or an error message.
import OpenAI from 'openai';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import type { FineTuningJobCheckpoint } from 'openai/resources/fine-tuning/jobs/checkpoints';
import { TrainCancelled, TrainError } from './errors.ts';
import { ProgressReporter } from './progress.ts';
import { requireDataFiles } from './data-files.ts';
import type {
  Hyperparameters,
  TrainMethod,
  TrainOutcome,
  TrainProgress,
  TrainRequest,
  Trainer,
} from './types.ts';
import { describeApiFailure, isTransient, resolveApiKey, type KeySource } from './openai-errors.ts';

export interface OpenAITrainerOptions {
  /** The endpoint, ending in /v1: https://api.openai.com/v1 or a compatible server. */
  baseURL: string;
  /** Default: BLAZER_API_KEY, then OPENAI_API_KEY from `env`. */
  apiKey?: string;
  /** Where the default key is looked up; default process.env. */
  env?: Record<string, string | undefined>;
  /** Seconds between polls of a job; default 5. */
  pollSeconds?: number;
  /** Added to the fine-tuned model's name (ft:base:org:suffix:id). */
  suffix?: string;
  /** Per-request timeout in ms; default 60 s. */
  timeoutMs?: number;
  /** Polls that may fail in a row (network, 5xx, 429) before the run gives up; default 5. */
  maxPollFailures?: number;
}

export interface FollowJobOptions {
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
}

/** Written into the run's outDir when the job is created, so a restarted app can follow it again. */
export interface RemoteJobRecord {
  jobId: string;
  baseURL: string;
  model: string;
  method: TrainMethod;
  createdAt: string;
}

export const REMOTE_JOB_FILE = 'remote-job.json';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export class OpenAITrainer implements Trainer {
  readonly kind = 'openai' as const;
  readonly baseURL: string;
  private readonly client: OpenAI;
  private readonly keySource: KeySource;
  /** The options without the key: only the client holds it. */
  private readonly options: Omit<OpenAITrainerOptions, 'apiKey' | 'env'>;

  constructor({ apiKey, env, ...options }: OpenAITrainerOptions) {
    this.options = options;
    this.baseURL = options.baseURL.replace(/\/+$/, '');
    const { key, source } = resolveApiKey(apiKey, env ?? process.env);
    this.keySource = source;
    this.client = new OpenAI({
      baseURL: this.baseURL,
      // The SDK refuses to start without a key; a server without auth ignores this one, and one
      // with auth answers 401, which is reported as a missing key.
      apiKey: key ?? 'no-key-given',
      timeout: options.timeoutMs ?? 60_000,
      maxRetries: 1,
    });
  }

  async train(request: TrainRequest): Promise<TrainOutcome> {
    checkHyperparameters(request.hyper);
    await requireDataFiles(request.trainFile, request.validationFile);
    const reporter = new ProgressReporter(request.onProgress);
    const trainingFile = await this.upload(request.trainFile, reporter, request.signal);
    const validationFile = request.validationFile
      ? await this.upload(request.validationFile, reporter, request.signal)
      : undefined;
    if (request.signal?.aborted)
      throw new TrainCancelled('training was cancelled before the job was created');

    // No signal here: a job created while the request was being aborted would run on, unseen.
    const job = await this.call('creating the fine-tuning job', () =>
      this.client.fineTuning.jobs.create({
        model: request.baseModel,
        training_file: trainingFile,
        ...(validationFile ? { validation_file: validationFile } : {}),
        ...(this.options.suffix ? { suffix: this.options.suffix } : {}),
        ...(request.hyper.seed !== undefined ? { seed: request.hyper.seed } : {}),
        method: jobMethod(request.method, request.hyper),
      }),
    );
    await writeJobRecord(request.outDir, {
      jobId: job.id,
      baseURL: this.baseURL,
      model: request.baseModel,
      method: request.method,
      createdAt: new Date().toISOString(),
    });
    const examples = await countLines(request.trainFile);
    reporter.report(
      { totalSteps: Math.ceil(examples / request.hyper.batchSize) * request.hyper.epochs },
      `created job ${job.id} on ${this.baseURL}`,
    );
    return this.follow(job.id, reporter, request.signal);
  }

  /** Follows a job created earlier (e.g. before the app restarted) to its end, like train() does. */
  followJob(jobId: string, options: FollowJobOptions = {}): Promise<TrainOutcome> {
    return this.follow(jobId, new ProgressReporter(options.onProgress), options.signal);
  }

  private async upload(path: string, reporter: ProgressReporter, signal?: AbortSignal): Promise<string> {
    reporter.message(`uploading ${path}`);
    const file = await this.call(`the upload of ${path}`, () =>
      withScopedSignal(signal, (uploadSignal) =>
        this.client.files.create(
          { file: createReadStream(path), purpose: 'fine-tune' },
          { signal: uploadSignal },
        ),
      ),
    );
    return file.id;
  }

  private async follow(
    jobId: string,
    reporter: ProgressReporter,
    signal?: AbortSignal,
  ): Promise<TrainOutcome> {
    const seenEvents = new Set<string>();
    const seenCheckpoints = new Set<string>();
    const pollMs = (this.options.pollSeconds ?? 5) * 1000;
    const maxFailures = this.options.maxPollFailures ?? 5;
    let status: string | undefined;
    let failures = 0;
    for (;;) {
      if (signal?.aborted) return this.cancel(jobId);
      let job: FineTuningJob;
      try {
        job = await withScopedSignal(signal, async (pollSignal) => {
          const current = await this.client.fineTuning.jobs.retrieve(jobId, { signal: pollSignal });
          const epochs = jobEpochs(current);
          for (const event of await this.newEvents(jobId, seenEvents, pollSignal))
            reportEvent(reporter, event, epochs);
          for (const checkpoint of await this.newCheckpoints(jobId, seenCheckpoints, pollSignal))
            reportCheckpoint(reporter, checkpoint);
          return current;
        });
        failures = 0;
      } catch (err) {
        if (signal?.aborted) return this.cancel(jobId);
        const action = `following job ${jobId}`;
        if (!isTransient(err) || ++failures >= maxFailures)
          throw describeApiFailure(err, { baseURL: this.baseURL, keySource: this.keySource, action });
        reporter.message(
          `${describeApiFailure(err, { baseURL: this.baseURL, keySource: this.keySource, action }).message}; trying again`,
        );
        await sleep(pollMs, signal);
        continue;
      }
      if (job.status !== status) {
        status = job.status;
        reporter.report({ etaSeconds: etaSeconds(job) }, `job ${jobId} is ${status.replace('_', ' ')}`);
      }
      if (TERMINAL.has(job.status)) return this.outcome(job, reporter);
      await sleep(pollMs, signal);
    }
  }

  /** Events newer than the last seen, oldest first (the API lists them newest first, in pages). */
  private async newEvents(
    jobId: string,
    seen: Set<string>,
    signal?: AbortSignal,
  ): Promise<FineTuningJobEvent[]> {
    const fresh: FineTuningJobEvent[] = [];
    let page = await this.client.fineTuning.jobs.listEvents(jobId, { limit: 50 }, { signal });
    for (;;) {
      for (const event of page.data) {
        if (seen.has(event.id)) return markSeen(fresh, seen);
        fresh.push(event);
      }
      if (!page.hasNextPage()) return markSeen(fresh, seen);
      page = await page.getNextPage();
    }
  }

  private async newCheckpoints(
    jobId: string,
    seen: Set<string>,
    signal?: AbortSignal,
  ): Promise<FineTuningJobCheckpoint[]> {
    const page = await this.client.fineTuning.jobs.checkpoints.list(jobId, { limit: 20 }, { signal });
    return markSeen(
      page.data.filter((checkpoint) => !seen.has(checkpoint.id)),
      seen,
    );
  }

  private outcome(job: FineTuningJob, reporter: ProgressReporter): TrainOutcome {
    if (job.status === 'failed') {
      const reason = job.error?.message || 'the endpoint gave no reason';
      const param = job.error?.param ? ` (${job.error.param})` : '';
      throw new TrainError(`fine-tuning job ${job.id} on ${this.baseURL} failed: ${reason}${param}`);
    }
    if (job.status === 'cancelled')
      throw new TrainCancelled(`fine-tuning job ${job.id} was cancelled on ${this.baseURL}`);
    if (!job.fine_tuned_model)
      throw new TrainError(
        `fine-tuning job ${job.id} on ${this.baseURL} succeeded but names no fine-tuned model`,
      );
    return {
      kind: 'remote-model',
      modelId: job.fine_tuned_model,
      baseURL: this.baseURL,
      steps: reporter.latest.step,
      ...(reporter.finalLoss !== undefined ? { finalLoss: reporter.finalLoss } : {}),
    };
  }

  private async cancel(jobId: string): Promise<never> {
    try {
      await this.client.fineTuning.jobs.cancel(jobId);
    } catch (err) {
      const why = describeApiFailure(err, {
        baseURL: this.baseURL,
        keySource: this.keySource,
        action: `cancelling job ${jobId}`,
      });
      throw new TrainCancelled(`training was stopped here, but the job may still run: ${why.message}`);
    }
    throw new TrainCancelled(`fine-tuning job ${jobId} was cancelled`);
  }

  private async call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (err instanceof OpenAI.APIUserAbortError)
        throw new TrainCancelled(`training was cancelled during ${action}`);
      throw describeApiFailure(err, { baseURL: this.baseURL, keySource: this.keySource, action });
    }
  }
}

/** Reads the job record a run left in its outDir; undefined when there is none. */
export async function readRemoteJob(outDir: string): Promise<RemoteJobRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(outDir, REMOTE_JOB_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const record = JSON.parse(text) as Partial<RemoteJobRecord>;
  if (typeof record.jobId !== 'string' || typeof record.baseURL !== 'string')
    throw new TrainError(`${join(outDir, REMOTE_JOB_FILE)} names no jobId and baseURL`);
  return record as RemoteJobRecord;
}

async function writeJobRecord(outDir: string, record: RemoteJobRecord): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, REMOTE_JOB_FILE), JSON.stringify(record, null, 2) + '\n');
}

function jobMethod(method: TrainMethod, hyper: Hyperparameters) {
  const hyperparameters = {
    n_epochs: hyper.epochs,
    batch_size: hyper.batchSize,
    learning_rate_multiplier: hyper.learningRate,
  };
  return method === 'dpo'
    ? { type: 'dpo' as const, dpo: { hyperparameters } }
    : { type: 'supervised' as const, supervised: { hyperparameters } };
}

function checkHyperparameters(hyper: Hyperparameters): void {
  const problems: string[] = [];
  if (!Number.isInteger(hyper.epochs) || hyper.epochs < 1)
    problems.push(`epochs must be a whole number >= 1 (got ${hyper.epochs})`);
  if (!Number.isInteger(hyper.batchSize) || hyper.batchSize < 1)
    problems.push(`batchSize must be a whole number >= 1 (got ${hyper.batchSize})`);
  if (!(hyper.learningRate > 0) || !Number.isFinite(hyper.learningRate))
    problems.push(
      `learningRate (the API's learning_rate_multiplier) must be a positive number (got ${hyper.learningRate})`,
    );
  if (problems.length) throw new TrainError(`bad hyper-parameters: ${problems.join('; ')}`);
}

async function countLines(path: string): Promise<number> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim()).length;
}

function reportEvent(
  reporter: ProgressReporter,
  event: FineTuningJobEvent,
  epochs: number | undefined,
): void {
  const metrics = event.type === 'metrics' || event.data ? eventMetrics(event) : {};
  const totalSteps = metrics.totalSteps ?? reporter.latest.totalSteps;
  const step = metrics.step ?? reporter.latest.step;
  const epoch = epochs && totalSteps ? Math.min(epochs, Math.ceil((step * epochs) / totalSteps)) : undefined;
  reporter.report(
    { ...metrics, epoch },
    event.level === 'info' ? event.message : `${event.level}: ${event.message}`,
  );
}

/** Step and losses from a metrics event: its data, or failing that its "Step 3/12: training loss=1.2" text. */
function eventMetrics(event: FineTuningJobEvent): Partial<TrainProgress> {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<
    string,
    unknown
  >;
  const text = /Step (\d+)\/(\d+): training loss=([\d.]+)/.exec(event.message);
  return {
    step: numberOrUndefined(data.step) ?? numberOrUndefined(text?.[1]),
    totalSteps: numberOrUndefined(data.total_steps) ?? numberOrUndefined(text?.[2]),
    loss: numberOrUndefined(data.train_loss) ?? numberOrUndefined(text?.[3]),
    validLoss: numberOrUndefined(data.valid_loss) ?? numberOrUndefined(data.full_valid_loss),
  };
}

function reportCheckpoint(reporter: ProgressReporter, checkpoint: FineTuningJobCheckpoint): void {
  const message = `checkpoint at step ${checkpoint.step_number}: ${checkpoint.fine_tuned_model_checkpoint}`;
  // Checkpoints can arrive after newer metrics events: never move the numbers backwards.
  if (checkpoint.step_number < reporter.latest.step) return reporter.message(message);
  const metrics = checkpoint.metrics ?? {};
  reporter.report(
    {
      step: checkpoint.step_number,
      loss: numberOrUndefined(metrics.train_loss),
      validLoss: numberOrUndefined(metrics.valid_loss) ?? numberOrUndefined(metrics.full_valid_loss),
    },
    message,
  );
}

/** n_epochs from the job: top-level for supervised jobs, under method.dpo for DPO ones. */
function jobEpochs(job: FineTuningJob): number | undefined {
  return (
    numberOrUndefined(job.hyperparameters?.n_epochs) ??
    numberOrUndefined(job.method?.dpo?.hyperparameters?.n_epochs) ??
    numberOrUndefined(job.method?.supervised?.hyperparameters?.n_epochs)
  );
}

function etaSeconds(job: FineTuningJob): number | undefined {
  return job.estimated_finish ? Math.max(0, job.estimated_finish - Math.floor(Date.now() / 1000)) : undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function markSeen<T extends { id: string }>(items: T[], seen: Set<string>): T[] {
  for (const item of items) seen.add(item.id);
  return items.reverse();
}

/**
 * Runs requests under a signal of their own that follows the caller's. The SDK adds an abort
 * listener to the signal of every request and never removes it; on the caller's signal, a job
 * followed for hours would pile up thousands of them.
 */
async function withScopedSignal<T>(
  signal: AbortSignal | undefined,
  run: (scoped: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (!signal) return run(undefined);
  const scoped = new AbortController();
  const forward = (): void => scoped.abort();
  if (signal.aborted) scoped.abort();
  else signal.addEventListener('abort', forward, { once: true });
  try {
    return await run(scoped.signal);
  } finally {
    signal.removeEventListener('abort', forward);
  }
}

/** Waits, or returns early when the signal fires (the caller then cancels). */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => {});
}
