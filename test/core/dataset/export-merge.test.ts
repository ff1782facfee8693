// Exports validated line by line against the OpenAI chat format; merging datasets from two
// machines adds everything once.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { openDataset } from '../../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../../core/dataset/episode-store.ts';
import { exportChatJsonl, exportCsv, exportPreferencePairs } from '../../../core/dataset/export.ts';
import { mergeDataset } from '../../../core/dataset/merge.ts';
import { tempDir } from '../../helpers.ts';
import { episode } from './helpers.ts';

const chatLine = z
  .object({
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().min(1) }).strict())
      .min(2),
  })
  .strict()
  .refine(
    (l) => l.messages.at(-1)!.role === 'assistant' && l.messages.some((m) => m.role === 'user'),
    'ends with the assistant, has a user turn',
  );

let dir: string;
let dbPath: string;
beforeAll(() => {
  dir = tempDir();
  dbPath = join(dir, 'a.sqlite');
  const db = openDataset(dbPath);
  const store = new EpisodeStore(db);
  const run = store.startRun({ key: 'machine-a', config: {}, teacher: 'tiny', codeVersion: '0.1.0' });
  for (let seed = 0; seed < 40; seed++) {
    store.addEpisode(run, episode(seed, 0, true));
    store.addEpisode(run, episode(seed, 1, seed % 2 === 0));
  }
  store.addEpisode(
    run,
    episode(99, 0, true, { prompt: undefined, answer: undefined, model: 'scripted', format: 'scripted' }),
  );
  store.addEpisode(run, episode(98, 0, true, { split: 'heldout', task: 'put_block_in_side_bin' }));
  db.close();
});

describe('exports', () => {
  it('writes successes as OpenAI chat JSONL, every line valid, with a stable validation split by scene', async () => {
    const db = openDataset(dbPath);
    const train = join(dir, 'train.jsonl');
    const validation = join(dir, 'val.jsonl');
    const result = await exportChatJsonl(db, train, validation, 0.2);
    expect(result.train + result.validation).toBe(60); // 40 + 20 successes with a prompt; scripted and held-out left out
    expect(result.skipped).toBe(1);
    expect(result.validation).toBeGreaterThan(0);
    for (const file of [train, validation]) {
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      for (const [i, line] of lines.entries())
        expect(chatLine.safeParse(JSON.parse(line)).success, `${file}:${i + 1}`).toBe(true);
    }
    const again = await exportChatJsonl(db, join(dir, 't2.jsonl'), join(dir, 'v2.jsonl'), 0.2);
    expect(readFileSync(join(dir, 'v2.jsonl'), 'utf8')).toBe(readFileSync(validation, 'utf8'));
    expect(again).toEqual(result);
    db.close();
  });

  it('pairs a success with a failure on the same scene', async () => {
    const db = openDataset(dbPath);
    const n = await exportPreferencePairs(db, join(dir, 'pairs.jsonl'));
    expect(n).toBe(20); // odd seeds have a failure
    const first = JSON.parse(readFileSync(join(dir, 'pairs.jsonl'), 'utf8').split('\n')[0]);
    expect(first.preferred_output[0].content).toContain('open_gripper');
    expect(first.non_preferred_output[0].content).toContain('close_gripper');
    expect(first.input.messages[1].role).toBe('user');
    db.close();
  });

  it('writes CSV with one row per episode', async () => {
    const db = openDataset(dbPath);
    expect(await exportCsv(db, join(dir, 'e.csv'))).toBe(82);
    const lines = readFileSync(join(dir, 'e.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(
      'id,task,split,arm,seed,sample,success,failure_kind,reason,model,tokens,sim_seconds,wall_seconds,created_at',
    );
    expect(lines).toHaveLength(83);
    db.close();
  });
});

describe('merge', () => {
  it("adds another machine's episodes once, sharing identical programs", () => {
    const other = join(dir, 'b.sqlite');
    const db = openDataset(other);
    const store = new EpisodeStore(db);
    const run = store.startRun({ key: 'machine-b', config: {}, teacher: 'tiny', codeVersion: '0.1.0' });
    for (let seed = 100; seed < 110; seed++) store.addEpisode(run, episode(seed, 0, true));
    db.close();
    const target = openDataset(join(dir, 'merged.sqlite'));
    expect(mergeDataset(target, dbPath)).toEqual({ runs: 1, episodes: 82, skipped: 0 });
    expect(mergeDataset(target, other)).toEqual({ runs: 1, episodes: 10, skipped: 0 });
    expect(mergeDataset(target, other)).toEqual({ runs: 0, episodes: 0, skipped: 10 });
    expect(target.prepare('SELECT COUNT(*) FROM episodes').pluck().get()).toBe(92);
    expect(target.prepare('SELECT COUNT(*) FROM programs').pluck().get()).toBe(2);
    expect(new EpisodeStore(target).stats({ task: 'put_block_in_bin' })[0]).toMatchObject({
      episodes: 91,
      successes: 71,
    });
    target.close();
  });
});
