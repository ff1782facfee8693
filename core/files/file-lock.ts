// A short exclusive lock between threads and processes, for a read-modify-write of a small file
// (a student's progress): a lock file beside it, created exclusively. The work it guards takes
// milliseconds, so a waiter polls; a lock older than STALE_MS was left by a killed process and is
// taken over.
import { closeSync, openSync, statSync, unlinkSync as removeFile, writeSync } from 'node:fs';
import { LabError } from '../errors.ts';

const STALE_MS = 10_000;
const WAIT_MS = 5_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Run `work` while holding `<path>.lock`; waits up to 5 s for another holder. */
export function withFileLock<T>(path: string, work: () => T): T {
  const lock = `${path}.lock`;
  const start = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (ageMs(lock) > STALE_MS) {
      unlinkSync(lock, { missingOk: true });
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
    unlinkSync(lock, { missingOk: true });
  }
}

/** Remove a file; one already gone is fine when another waiter got there first. */
function unlinkSync(path: string, { missingOk }: { missingOk: boolean }): void {
  try {
    removeFile(path);
  } catch (err) {
    if (!(missingOk && (err as NodeJS.ErrnoException).code === 'ENOENT')) throw err;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0; // released meanwhile: try again
  }
}
