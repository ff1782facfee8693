// The dataset's errors: each has a kind a program can branch on and a message a user can act on,
// naming the file. SQLite's own codes (busy, read-only, full disk) are turned into these.
import { LabError } from '../errors.ts';

export type DatasetErrorKind =
  | 'not-sqlite' // not a SQLite file at all
  | 'not-a-dataset' // a SQLite file of another application
  | 'corrupt'
  | 'too-new' // written by a newer BLAZER Lab
  | 'needs-upgrade' // too old to read without upgrading it, and this open may not change it
  | 'no-dataset' // no dataset file at the path given
  | 'not-found' // something else named is not there (an episode, a folder)
  | 'no-access' // the file or its folder may not be read by this user
  | 'read-only' // a write on a file or folder that cannot be written
  | 'busy' // another process holds the file or the run
  | 'write-failed'
  | 'bad-input'
  | 'native-module';

export class DatasetError extends LabError {
  declare readonly kind: DatasetErrorKind;
  constructor(kind: DatasetErrorKind, message: string) {
    super(kind, message);
  }
}

/** A SQLite (or file) error as a DatasetError about `path`, or the error itself when it is none of these. */
export function sqliteProblem(err: unknown, path: string, busyTimeoutMs?: number): unknown {
  if (err instanceof DatasetError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const message = (err as Error).message ?? String(err);
  if (code === 'EACCES' || code === 'EPERM')
    return new DatasetError('no-access', `cannot read ${path}: this user may not read it or its folder`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new DatasetError(
      'busy',
      `${path} is busy: another process kept it locked${busyTimeoutMs ? ` for over ${busyTimeoutMs / 1000} s` : ''} (a merge or another writer); try again when it has finished`,
    );
  if (code.startsWith('SQLITE_READONLY'))
    return new DatasetError(
      'read-only',
      `${path} cannot be written (the file or its folder is read-only, or it was opened for reading only): ${message}`,
    );
  if (code === 'SQLITE_FULL')
    return new DatasetError(
      'write-failed',
      `cannot write ${path}: the disk is full; the last change was not stored`,
    );
  if (code.startsWith('SQLITE_IOERR'))
    return new DatasetError('write-failed', `cannot read or write ${path}: ${message}`);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return new DatasetError('corrupt', `${path} is damaged (${message}); it was left unchanged`);
  if (code.startsWith('SQLITE_CANTOPEN'))
    return new DatasetError('not-found', `cannot open ${path}: ${message}`);
  return err;
}

/** Run `action`, turning SQLite's errors into DatasetErrors about `path`. */
export function guarded<T>(path: string, action: () => T, busyTimeoutMs?: number): T {
  try {
    return action();
  } catch (err) {
    throw sqliteProblem(err, path, busyTimeoutMs);
  }
}
