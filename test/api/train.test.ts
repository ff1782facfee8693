// Fine-tuning through the api, as the Train screen and `lab train` drive it: a training set from
// verified data, each trainer behind train.run (the built-in one on the tiny model, a trainer command,
// an OpenAI-compatible fine-tuning server), progress as events, the job kept in the dataset, and
// the result registered where every model picker finds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { inProcessLab } from '../../api/in-process.ts';
import { disposeResources } from '../../api/resources.ts';
import { LabCallError } from '../../api/framing.ts';
import { startFineTuneServer } from '../fixtures/openai-finetune-server.ts';
import { fixturesDir, tempDir } from '../helpers.ts';
import type { LabEvent } from '../../api/contract.ts';

const lab = inProcessLab({ local: true });
let db: string;

beforeAll(async () => {
  process.env.BLAZER_LAB_HOME = tempDir();
  db = join(process.env.BLAZER_LAB_HOME, 'lab.sqlite');
  await lab.call('models.addTiny', {});
  await lab.call('generate.run', { db, tasks: ['reach_target'], teacher: 'scripted', scenes: 6, workers: 2 });
  await lab.call('train.createSet', { db, name: 'reach', tasks: ['reach_target'], validation: 0.2 });
});
afterAll(() => disposeResources());

const events = (): { seen: LabEvent[]; onEvent: (e: LabEvent) => void } => {
  const seen: LabEvent[] = [];
  return { seen, onEvent: (e) => seen.push(e) };
};

describe('train.run', () => {
  it('trains the tiny model with the built-in trainer, reports each step, keeps the job, and registers the adapter', async () => {
    const { seen, onEvent } = events();
    const job = await lab.call(
      'train.run',
      {
        db,
        trainingSet: 'reach',
        base: 'tiny-test',
        name: 'reach-lora',
        hyper: { maxSteps: 3, batchSize: 2 },
      },
      { onEvent },
    );
    expect(job).toMatchObject({
      status: 'succeeded',
      trainer: 'builtin',
      adapter: 'reach-lora',
      trainingSet: 'reach',
    });
    const steps = seen.flatMap((e) => (e.type === 'train.progress' ? [e.progress.step] : []));
    expect(steps).toContain(3);
    expect(job.losses.map(([step]) => step)).toEqual([1, 2, 3]);
    // Its files live in a folder of its own, named for this very dataset file (another lab.sqlite gets another).
    expect(job.outDir).toMatch(/[\\/]training[\\/]lab-[0-9a-f]{8}-job-1$/);
    expect(job.losses.every(([, loss]) => Number.isFinite(loss) && loss > 0)).toBe(true);
    const [adapter] = await lab.call('adapters.list', {});
    expect(adapter).toMatchObject({
      name: 'reach-lora',
      source: 'builtin',
      trainJob: job.id,
      trainingSet: 'reach',
    });
    expect(adapter.base.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await lab.call('train.jobs', { db })).map((j) => j.status)).toEqual(['succeeded']);
    // Usable by name wherever a model runs.
    const run = await lab.call('episode.run', {
      task: 'reach_target',
      seed: 3,
      solver: {
        kind: 'model',
        model: 'tiny-test',
        adapter: 'reach-lora',
        format: 'code',
        maxTokens: 16,
        threads: 1,
      },
    });
    expect(run.attempt?.model.adapters?.map((a) => a.file)).toEqual(['reach-lora.gguf']);
  });

  it('stops when the caller stops: the job ends cancelled and no adapter is registered', async () => {
    const controller = new AbortController();
    const call = lab.call(
      'train.run',
      { db, trainingSet: 'reach', base: 'tiny-test', name: 'never', hyper: { epochs: 50, batchSize: 1 } },
      { signal: controller.signal, onEvent: (e) => e.type === 'train.progress' && controller.abort() },
    );
    await expect(call).rejects.toMatchObject({ kind: 'stopped' });
    const jobs = await lab.call('train.jobs', { db });
    expect(jobs.at(-1)?.status).toBe('cancelled');
    expect((await lab.call('adapters.list', {})).map((a) => a.name)).not.toContain('never');
  });

  it('runs a trainer command that writes a PEFT folder, and imports what it wrote', async () => {
    const job = await lab.call('train.run', {
      db,
      trainingSet: 'reach',
      trainer: 'command',
      base: 'tiny-test',
      name: 'from-command',
      command: [process.execPath, join(fixturesDir, 'stand-in-trainer.mjs')],
    });
    expect(job).toMatchObject({ status: 'succeeded', adapter: 'from-command' });
    expect(job.losses.length).toBeGreaterThan(0);
    const adapters = await lab.call('adapters.list', {});
    expect(adapters.find((a) => a.name === 'from-command')).toMatchObject({
      source: 'command',
      rank: expect.any(Number),
    });
  });

  it("fine-tunes through an OpenAI-compatible API, registers the resulting model as an endpoint, and lesson 7's check compares it with its base endpoint", async () => {
    const server = await startFineTuneServer({ tickMs: 5, maxSteps: 6, baseModels: ['gpt-4o-mini'] });
    try {
      const { seen, onEvent } = events();
      const job = await lab.call(
        'train.run',
        {
          db,
          trainingSet: 'reach',
          trainer: 'openai',
          base: 'gpt-4o-mini',
          name: 'ft-reach',
          baseURL: server.url,
        },
        { onEvent },
      );
      expect(job).toMatchObject({
        status: 'succeeded',
        adapter: 'ft-reach',
        remoteJob: expect.stringMatching(/\S/),
      });
      expect(seen.some((e) => e.type === 'train.progress' && e.progress.message)).toBe(true);
      const { endpoints } = await lab.call('models.list', {});
      expect(endpoints.find((e) => e.name === 'ft-reach')?.spec).toMatch(
        /^openai:ft:gpt-4o-mini:.*@http:\/\/127\.0\.0\.1:\d+\/v1$/,
      );

      // Lesson 7's table with a hosted fine-tune: it is compared with its base, registered under
      // another name. (Both answer an empty plan here, so the verdict is "not better".)
      await lab.call('models.addEndpoint', { name: 'mini', spec: `openai:gpt-4o-mini@${server.url}` });
      for (const model of ['ft-reach', 'mini'])
        await lab.call('eval.run', {
          db,
          model,
          tasks: ['reach_target', 'put_block_in_side_bin'],
          scenes: 1,
          format: 'json',
        });
      const verdict = await lab.call('lessons.check', {
        lesson: 'fine-tune-a-student',
        step: 'evaluate-the-paper-s-table',
        student: 'Ada',
        db,
      });
      expect(verdict).toMatchObject({ met: false, failure: { kind: 'not-better' } });
      expect(verdict.message).toBe('ft-reach 0% does not beat mini 0% on reach_target');
    } finally {
      await server.close();
    }
  });

  it("gives a server's clients the built-in trainer only: a command or an API key stays the operator's", async () => {
    const remote = inProcessLab({ local: false });
    const refused = await remote
      .call('train.run', {
        db: 'lab.sqlite',
        trainingSet: 'reach',
        trainer: 'command',
        base: 'tiny-test',
        command: ['sh'],
      })
      .catch((e: LabCallError) => e);
    expect(refused).toMatchObject({
      kind: 'forbidden',
      message: expect.stringMatching(/built-in trainer only/),
    });
  });

  it('names a missing training set and an endpoint given as a local base', async () => {
    await expect(lab.call('train.run', { db, trainingSet: 'nope', base: 'tiny-test' })).rejects.toThrow(
      /no training set named 'nope'/,
    );
    await expect(
      lab.call('train.run', { db, trainingSet: 'reach', base: 'openai:gpt@http://127.0.0.1:9/v1' }),
    ).rejects.toThrow(/is an endpoint: local trainers need a GGUF model/);
  });
});
