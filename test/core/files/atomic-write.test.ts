// core/files/atomic-write.ts (the writer exports and recordings use; kept here beside the exports
// that use it): the target is replaced whole or not at all, and what is not a regular file is refused.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import {
  FileWriteError,
  writeFileAtomically,
  writeFileAtomicallySync,
  writeFilesAtomically,
} from '../../../core/files/atomic-write.ts';
import { tempDir } from '../../helpers.ts';
import { fingerprint } from '../dataset/helpers.ts';
import { isRoot } from '../dataset/processes/children.ts';

async function refusal(action: () => unknown): Promise<FileWriteError> {
  try {
    await action();
  } catch (err) {
    if (err instanceof FileWriteError) return err;
    throw err;
  }
  throw new Error('the write succeeded');
}

describe('writing a file atomically', () => {
  it('replaces a regular file whole, keeping its permissions, and leaves no temporary file', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.jsonl');
    writeFileSync(path, 'old');
    chmodSync(path, 0o640);
    await writeFileAtomically(path, async (sink) => {
      for (let i = 0; i < 50_000; i++) await sink.write(`line ${i}\n`);
    });
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(50_001);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    writeFileAtomicallySync(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(Object.keys(fingerprint(dir))).toEqual(['out.jsonl']);
  });

  it('refuses a symlink, a folder, a named pipe and a device, naming them, and changes nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real.txt'), 'keep me');
    symlinkSync(join(dir, 'real.txt'), join(dir, 'link'));
    mkdirSync(join(dir, 'folder'));
    const special: [string, string][] = [
      ['link', 'a symbolic link'],
      ['folder', 'a folder'],
    ];
    if (spawnSync('mkfifo', [join(dir, 'fifo')]).status === 0) special.push(['fifo', 'a named pipe']);
    // Only root can make a device node (a copy of /dev/null): the case where rename would replace it.
    if (isRoot && spawnSync('mknod', [join(dir, 'null'), 'c', '1', '3']).status === 0)
      special.push(['null', 'a device']);
    const before = fingerprint(dir);
    for (const [name, what] of special) {
      const path = join(dir, name);
      for (const write of [
        () => writeFileAtomically(path, 'x'),
        () => writeFileAtomicallySync(path, 'x'),
        () => writeFilesAtomically([join(dir, 'fine.txt'), path], async () => undefined),
      ]) {
        const error = await refusal(write);
        expect(error).toMatchObject({
          kind: 'not-a-regular-file',
          message: `${path} is ${what}, not a regular file: refusing to replace it (name a new or regular file)`,
        });
      }
    }
    expect(fingerprint(dir)).toEqual(before);
    expect(readlinkSync(join(dir, 'link'))).toBe(join(dir, 'real.txt'));
    expect(special.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the previous file when the content fails half-way, and removes its temporary file', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'previous');
    await expect(
      writeFileAtomically(path, async (sink) => {
        await sink.write('x'.repeat(1_000_000));
        throw new Error('the database went away');
      }),
    ).rejects.toThrow('the database went away');
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(Object.keys(fingerprint(dir))).toEqual(['out.csv']);
  });

  it('lands several files together: when one cannot be renamed, the ones already renamed are put back', async () => {
    const dir = tempDir();
    const [a, b] = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')];
    writeFileSync(a, 'old a');
    const error = await refusal(() =>
      writeFilesAtomically([a, b], async ([sa, sb]) => {
        await sa.write('new a');
        await sb.write('new b');
        mkdirSync(b); // b turns into a folder while the files are written: its rename is refused
      }),
    );
    expect(error.message).toMatch(/b.jsonl is a folder/);
    expect(readFileSync(a, 'utf8')).toBe('old a');
    expect(Object.keys(fingerprint(dir))).toEqual(['a.jsonl', 'b.jsonl']);
    expect(fingerprint(dir)['b.jsonl']).toBe('folder');
  });
});
