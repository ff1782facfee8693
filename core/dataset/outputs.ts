// Where an export may write: never over the dataset it reads or the files SQLite keeps beside it
// (-wal, -shm, -journal), whatever the spelling (a relative path, '..', a symlink, a hard link), and
// always through the atomic writer, whose failures become DatasetErrors naming the file.
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FileWriteError, writeFilesAtomically, type FileSink } from '../files/atomic-write.ts';
import { DatasetError } from './errors.ts';

const COMPANIONS = [
  ['', 'the dataset itself'],
  ['-wal', "the dataset's write-ahead log"],
  ['-shm', "the dataset's shared-memory index"],
  ['-journal', "the dataset's rollback journal"],
] as const;

/** Throw DatasetError 'bad-input' when an output path names the dataset or one of its files. */
export function refuseDatasetAsOutput(datasetFile: string, outputs: string[]): void {
  const dataset = canonical(datasetFile);
  for (const out of outputs) {
    const target = canonical(out);
    const stats = statSync(out, { throwIfNoEntry: false });
    for (const [suffix, what] of COMPANIONS) {
      const companion = statSync(dataset + suffix, { throwIfNoEntry: false });
      const sameFile = stats && companion && stats.dev === companion.dev && stats.ino === companion.ino;
      if (target === dataset + suffix || sameFile)
        throw new DatasetError(
          'bad-input',
          `the export file ${out} is ${what} (${datasetFile}${suffix}): writing it would destroy the dataset; choose another file`,
        );
    }
  }
  if (new Set(outputs.map(canonical)).size < outputs.length)
    throw new DatasetError('bad-input', `the export files must differ: ${outputs.join(', ')}`);
}

/** Write the outputs all at once or not at all (see writeFilesAtomically), as DatasetErrors. */
export async function writeOutputs(
  paths: string[],
  produce: (sinks: FileSink[]) => Promise<void>,
): Promise<void> {
  try {
    await writeFilesAtomically(paths, produce);
  } catch (err) {
    if (!(err instanceof FileWriteError)) throw err;
    throw new DatasetError(err.kind === 'not-a-regular-file' ? 'bad-input' : 'write-failed', err.message);
  }
}

/** The path with symlinks resolved, in its folder's real path when it does not exist yet. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}
