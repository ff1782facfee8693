// The OpenAI-compatible trainer end to end against a local fine-tuning server
// (test/fixtures/openai-finetune-server.ts) through the real openai SDK: uploads, job creation,
// following events and checkpoints, cancel, failures, and the errors a user sees.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { getEventListeners } from 'node:events';
import { OpenAITrainer, readRemoteJob, REMOTE_JOB_FILE } from '../../../core/train/openai-trainer.ts';
import { TrainCancelled, TrainError } from '../../../core/train/errors.ts';
import { OpenAIModel } from '../../../core/llm/openai-model.ts';
import {
  startFineTuneServer,
  type FineTuneServer,
  type FineTuneServerOptions,
} from '../../fixtures/openai-finetune-server.ts';
import { HYPER, jsonlFile, trainRequest } from './helpers.ts';

const servers: FineTuneServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(options: FineTuneServerOptions = {}): Promise<FineTuneServer> {
  const started = await startFineTuneServer({ tickMs: 10, ...options });
  servers.push(started);
  return started;
}

const trainer = (baseURL: string, options: { apiKey?: string; env?: Record<string, string> } = {}) =>
  new OpenAITrainer({ baseURL, pollSeconds: 0.02, env: {}, ...options });

/** A URL nothing listens on: a port the OS just handed out and took back. */
async function closedPortURL(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

describe('OpenAITrainer against a local fine-tuning server', () => {
  it('trains supervised: uploads both files, maps the hyper-parameters, reports steps and loss, returns the model', async () => {
    const api = await server({ chatAnswer: '{"steps": []}' });
    const request = trainRequest({
      trainFile: jsonlFile('supervised', 6),
      validationFile: jsonlFile('supervised', 2, 'valid.jsonl'),
    });
    const outcome = await trainer(api.url).train(request);

    const job = [...api.jobs.values()][0];
    expect(job.method).toBe('supervised');
    expect(job.hyperparameters).toEqual({ n_epochs: 2, batch_size: 2, learning_rate_multiplier: 1.8 });
    expect(job.seed).toBe(HYPER.seed);
    expect(job.validationFile).not.toBeNull();
    expect([...api.files.values()].map((f) => f.filename)).toEqual(['train.jsonl', 'valid.jsonl']);
    // 6 examples in batches of 2, twice.
    expect(job.totalSteps).toBe(6);
    expect(outcome).toEqual({
      kind: 'remote-model',
      modelId: `ft:gpt-4o-mini:lab::${job.id}`,
      baseURL: api.url,
      steps: 6,
      finalLoss: expect.any(Number),
    });

    const metrics = request.seen.filter((p) => p.message?.startsWith('Step '));
    expect(metrics.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(metrics.map((p) => p.epoch)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(metrics.every((p) => p.totalSteps === 6 && p.validLoss !== undefined)).toBe(true);
    const losses = metrics.map((p) => p.loss);
    expect(losses).toEqual([...losses].sort((a, b) => b - a));
    expect(outcome.finalLoss).toBe(losses.at(-1));
    const messages = request.seen.map((p) => p.message);
    expect(messages).toContain('Fine-tuning job started');
    expect(messages).toContain(`job ${job.id} is succeeded`);
    expect(messages.filter((m) => m?.startsWith('checkpoint at step'))).toHaveLength(2);
    // Each event once, in the order it happened.
    expect(messages.filter((m) => m === 'Files validated, moving job to queued state')).toHaveLength(1);
    expect(messages.indexOf('Fine-tuning job started')).toBeLessThan(messages.indexOf(metrics[0].message));

    // The fine-tuned model is usable as an endpoint.
    const model = new OpenAIModel({ baseURL: api.url, model: (outcome as { modelId: string }).modelId });
    expect((await model.chat([{ role: 'user', content: 'plan' }])).text).toBe('{"steps": []}');
  });

  it('trains dpo with method dpo and its hyper-parameters', async () => {
    const api = await server();
    const abort = new AbortController();
    const request = trainRequest({ method: 'dpo', trainFile: jsonlFile('dpo', 4), signal: abort.signal });
    const outcome = await trainer(api.url).train(request);
    // A dozen requests went out under this signal; none left a listener behind on it.
    expect(api.requests.length).toBeGreaterThan(8);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    const job = [...api.jobs.values()][0];
    expect(job.method).toBe('dpo');
    expect(job.hyperparameters).toEqual({ n_epochs: 2, batch_size: 2, learning_rate_multiplier: 1.8 });
    expect(outcome).toMatchObject({
      kind: 'remote-model',
      modelId: `ft:gpt-4o-mini:lab::${job.id}`,
      steps: 4,
    });
    expect(request.seen.filter((p) => p.message?.startsWith('Step ')).map((p) => p.epoch)).toEqual([
      1, 1, 2, 2,
    ]);
  });

  it('records the job in outDir (without the key) and a second trainer can follow it to the same end', async () => {
    const api = await server({ apiKey: 'sk-lab-secret', tickMs: 15 });
    const request = trainRequest({ trainFile: jsonlFile('supervised', 6) });
    const first = trainer(api.url, { env: { BLAZER_API_KEY: 'sk-lab-secret' } }).train(request);
    let record = await readRemoteJob(request.outDir);
    while (!record) {
      // Racing the run: if it fails before writing the record, so does the test, at once.
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 5))]);
      record = await readRemoteJob(request.outDir);
    }
    expect(record).toMatchObject({ baseURL: api.url, model: 'gpt-4o-mini', method: 'supervised' });
    expect(readFileSync(join(request.outDir, REMOTE_JOB_FILE), 'utf8')).not.toContain('sk-lab-secret');

    const seen: string[] = [];
    const resumed = await trainer(record.baseURL, { apiKey: 'sk-lab-secret' }).followJob(record.jobId, {
      onProgress: (p) => p.message && seen.push(p.message),
    });
    expect(resumed).toEqual(await first);
    // Following from scratch replays the job's history, oldest first.
    expect(seen[0]).toMatch(/^Validating training file/);
  });

  it('reads a long event history across pages, each event once and in order', async () => {
    const api = await server({ tickMs: 2, maxSteps: 120 });
    const first = await trainer(api.url).train(
      trainRequest({ trainFile: jsonlFile('supervised', 60), hyper: { ...HYPER, batchSize: 1 } }),
    );
    const job = [...api.jobs.values()][0];
    expect(job.events.length).toBeGreaterThan(120);
    const eventPages = () => api.requests.filter((r) => r.endsWith('/events')).length;
    const pagesBefore = eventPages();
    const steps: number[] = [];
    const again = await trainer(api.url).followJob(job.id, {
      onProgress: (p) => p.message?.startsWith('Step ') && steps.push(p.step),
    });
    expect(again).toEqual(first);
    expect(steps).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    // One poll of a finished job: 50 events a page.
    expect(eventPages() - pagesBefore).toBe(Math.ceil(job.events.length / 50));
    const listed = await (await fetch(`${api.url}/fine_tuning/jobs?limit=5`)).json();
    expect(listed).toMatchObject({
      object: 'list',
      data: [{ id: job.id, status: 'succeeded' }],
      has_more: false,
    });
  });

  it('cancels the job on the server when the signal fires, and rejects with TrainCancelled', async () => {
    const api = await server({ tickMs: 30 });
    const abort = new AbortController();
    const request = trainRequest({ trainFile: jsonlFile('supervised', 40), signal: abort.signal });
    request.onProgress = (p) => {
      request.seen.push(p);
      if (p.step >= 2) abort.abort();
    };
    await expect(trainer(api.url).train(request)).rejects.toThrow(TrainCancelled);
    const job = [...api.jobs.values()][0];
    expect(job.status).toBe('cancelled');
    expect(job.step).toBeLessThan(job.totalSteps);
    expect(api.requests).toContain(`POST /v1/fine_tuning/jobs/${job.id}/cancel`);
  });

  it('does not create a job when cancelled during the upload', async () => {
    const api = await server();
    const abort = new AbortController();
    abort.abort();
    await expect(
      trainer(api.url).train(trainRequest({ trainFile: jsonlFile('supervised'), signal: abort.signal })),
    ).rejects.toThrow(TrainCancelled);
    expect(api.jobs.size).toBe(0);
  });

  it('rides out a few failed polls, and gives up after maxPollFailures in a row', async () => {
    const api = await server({ unavailablePolls: 3 });
    const request = trainRequest({ trainFile: jsonlFile('supervised') });
    await expect(trainer(api.url).train(request)).resolves.toMatchObject({ kind: 'remote-model' });
    expect(request.seen.filter((p) => p.message?.endsWith('trying again'))).toHaveLength(3);
    expect(request.seen.find((p) => p.message?.endsWith('trying again'))?.message).toMatch(
      /refused following job ftjob-\d+ \(HTTP 503\): The server is overloaded/,
    );

    const down = await server({ unavailablePolls: 100 });
    const stubborn = new OpenAITrainer({ baseURL: down.url, pollSeconds: 0.01, env: {}, maxPollFailures: 4 });
    await expect(stubborn.train(trainRequest({ trainFile: jsonlFile('supervised') }))).rejects.toThrow(
      /refused following job ftjob-\d+ \(HTTP 503\)/,
    );
    expect(down.requests.filter((r) => /^GET \/v1\/fine_tuning\/jobs\/[^/]+$/.test(r))).toHaveLength(4);
  });

  it("gives a failed job's error message", async () => {
    const api = await server({
      fail: { message: 'Training file has 3 examples with no assistant message', atStep: 2 },
    });
    const run = trainer(api.url).train(trainRequest({ trainFile: jsonlFile('supervised') }));
    await expect(run).rejects.toThrow(TrainError);
    await expect(run).rejects.toThrow(
      /fine-tuning job ftjob-\d+ on http:\/\/127\.0\.0\.1:\d+\/v1 failed: Training file has 3 examples with no assistant message/,
    );
  });

  it("passes on the server's reason for refusing a file", async () => {
    const api = await server();
    const bad = jsonlFile('supervised', 0, 'train.jsonl', [
      JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      '{"messages": [',
    ]);
    await expect(trainer(api.url).train(trainRequest({ trainFile: bad }))).rejects.toThrow(
      `${api.url} refused the upload of ${bad} (HTTP 400): Invalid file format: train.jsonl line 2 is not valid JSON.`,
    );
    const dpoAsChat = jsonlFile('dpo', 2);
    await expect(trainer(api.url).train(trainRequest({ trainFile: dpoAsChat }))).rejects.toThrow(
      /refused creating the fine-tuning job \(HTTP 400\): Training file file-\d+ has dpo examples, but the method is supervised/,
    );
  });

  it('says the key is missing, or which variable holds a wrong one, on a 401', async () => {
    const api = await server({ apiKey: 'sk-lab-secret' });
    const request = () => trainRequest({ trainFile: jsonlFile('supervised') });
    await expect(trainer(api.url).train(request())).rejects.toThrow(
      /answered 401 Unauthorized \(the upload of .*train\.jsonl\): no API key was given: set BLAZER_API_KEY \(or OPENAI_API_KEY\)/,
    );
    await expect(trainer(api.url, { env: { OPENAI_API_KEY: 'sk-old' } }).train(request())).rejects.toThrow(
      'the API key in OPENAI_API_KEY is wrong or not valid for this endpoint',
    );
    const wrong = trainer(api.url, { env: { BLAZER_API_KEY: 'sk-typo', OPENAI_API_KEY: 'sk-lab-secret' } });
    await expect(wrong.train(request())).rejects.not.toThrow(/sk-typo/);
    await expect(wrong.train(request())).rejects.toThrow('the API key in BLAZER_API_KEY is wrong');
    expect(api.jobs.size).toBe(0);
  });

  it('names the URL it cannot reach', async () => {
    const url = await closedPortURL();
    await expect(trainer(url).train(trainRequest({ trainFile: jsonlFile('supervised') }))).rejects.toThrow(
      `cannot reach the fine-tuning endpoint ${url}`,
    );
  });

  it('refuses bad hyper-parameters and a missing data file before calling the endpoint', async () => {
    const api = await server();
    await expect(
      trainer(api.url).train(
        trainRequest({ trainFile: jsonlFile('supervised'), hyper: { ...HYPER, epochs: 0 } }),
      ),
    ).rejects.toThrow('epochs must be a whole number >= 1 (got 0)');
    await expect(trainer(api.url).train(trainRequest({ trainFile: '/nowhere/train.jsonl' }))).rejects.toThrow(
      'the training data file /nowhere/train.jsonl does not exist',
    );
    expect(api.requests).toEqual([]);
  });
});
