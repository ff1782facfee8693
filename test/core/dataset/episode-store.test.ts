// What one episode stores and how it reads back: bounded texts and JSON, a typed camelCase episode,
// page sizes checked before they reach SQL.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDataset, DatasetError } from '../../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../../core/dataset/episode-store.ts';
import { exportChatJsonl } from '../../../core/dataset/export.ts';
import { HEARTBEAT_MS, STALE_AFTER_MS } from '../../../core/dataset/run-claims.ts';
import { tempDir } from '../../helpers.ts';
import { episode } from './helpers.ts';

function newStore(): { store: EpisodeStore; run: number; dir: string } {
  const dir = tempDir();
  const store = new EpisodeStore(openDataset(join(dir, 'lab.sqlite')));
  const run = store.startRun({ key: 'k', config: {}, teacher: 'tiny', codeVersion: 'test' });
  return { store, run, dir };
}

describe('stored sizes', () => {
  it('cuts runaway texts and JSON with a marker, says which fields were cut, and keeps cut answers out of training data', async () => {
    const { store, run, dir } = newStore();
    const huge = 'Traceback (most recent call last):\n' + 'x'.repeat(30_000_000);
    const manySteps = Array.from({ length: 100_000 }, (_, i) => ({
      primitive: 'move_gripper',
      step: i,
      status: 'reached',
    }));
    store.addEpisode(
      run,
      episode(1, 0, true, {
        failure: huge,
        reason: huge,
        answer: 'A'.repeat(1_000_000),
        program: 'move_gripper([0.5, 0, 0.2], 0)\n'.repeat(100_000),
        instruction: 'I'.repeat(50_000),
        trace: manySteps,
        prompt: [{ role: 'user', content: 'P'.repeat(5_000_000) }],
        scene: { objects: 'S'.repeat(5_000_000) },
      }),
    );
    store.addEpisode(run, episode(2, 0, true));

    const sizes = store.db
      .prepare(
        `SELECT length(e.failure) AS failure, length(e.reason) AS reason, length(e.answer) AS answer, length(p.text) AS program,
                length(e.instruction) AS instruction, length(e.trace) AS trace, length(e.prompt) AS prompt, length(e.scene) AS scene
         FROM episodes e JOIN programs p ON p.id = e.program_id WHERE e.seed = 1`,
      )
      .get() as Record<string, number>;
    for (const [field, size] of Object.entries(sizes)) expect(size, field).toBeLessThanOrEqual(1_000_000);
    expect(sizes.failure).toBeLessThanOrEqual(16_000);

    const shown = store.show(1);
    expect(shown.failure).toMatch(
      /^Traceback \(most recent call last\):\nx+\n\[cut by BLAZER Lab: kept \d+ of 30000035 characters\]$/,
    );
    expect(shown.cut.sort()).toEqual([
      'answer',
      'failure',
      'instruction',
      'program',
      'prompt',
      'reason',
      'scene',
      'trace',
    ]);
    const trace = shown.trace as { step?: number; cut?: string }[];
    expect(trace[0]).toEqual(manySteps[0]); // the first steps are kept as they were
    expect(trace.at(-1)!.cut).toMatch(/^BLAZER Lab kept \d+ of 100000 items/);
    expect(shown.scene).toMatchObject({ cut: expect.stringMatching(/kept the first characters/) });
    expect(store.show(2).cut).toEqual([]);

    const result = await exportChatJsonl(store.db, join(dir, 't.jsonl'), join(dir, 'v.jsonl'), 0);
    expect(result).toMatchObject({ train: 1, cut: 1 });
    store.db.close();
  });
});

describe('run claims', () => {
  it('honour a claim made under another host name while its heartbeat is fresh, and take it over once stale', () => {
    const { store, run } = newStore();
    expect(store.finishRun(run, 'stopped')).toBe(true);
    const claimFrom = (ageMs: number): void => {
      store.db
        .prepare(
          `INSERT OR REPLACE INTO run_claims (run_id, token, pid, host, claimed_at, heartbeat_at)
           VALUES (?, 'theirs', 1, 'container-7', ?, ?)`,
        )
        .run(run, Date.now() - ageMs, Date.now() - ageMs);
    };
    const config = { key: 'k', config: {}, teacher: 'tiny', codeVersion: 'test' };
    claimFrom(HEARTBEAT_MS);
    expect(() => store.startRun(config)).toThrow(
      expect.objectContaining({
        kind: 'busy',
        message: expect.stringMatching(/another process \(pid 1 on container-7, since/),
      }),
    );
    expect(store.finishRun(run, 'done')).toBe(false); // theirs
    claimFrom(STALE_AFTER_MS + 1000);
    expect(store.startRun(config)).toBe(run);
    expect(store.finishRun(run, 'done')).toBe(true);
    store.db.close();
  });
});

describe('reading episodes back', () => {
  it('shows one episode as a typed camelCase record with its JSON parsed', () => {
    const { store, run } = newStore();
    store.addEpisode(run, episode(7, 1, false, { tokens: 42, sampling: { temperature: 0.5 } }), 1234);
    const shown = store.show(1);
    expect(Object.keys(shown).sort()).toEqual(
      [
        'id',
        'runId',
        'task',
        'split',
        'arm',
        'seed',
        'sample',
        'instruction',
        'scene',
        'prompt',
        'answer',
        'format',
        'program',
        'trace',
        'success',
        'failureKind',
        'failure',
        'reason',
        'model',
        'sampling',
        'tokens',
        'simSeconds',
        'wallSeconds',
        'createdAt',
        'cut',
      ].sort(),
    );
    expect(shown).toMatchObject({
      id: 1,
      runId: run,
      seed: 7,
      sample: 1,
      success: false,
      failureKind: 'task-failed',
      program: 'close_gripper()\n',
      tokens: 42,
      sampling: { temperature: 0.5 },
      simSeconds: 1,
      wallSeconds: 0.1,
      createdAt: 1234,
    });
    expect((shown.prompt as { role: string }[])[1].role).toBe('user');
    expect(() => store.show(99)).toThrow(new DatasetError('not-found', `no episode 99 in ${store.db.name}`));
    store.db.close();
  });

  it('refuses a page size that is not a whole number of at least 1 instead of passing it to SQL', () => {
    const { store, run } = newStore();
    for (let seed = 0; seed < 3; seed++) store.addEpisode(run, episode(seed, 0, true));
    for (const limit of [Number('abc'), -5, 0, 1.5, Infinity]) {
      let error: unknown;
      try {
        store.list({}, { limit });
      } catch (err) {
        error = err;
      }
      expect(error, String(limit)).toMatchObject({
        kind: 'bad-input',
        message: expect.stringMatching(/limit must be a whole number/),
      });
    }
    expect(store.list({}, { limit: 2 }).rows).toHaveLength(2);
    store.db.close();
  });
});
