import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { invoke } from '../../api/contract.ts';
import { datasetList, datasetShow, datasetStats } from '../../api/dataset.ts';
import { openDataset } from '../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../core/dataset/episode-store.ts';
import { tempDir } from '../helpers.ts';

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
        const page = await invoke(datasetList, {
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
    expect(await invoke(datasetStats, { db })).toEqual([
      { task: 'pick_and_lift', split: 'train', episodes: 13, successes: 8, rate: 8 / 13 },
      { task: 'reach_target', split: 'train', episodes: 12, successes: 8, rate: 8 / 12 },
    ]);
    expect(await invoke(datasetShow, { db, id: 2 })).toMatchObject({
      task: 'reach_target',
      seed: 1,
      success: true,
    });
  });

  it('names bad requests', async () => {
    await expect(invoke(datasetList, { db, limit: 0 })).rejects.toThrow(/dataset\.list: limit/);
    await expect(invoke(datasetList, { db, filter: { success: 'yes' } })).rejects.toThrow(/filter\.success/);
    await expect(invoke(datasetShow, { db, id: 999 })).rejects.toThrow(/no episode 999/);
    await expect(invoke(datasetStats, { db: join(tempDir(), 'missing.sqlite') })).rejects.toThrow(
      /no dataset at/,
    );
  });
});

describe('generate api', () => {
  it('reports progress as events and records the model a run used', async () => {
    const { generateRun } = await import('../../api/generate.ts');
    const { tinyModelFile } = await import('../core/llm/helpers.ts');
    const path = join(tempDir(), 'gen.sqlite');
    const events: { done: number; total: number }[] = [];
    const summary = await invoke(
      generateRun,
      {
        db: path,
        tasks: ['reach_target'],
        teacher: tinyModelFile({ noExponents: true }),
        scenes: 2,
        format: 'json',
        threads: 1,
      },
      { emit: (e) => e.type === 'generation.progress' && events.push(e.progress) },
    );
    expect(summary).toMatchObject({ done: 2, total: 2 });
    expect(events.map((e) => e.done)).toEqual([0, 1, 2]);
    const handle = openDataset(path);
    expect(handle.prepare('SELECT name, kind FROM models').all()).toEqual([
      { name: 'local:tiny.gguf', kind: 'local' },
    ]);
    handle.close();
    await expect(
      invoke(generateRun, { db: path, tasks: [], teacher: 'scripted', scenes: 1 }),
    ).rejects.toThrow(/generate\.run: tasks/);
  });
});
