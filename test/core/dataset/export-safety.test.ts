// Exports that cannot be written fail with a DatasetError naming the file and the cause, and leave
// the previous export exactly as it was: a path naming the dataset, a missing folder, a read-only
// folder, a full disk, an export killed half-way; the chat export's two files land together or not.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { openDataset, DatasetError } from '../../../core/dataset/open-dataset.ts';
import { exportChatJsonl, exportCsv, exportPreferencePairs } from '../../../core/dataset/export.ts';
import { tempDir } from '../../helpers.ts';
import { fillDataset, fingerprint } from './helpers.ts';
import {
  canDropToNobody,
  canMount,
  fileSizeLimit,
  isRoot,
  NOBODY,
  openToOthers,
  readOnlyMount,
  startWorker,
  stopWorkers,
  tinyDisk,
  type How,
  waitFor,
} from './processes/children.ts';

afterEach(stopWorkers);

const PREVIOUS = 'the previous export\n';

async function failure(action: () => Promise<unknown>): Promise<DatasetError> {
  try {
    await action();
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('the export succeeded');
}

describe('an export never overwrites its dataset', () => {
  it('refuses the dataset, its -wal, -shm and -journal, by any spelling, and the dataset stays whole', async () => {
    const dir = tempDir();
    const path = join(dir, 'lab.sqlite');
    fillDataset(path, 40);
    mkdirSync(join(dir, 'sub'));
    symlinkSync(path, join(dir, 'link.sqlite'));
    linkSync(path, join(dir, 'hard.sqlite'));
    const before = readFileSync(path);
    const db = openDataset(path); // a write open: the -wal and -shm exist now
    const spellings = [
      path,
      `${path}-wal`,
      `${path}-shm`,
      `${path}-journal`,
      join(dir, 'sub', '..', 'lab.sqlite'),
      join(dir, 'link.sqlite'),
      join(dir, 'hard.sqlite'),
    ];
    const exports: [string, (out: string) => Promise<unknown>][] = [
      ['csv', (out) => exportCsv(db, out)],
      ['pairs', (out) => exportPreferencePairs(db, out)],
      ['chat train', (out) => exportChatJsonl(db, out, join(dir, 'v.jsonl'))],
      ['chat validation', (out) => exportChatJsonl(db, join(dir, 't.jsonl'), out)],
    ];
    for (const out of spellings)
      for (const [name, run] of exports) {
        const error = await failure(() => run(out));
        expect(error.kind, `${name} to ${out}`).toBe('bad-input');
        expect(error.message).toMatch(
          new RegExp(
            `^the export file ${out} is the dataset('s [a-z -]+| itself) .*would destroy the dataset`,
          ),
        );
      }
    expect(db.prepare('SELECT COUNT(*) FROM episodes').pluck().get()).toBe(40);
    db.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    const check = openDataset(path, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  });
});

describe('an export that cannot be written', () => {
  /** A dataset, and a folder for the export holding a previous export. */
  function setup(episodes = 40, reason?: string): { db: string; out: string; outDir: string } {
    const top = tempDir();
    const db = join(top, 'lab.sqlite');
    fillDataset(db, episodes, { reason });
    const outDir = join(top, 'exports');
    mkdirSync(outDir);
    const out = join(outDir, 'episodes.csv');
    writeFileSync(out, PREVIOUS);
    openToOthers(top, outDir);
    return { db, out, outDir };
  }

  it('names a missing folder, and writes nothing', async () => {
    const { db: path, outDir } = setup();
    const before = fingerprint(outDir);
    const db = openDataset(path, { readonly: true });
    const missing = join(outDir, 'nope', 'episodes.csv');
    const error = await failure(() => exportCsv(db, missing));
    expect(error).toMatchObject({
      kind: 'write-failed',
      message: expect.stringMatching(
        `^cannot write ${missing}: the folder ${join(outDir, 'nope')} does not exist`,
      ),
    });
    const chat = await failure(() => exportChatJsonl(db, join(outDir, 'episodes.csv'), missing));
    expect(chat.kind).toBe('write-failed');
    db.close();
    expect(fingerprint(outDir)).toEqual(before); // the chat's train file did not land either
  });

  /** Export in another process started `how`; it fails with `cause` and the folder stays as it was. */
  async function failsLeavingPrevious(
    how: (outDir: string) => How,
    cause: RegExp,
    episodes = 40,
  ): Promise<void> {
    const { db, out, outDir } = setup(episodes);
    const before = fingerprint(outDir);
    const outcome = await startWorker('export', { db, out }, how(outDir)).outcome;
    expect(outcome.error?.name, outcome.stderr).toBe('DatasetError');
    expect(outcome.error).toMatchObject({ kind: 'write-failed', message: expect.stringMatching(cause) });
    expect(outcome.error!.message).toContain(out);
    expect(fingerprint(outDir)).toEqual(before);
  }

  it.skipIf(isRoot)('names a read-only folder', async () => {
    const { chmodSync } = await import('node:fs');
    await failsLeavingPrevious((outDir) => {
      chmodSync(outDir, 0o555);
      return {};
    }, /no permission to write in/);
  });

  // chmod does not stop root: as root, the export runs as nobody in root's folder.
  it.skipIf(!canDropToNobody)('names a folder the user may not write', () =>
    failsLeavingPrevious(() => ({ as: NOBODY }), /no permission to write in/),
  );

  it.skipIf(!canMount)('names a read-only file system, for root too', () =>
    failsLeavingPrevious((outDir) => ({ wrap: readOnlyMount(outDir) }), /is on a read-only file system/),
  );

  it('names a file size limit (ulimit -f: EFBIG, not a crash on SIGXFSZ)', () =>
    failsLeavingPrevious(() => ({ wrap: fileSizeLimit(64) }), /grew past the largest file/, 4000));

  // A real full disk: a tiny tmpfs over the export folder, in a private mount namespace. The
  // previous export is written inside it by the child, which reports the folder afterwards.
  it.skipIf(!canMount)('names a full disk', async () => {
    const { db, out, outDir } = setup(4000);
    const outcome = await startWorker(
      'export',
      { db, out, previous: PREVIOUS, report: outDir },
      { wrap: tinyDisk(outDir, '64k') },
    ).outcome;
    expect(outcome.error).toMatchObject({
      kind: 'write-failed',
      message: expect.stringMatching(`^cannot write ${out}: the disk holding ${outDir} is full`),
    });
    const after = outcome.lines.find((l) => l.startsWith('FOLDER '))!;
    expect(JSON.parse(after.slice(7))).toEqual({ 'episodes.csv': PREVIOUS });
  });

  it('killed half-way leaves the previous export under its name, never a truncated one', async () => {
    // 3 MB of CSV, one row a millisecond: the first 256 KB reach the file long before the end.
    const { db, out, outDir } = setup(3000, 'r'.repeat(1000));
    const exporting = startWorker('export', { db, out, slowMs: 1 });
    await waitFor(exporting, () =>
      Object.keys(fingerprint(outDir)).some((f) => f.endsWith('.tmp') && partlyWritten(outDir, f)),
    );
    exporting.process.kill('SIGKILL');
    expect((await exporting.outcome).signal).toBe('SIGKILL'); // it had not finished
    expect(readFileSync(out, 'utf8')).toBe(PREVIOUS);
    // The next export replaces it whole.
    const db2 = openDataset(db, { readonly: true });
    expect(await exportCsv(db2, out)).toBe(3000);
    db2.close();
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(3001);
  });

  it('writes both chat files or neither', async () => {
    const { db: path, outDir } = setup(1000);
    const train = join(outDir, 'train.jsonl');
    const validation = join(outDir, 'train.validation.jsonl');
    writeFileSync(train, PREVIOUS);
    writeFileSync(validation, PREVIOUS);
    mkdirSync(join(outDir, 'taken.jsonl'));
    const db = openDataset(path, { readonly: true });
    const before = fingerprint(outDir);
    const folderInTheWay = await failure(() => exportChatJsonl(db, train, join(outDir, 'taken.jsonl')));
    expect(folderInTheWay.message).toMatch(/taken.jsonl is a folder, not a regular file/);
    expect(fingerprint(outDir)).toEqual(before);
    // A file size limit stops one of the two half-way: neither replaces its previous file.
    const limited = await startWorker(
      'export',
      { db: path, format: 'chat', out: train, validation },
      { wrap: fileSizeLimit(16) },
    ).outcome;
    expect(limited.error).toMatchObject({
      kind: 'write-failed',
      message: expect.stringMatching(/grew past/),
    });
    expect(fingerprint(outDir)).toEqual(before);

    const result = await exportChatJsonl(db, train, validation, 0.5);
    expect(result.train + result.validation).toBe(750);
    expect(readFileSync(train, 'utf8')).not.toBe(PREVIOUS);
    expect(readFileSync(validation, 'utf8')).not.toBe(PREVIOUS);
    db.close();
  });
});

function partlyWritten(dir: string, name: string): boolean {
  try {
    return readFileSync(join(dir, name)).length > 0;
  } catch {
    return false;
  }
}
