// Read-only opens: they never migrate or change a file, and they read datasets that cannot be
// written: a read-only file in a read-only folder (for root too, through a read-only mount).
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { openDataset, upgradeDataset } from '../../../core/dataset/open-dataset.ts';
import { SCHEMA_VERSION } from '../../../core/dataset/migrations.ts';
import { EpisodeStore } from '../../../core/dataset/episode-store.ts';
import { tempDir } from '../../helpers.ts';
import { fillDataset, fingerprint } from './helpers.ts';
import {
  canDropToNobody,
  canMount,
  isRoot,
  NOBODY,
  openToOthers,
  readOnlyMount,
  startWorker,
  stopWorkers,
  type How,
} from './processes/children.ts';

afterEach(stopWorkers);

const schemaVersion = (path: string): number => readFileSync(path).readInt32BE(60); // header bytes, no SQLite

describe('read-only opens', () => {
  it('read an older schema as it is, without migrating it or adding anything', () => {
    const dir = tempDir();
    const path = join(dir, 'v3.sqlite');
    fillDataset(path, 20, { upTo: 3 });
    const before = fingerprint(dir);
    const store = new EpisodeStore(openDataset(path, { readonly: true }));
    expect(store.db.pragma('user_version', { simple: true })).toBe(3); // not migrated by the open
    expect(store.stats()).toEqual([
      { task: 'put_block_in_bin', split: 'train', episodes: 20, successes: 15, rate: 0.75 },
    ]);
    expect(store.show(store.list({}, { limit: 1 }).rows[0].id)).toMatchObject({
      task: 'put_block_in_bin',
      cut: [],
    });
    store.db.close();
    expect(schemaVersion(path)).toBe(3);
    expect(fingerprint(dir)[`v3.sqlite`]).toBe(before['v3.sqlite']);
  });

  it('refuse a schema too old to read as it is, saying how to upgrade it, and leave it unchanged', () => {
    const dir = tempDir();
    const path = join(dir, 'v1.sqlite');
    const old = openDataset(path, { upTo: 1 });
    old
      .prepare("INSERT INTO runs (key, config, teacher, started_at) VALUES ('k', '{}', 'scripted', 1)")
      .run();
    old.close();
    const before = fingerprint(dir);
    expect(() => openDataset(path, { readonly: true })).toThrow(
      expect.objectContaining({
        kind: 'needs-upgrade',
        message: expect.stringMatching(
          new RegExp(
            `^${path} has the old schema version 1.*upgrade it once with a write command \\(lab dataset upgrade --db ${path}\\)`,
          ),
        ),
      }),
    );
    expect(fingerprint(dir)).toEqual(before);
    expect(upgradeDataset(path)).toEqual({ from: 1, to: SCHEMA_VERSION });
    const upgraded = new EpisodeStore(openDataset(path, { readonly: true }));
    expect(upgraded.stats()).toEqual([]);
    upgraded.db.close();
  });

  it('never create a file or a dataset', () => {
    const dir = tempDir();
    expect(() => openDataset(join(dir, 'missing.sqlite'), { readonly: true })).toThrow(
      expect.objectContaining({
        kind: 'no-dataset',
        message: `no dataset at ${join(dir, 'missing.sqlite')}`,
      }),
    );
    writeFileSync(join(dir, 'empty.sqlite'), '');
    expect(() => openDataset(join(dir, 'empty.sqlite'), { readonly: true })).toThrow(/holds no dataset yet/);
    expect(Object.keys(fingerprint(dir))).toEqual(['empty.sqlite']);
    expect(readFileSync(join(dir, 'empty.sqlite')).length).toBe(0);
  });
});

describe('datasets that cannot be written', () => {
  /** A dataset in a folder of its own, the file 0444 and the folder `mode`. */
  function shared(mode: number): { dir: string; path: string } {
    const top = tempDir();
    const dir = join(top, 'shared');
    mkdirSync(dir);
    const path = join(dir, 'lab.sqlite');
    fillDataset(path, 30);
    chmodSync(path, 0o444);
    chmodSync(dir, mode);
    openToOthers(top);
    return { dir, path };
  }

  /** Read it in another process, started `how(dir)`; nothing in its folder may change. */
  async function readsUnchanged(how: (dir: string) => How, mode = 0o555): Promise<void> {
    const { dir, path } = shared(mode);
    const before = fingerprint(dir);
    const read = await startWorker('read', { db: path }, how(dir)).outcome;
    expect(read.error?.message ?? 'read').toBe('read');
    expect(read.result).toMatchObject({
      stats: [{ task: 'put_block_in_bin', episodes: 30, successes: 22 }],
      rows: 5,
      shown: { task: 'put_block_in_bin' },
    });
    expect(fingerprint(dir)).toEqual(before); // no -wal, no -shm, the same bytes
  }

  it.skipIf(isRoot)('are read when the file and its folder are read-only for this user', () =>
    readsUnchanged(() => ({})),
  );

  // chmod does not stop root: as root, the reader runs as nobody, for whom the permissions hold.
  it.skipIf(!canDropToNobody)(
    'are read by another user when the file and its folder are read-only for them',
    () => readsUnchanged(() => ({ as: NOBODY })),
  );

  // A read-only mount stops root too (needs a mount namespace: root with CAP_SYS_ADMIN).
  it.skipIf(!canMount)('are read from a read-only mount, by root', () =>
    readsUnchanged((dir) => ({ wrap: readOnlyMount(dir) }), 0o755),
  );
});
