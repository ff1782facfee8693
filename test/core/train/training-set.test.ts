// Training sets: which episodes a student learns from, snapshotted in the dataset, written as JSONL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDataset, type Db } from '../../../core/dataset/open-dataset.ts';
import { EpisodeStore, type EpisodeRecord } from '../../../core/dataset/episode-store.ts';
import { createTrainingSet, listTrainingSets, writeTrainingFiles } from '../../../core/train/training-set.ts';
import { tempDir } from '../../helpers.ts';

const prompt = (task: string, seed: number) => [
  { role: 'system', content: 'You write robot programs.' },
  { role: 'user', content: `Task: ${task} ${seed}` },
];

function episode(
  task: string,
  seed: number,
  sample: number,
  success: boolean,
  answer?: string,
): EpisodeRecord {
  return {
    task,
    split: 'train',
    arm: 'panda',
    seed,
    sample,
    instruction: task,
    scene: {},
    ...(answer !== undefined
      ? { prompt: prompt(task, seed), answer, format: 'code' }
      : { format: 'scripted' }),
    trace: [],
    success,
    reason: success ? 'done' : 'missed',
    ...(success ? {} : { failureKind: 'task-failed' }),
    model: 'm',
    simSeconds: 1,
    wallSeconds: 1,
  };
}

/** A dataset with: reach_target successes (seeds 0-9) and failures (seeds 0-2), scripted episodes
 *  without answers, and an evaluation run whose successes must never become training data. */
function dataset(): { db: Db; path: string } {
  const path = join(tempDir(), 'lab.sqlite');
  const db = openDataset(path, { create: true });
  const store = new EpisodeStore(db);
  const gen = store.startRun({ key: 'gen', config: {}, teacher: 'm', codeVersion: 't' });
  for (let seed = 0; seed < 10; seed++)
    store.addEpisode(gen, episode('reach_target', seed, 0, true, `ok ${seed}`));
  for (let seed = 0; seed < 3; seed++)
    store.addEpisode(gen, episode('reach_target', seed, 1, false, `bad ${seed}`));
  for (let seed = 0; seed < 4; seed++) store.addEpisode(gen, episode('pick_and_lift', seed, 0, true));
  store.finishRun(gen, 'done');
  const evalRun = store.startRun({
    key: 'eval',
    config: {},
    teacher: 'm',
    codeVersion: 't',
    purpose: 'eval',
  });
  for (let seed = 0; seed < 5; seed++)
    store.addEpisode(evalRun, episode('reach_target', 1e9 + seed, 0, true, 'eval answer'));
  store.finishRun(evalRun, 'done');
  return { db, path };
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('training sets', () => {
  it('snapshot verified successes with prompt and answer, never from evaluation runs, and write OpenAI chat JSONL', async () => {
    const { db } = dataset();
    const set = createTrainingSet(db, { name: 'reach-v1', method: 'supervised', validation: 0.3 });
    expect(set.train + set.validation).toBe(10);
    expect(set.validation).toBeGreaterThan(0);
    expect(set.perTask).toEqual({ reach_target: 10 });
    const files = await writeTrainingFiles(db, 'reach-v1', tempDir());
    const train = lines(files.train);
    expect(train.length).toBe(set.train);
    expect(train[0].messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(
      train.every((l: { messages: { content: string }[] }) => /^ok \d$/.test(l.messages[2].content)),
    ).toBe(true);
    expect(lines(files.validation!).length).toBe(set.validation);
    // The snapshot stays as it was when more data arrives.
    const store = new EpisodeStore(db);
    const later = store.startRun({ key: 'later', config: {}, teacher: 'm', codeVersion: 't' });
    store.addEpisode(later, episode('reach_target', 50, 0, true, 'ok later'));
    const again = await writeTrainingFiles(db, 'reach-v1', tempDir());
    expect(readFileSync(again.train, 'utf8')).toBe(readFileSync(files.train, 'utf8'));
    expect(listTrainingSets(db).map((s) => s.name)).toEqual(['reach-v1']);
    db.close();
  });

  it('caps examples per task with a seeded, reproducible choice', () => {
    const { db } = dataset();
    const a = createTrainingSet(db, { name: 'a', method: 'supervised', maxPerTask: 4, seed: 7 });
    const b = createTrainingSet(db, { name: 'b', method: 'supervised', maxPerTask: 4, seed: 7 });
    const ids = (id: number) =>
      db
        .prepare('SELECT episode_id FROM training_set_examples WHERE set_id = ? ORDER BY episode_id')
        .pluck()
        .all(id);
    expect(a.train + a.validation).toBe(4);
    expect(ids(a.id)).toEqual(ids(b.id));
    db.close();
  });

  it('pairs a success with a failure on the same scene for DPO, in the OpenAI preference format', async () => {
    const { db } = dataset();
    const set = createTrainingSet(db, { name: 'pairs', method: 'dpo', validation: 0 });
    expect(set.train).toBe(3);
    const [first] = lines((await writeTrainingFiles(db, 'pairs', tempDir())).train);
    expect(first.input.messages[1].content).toBe('Task: reach_target 0');
    expect(first.preferred_output).toEqual([{ role: 'assistant', content: 'ok 0' }]);
    expect(first.non_preferred_output).toEqual([{ role: 'assistant', content: 'bad 0' }]);
    db.close();
  });

  it('explains an empty set in terms a user can act on, and refuses a taken name', () => {
    const { db } = dataset();
    expect(() =>
      createTrainingSet(db, { name: 'x', method: 'supervised', tasks: ['pick_and_lift'] }),
    ).toThrow(/none of the 4 successful episodes for pick_and_lift carries a prompt and an answer/);
    expect(() =>
      createTrainingSet(db, { name: 'x', method: 'supervised', tasks: ['stack_two_blocks'] }),
    ).toThrow(/no successful episodes for stack_two_blocks: generate data first/);
    expect(() => createTrainingSet(db, { name: 'x', method: 'dpo', tasks: ['pick_and_lift'] })).toThrow(
      /both a success and a failed answer/,
    );
    createTrainingSet(db, { name: 'x', method: 'supervised' });
    expect(() => createTrainingSet(db, { name: 'x', method: 'supervised' })).toThrow(/already exists/);
    expect(() => createTrainingSet(db, { name: '../x', method: 'supervised' })).toThrow(/must be letters/);
    db.close();
  });
});
