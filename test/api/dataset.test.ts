import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { inProcessLab } from '../../api/in-process.ts';
import { openDataset } from '../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../core/dataset/episode-store.ts';
import { tempDir } from '../helpers.ts';

const lab = inProcessLab();
let db: string;
beforeAll(() => {
  db = join(tempDir(), 'lab.sqlite');
  const handle = openDataset(db);
  const store = new EpisodeStore(handle);
  const run = store.startRun({ key: 'k', config: {}, teacher: 'scripted', codeVersion: 'test' });
  for (let i = 0; i < 25; i++) {
    store.addEpisode(
      run,
      {
        task: i % 2 ? 'reach_target' : 'pick_and_lift',
        split: 'train',
        arm: 'panda',
        seed: i,
        sample: 0,
        instruction: 'x',
        scene: {},
        trace: [],
        success: i % 3 !== 0,
        reason: 'r',
        model: 'scripted',
        simSeconds: 1,
        wallSeconds: 0.1,
      },
      1_000 + i,
    );
  }
  handle.close();
});

describe('dataset api', () => {
  it('pages through filtered episodes in both orders without gaps or repeats', async () => {
    for (const order of ['newest', 'oldest'] as const) {
      const seen: number[] = [];
      let after: { createdAt: number; id: number } | undefined;
      do {
        const page = await lab.call('dataset.list', {
          db,
          filter: { task: 'pick_and_lift' },
          limit: 4,
          order,
          after,
        });
        seen.push(...page.rows.map((r) => r.seed));
        after = page.next;
      } while (after);
      const expected = Array.from({ length: 13 }, (_, i) => 2 * i);
      expect(seen).toEqual(order === 'newest' ? expected.reverse() : expected);
    }
  });

  it('gives per-task statistics and whole episodes', async () => {
    expect(await lab.call('dataset.stats', { db })).toEqual([
      { task: 'pick_and_lift', split: 'train', episodes: 13, successes: 8, rate: 8 / 13 },
      { task: 'reach_target', split: 'train', episodes: 12, successes: 8, rate: 8 / 12 },
    ]);
    expect(await lab.call('dataset.show', { db, id: 2 })).toMatchObject({
      task: 'reach_target',
      seed: 1,
      success: true,
    });
  });

  it('names bad requests', async () => {
    await expect(lab.call('dataset.list', { db, limit: 0 })).rejects.toThrow(/dataset\.list: limit/);
    // Wrong types get past TypeScript only by force, as from a hostile client; the schema names them.
    const success = 'yes' as unknown as boolean;
    await expect(lab.call('dataset.list', { db, filter: { success } })).rejects.toThrow(/filter\.success/);
    await expect(lab.call('dataset.show', { db, id: 999 })).rejects.toThrow(/no episode 999/);
    await expect(lab.call('dataset.stats', { db: join(tempDir(), 'missing.sqlite') })).rejects.toMatchObject({
      kind: 'no-dataset',
      message: expect.stringMatching(/no dataset at/),
    });
  });
});

describe('generate api', () => {
  it('reports progress as events, records the model a run used, and builds one scene per episode', async () => {
    const { tinyModelFile } = await import('../core/llm/helpers.ts');
    const path = join(tempDir(), 'gen.sqlite');
    const events: { done: number; total: number }[] = [];
    const summary = await lab.call(
      'generate.run',
      {
        db: path,
        tasks: ['reach_target'],
        teacher: tinyModelFile({ noExponents: true }),
        scenes: 2,
        format: 'json',
        threads: 1,
      },
      { onEvent: (e) => e.type === 'generation.progress' && events.push(e.progress) },
    );
    expect(summary).toMatchObject({ done: 2, total: 2 });
    expect(summary.scenesBuilt, 'one scene per generated episode').toBe(2);
    expect(events.map((e) => e.done)).toEqual([0, 1, 2]);
    // The dataset keeps what it knew of the model, and the per-model statistics show it.
    const [perModel] = await lab.call('dataset.modelStats', { db: path });
    expect(perModel).toMatchObject({
      model: 'local:tiny.gguf',
      episodes: 2,
      description: { id: 'local:tiny.gguf', kind: 'local', architecture: 'llama' },
    });
    await expect(
      lab.call('generate.run', { db: path, tasks: [], teacher: 'scripted', scenes: 1 }),
    ).rejects.toThrow(/generate\.run: tasks/);
  });
});
