// A short exclusive lock between threads and processes, for a read-modify-write of a small file
// (a student's progress): a lock file beside it, created exclusively, holding its owner's token.
// The work it guards takes milliseconds, so a waiter polls; a lock older than STALE_MS was left by
// a killed process and is taken over. (Two waiters taking over the same stale lock at the same
// instant could both go on: that needs a killed holder and a race within microseconds.)
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync as removeFile, writeSync } from 'node:fs';
import { LabError } from '../errors.ts';

const STALE_MS = 3_000;
const WAIT_MS = 5_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Run `work` while holding `<path>.lock`; waits up to 5 s for another holder. */
export function withFileLock<T>(path: string, work: () => T): T {
  const lock = `${path}.lock`;
  const token = `${process.pid}-${randomBytes(8).toString('hex')}`;
  const start = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, token);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (ageMs(lock) > STALE_MS) {
      unlinkSync(lock);
      continue;
    }
    if (Date.now() - start > WAIT_MS)
      throw new LabError(
        'busy',
        `${path} stayed locked by another writer for ${WAIT_MS / 1000} s; try again`,
      );
    Atomics.wait(sleeper, 0, 0, 2); // a synchronous pause: the guarded work is synchronous too
  }
  try {
    return work();
  } finally {
    // Only our own lock: had ours been taken over as stale, the file is someone else's now.
    if (ownerOf(lock) === token) unlinkSync(lock);
  }
}

function ownerOf(lock: string): string | undefined {
  try {
    return readFileSync(lock, 'utf8');
  } catch {
    return undefined;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0; // released meanwhile: try again
  }
}

/** Remove a file; one already gone is fine (another waiter got there first). */
function unlinkSync(path: string): void {
  try {
    removeFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
