// Several real processes on one dataset at once: opening a new file together, starting the same
// runs together, one run claimed by one writer, a writer behind another's lock, a merge beside a
// generation, a merge killed half-way.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDataset, DatasetError } from '../../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../../core/dataset/episode-store.ts';
import { SCHEMA_VERSION } from '../../../core/dataset/migrations.ts';
import { tempDir } from '../../helpers.ts';
import { episode, fillDataset } from './helpers.ts';
import { startWorker, stopWorkers, together, waitFor } from './processes/children.ts';

afterEach(stopWorkers);

describe('processes opening and writing one dataset at once', () => {
  it('four processes opening a new file together all get the migrated dataset, three times over', async () => {
    for (let round = 0; round < 3; round++) {
      const db = join(tempDir(), 'new.sqlite');
      const outcomes = await together(
        Array.from({ length: 4 }, () => startWorker('open', { db, barrier: true })),
      );
      expect(outcomes.map((o) => o.error?.message ?? o.result)).toEqual(Array(4).fill(SCHEMA_VERSION));
    }
  });

  it('three processes starting and finishing the same 150 runs never collide on the run row', async () => {
    const db = join(tempDir(), 'runs.sqlite');
    openDataset(db).close();
    const keys = Array.from({ length: 150 }, (_, i) => `run-${i}`);
    const outcomes = await together(
      Array.from({ length: 3 }, () => startWorker('start-runs', { db, keys, barrier: true })),
    );
    for (const o of outcomes) expect(o.error?.message ?? 'no error').toBe('no error');
    const ids = outcomes.map((o) => o.result as (number | 'busy')[]);
    for (const [i] of keys.entries()) {
      const got = new Set(ids.map((list) => list[i]).filter((id) => id !== 'busy'));
      expect(got.size, keys[i]).toBe(1); // one run per key, whoever started it
    }
    const check = openDataset(db, { readonly: true });
    expect(check.prepare('SELECT status, COUNT(*) AS n FROM runs GROUP BY status').all()).toEqual([
      { status: 'done', n: 150 },
    ]);
    check.close();
  });

  it('one process writes a run at a time: the second is told who holds it, and a killed holder is taken over', async () => {
    const db = join(tempDir(), 'claim.sqlite');
    openDataset(db).close();
    const both = [0, 1].map(() => startWorker('claim', { db, key: 'same', hold: true, barrier: true }));
    await Promise.all(both.map((c) => c.printed('ready')));
    for (const c of both) c.process.kill('SIGUSR1');
    const first = await Promise.race(both.map((c, i) => c.printed('claimed').then((line) => ({ line, i }))));
    const other = both[1 - first.i];
    const claimedToo = other.printed('claimed').then(
      () => 'it claimed the run too',
      () => 'ended',
    );
    const refused = await Promise.race([other.outcome, claimedToo]);
    expect(refused).toMatchObject({ error: { kind: 'busy' } });
    expect((refused as Awaited<typeof other.outcome>).error?.message).toMatch(
      new RegExp(
        `another process \\(pid ${both[first.i].process.pid} on .+\\) is writing run 1 of ${db} .*wait for it to finish or stop it`,
      ),
    );

    // Not ours to finish: the live holder's run stays running.
    const store = new EpisodeStore(openDataset(db));
    expect(store.finishRun(1, 'stopped')).toBe(false);
    expect(store.db.prepare('SELECT status FROM runs WHERE id = 1').pluck().get()).toBe('running');
    store.db.close();

    both[first.i].process.kill('SIGKILL');
    await both[first.i].outcome;
    const next = await startWorker('claim', { db, key: 'same' }).outcome;
    expect(next.result ?? next.error).toEqual({ runId: 1, finished: true });
  });

  it('a writer behind a lock it cannot get within its busy timeout fails with a message naming the file', async () => {
    const db = join(tempDir(), 'locked.sqlite');
    fillDataset(db, 2);
    const holder = startWorker('lock', { db });
    await holder.printed('locked');
    try {
      const store = new EpisodeStore(openDataset(db, { busyTimeoutMs: 300 }));
      let error: unknown;
      try {
        store.addEpisode(1, episode(99, 0, true));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DatasetError);
      expect(error).toMatchObject({
        kind: 'busy',
        message: expect.stringMatching(/is busy: another process kept it locked/),
      });
      expect((error as Error).message).toContain(db);
      store.db.close();
    } finally {
      holder.process.kill('SIGKILL');
    }
  });
});

describe('merging beside other writers', () => {
  it('a generation writing the dataset during a merge gets in between chunks instead of waiting for the end', async () => {
    const dir = tempDir();
    const source = join(dir, 'source.sqlite');
    const target = join(dir, 'target.sqlite');
    fillDataset(source, 3000, { key: 'machine-b' });
    openDataset(target).close();
    const writer = startWorker('add-episodes', { db: target, key: 'live', seeds: [10_000], barrier: true });
    await writer.printed('ready');
    const merge = startWorker('merge', { db: target, source, chunkEpisodes: 100 });
    await waitFor(merge, () => count(target) > 0); // the first chunk is in
    writer.process.kill('SIGUSR1');
    const [written, merged] = await Promise.all([writer.outcome, merge.outcome]);
    const [liveId] = written.result as number[];
    const check = openDataset(target, { readonly: true });
    const lastMerged = check
      .prepare("SELECT MAX(e.id) FROM episodes e JOIN runs r ON r.id = e.run_id WHERE r.key = 'machine-b'")
      .pluck()
      .get() as number;
    check.close();
    expect(liveId).toBeLessThan(lastMerged); // it landed while the merge was still going
    expect(merged.result).toMatchObject({ runs: 1, episodes: 3000, skipped: 0, chunks: 30 });
  });

  it('a merge killed half-way keeps what it committed, and merging again adds exactly the rest', async () => {
    const dir = tempDir();
    const source = join(dir, 'source.sqlite');
    const target = join(dir, 'target.sqlite');
    fillDataset(source, 3000, { key: 'machine-b' });
    fillDataset(target, 10, { key: 'machine-a' });
    const merge = startWorker('merge', { db: target, source, chunkEpisodes: 100 });
    await waitFor(merge, () => count(target) > 10);
    merge.process.kill('SIGKILL');
    await merge.outcome;
    const atKill = count(target);
    expect(atKill).toBeLessThan(3010); // killed mid-merge, with part of it committed

    const again = await startWorker('merge', { db: target, source, chunkEpisodes: 100 }).outcome;
    expect(again.result).toMatchObject({ runs: 0, episodes: 3010 - atKill, skipped: atKill - 10 });
    const check = openDataset(target, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(
      check
        .prepare(
          'SELECT COUNT(*) AS n, COUNT(DISTINCT run_id || task || arm || seed || sample) AS distinctEpisodes FROM episodes',
        )
        .get(),
    ).toEqual({ n: 3010, distinctEpisodes: 3010 });
    check.close();
  });
});

function count(path: string): number {
  const db = openDataset(path, { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM episodes').pluck().get() as number;
  } finally {
    db.close();
  }
}
