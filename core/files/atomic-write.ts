// Writing a file so that readers only ever see the old content or the complete new content: write
// a temporary file beside the target (a fresh random name, created exclusively), fsync it, rename it
// over the target, fsync the folder. A crash, a kill or a full disk leaves the previous file as it
// was. A target that exists and is not a regular file (a symlink, a device, a folder, a fifo) is
// refused: rename would replace that entry, and the user meant something else by it.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  constants,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  statSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeWriteError, FileWriteError } from './write-errors.ts';

export { FileWriteError } from './write-errors.ts';

export interface FileSink {
  /** Queue text or bytes; resolves when the sink has room for more. */
  write(chunk: string | Uint8Array): Promise<void>;
}

/** The whole content, or a function that streams it into the file. */
export type FileContent = string | Uint8Array | ((sink: FileSink) => Promise<void>);

const FLUSH_BYTES = 256 * 1024;

/**
 * Check up front that `path` could be written (its folder exists, it is not a link, a folder or a
 * device), so work that ends in writing it is not done for nothing.
 */
export function checkWritableTarget(path: string): void {
  refuseNonRegularTarget(path);
  const folder = dirname(path);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new FileWriteError(
      'write-failed',
      path,
      `cannot write ${path}: the folder ${folder} does not exist`,
    );
}

/** Throw if `path` exists and is not a regular file; a symlink is refused, not followed. */
export function refuseNonRegularTarget(path: string): Stats | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileWriteError('write-failed', path, describeWriteError(err, path));
  }
  if (stats.isFile()) return stats;
  const what = stats.isSymbolicLink()
    ? 'a symbolic link'
    : stats.isDirectory()
      ? 'a folder'
      : stats.isFIFO()
        ? 'a named pipe'
        : stats.isSocket()
          ? 'a socket'
          : 'a device';
  throw new FileWriteError(
    'not-a-regular-file',
    path,
    `${path} is ${what}, not a regular file: refusing to replace it (name a new or regular file)`,
  );
}

export async function writeFileAtomically(path: string, content: FileContent): Promise<void> {
  await writeFilesAtomically([path], async ([sink]) => {
    if (typeof content === 'function') await content(sink);
    else await sink.write(content);
  });
}

/**
 * Write several files so that all of them land or none does: `produce` writes into one sink per
 * path; every temporary file is complete and on disk before the first rename, and a failed rename
 * puts back the files renamed before it. (A kill in the microseconds between two renames can still
 * leave a mix: renames of two names cannot be one operation.) Nothing is renamed if `produce` throws.
 */
export async function writeFilesAtomically(
  paths: string[],
  produce: (sinks: FileSink[]) => Promise<void>,
): Promise<void> {
  const existing = paths.map((p) => refuseNonRegularTarget(p));
  const temps: TempFile[] = [];
  try {
    for (const [i, path] of paths.entries()) temps.push(await TempFile.create(path, existing[i]));
    await produce(temps.map((t) => t.sink));
    for (const t of temps) await t.finish();
    commit(temps.map((t) => ({ path: t.path, temp: t.temp })));
  } catch (err) {
    for (const t of temps) await t.discard();
    throw err;
  }
}

/** The same for content already in memory, for callers that cannot await. */
export function writeFileAtomicallySync(path: string, content: string | Uint8Array): void {
  const existing = refuseNonRegularTarget(path);
  const temp = tempName(path);
  let fd: number | undefined;
  try {
    fd = io(path, () => openSync(temp, 'wx', 0o666));
    if (existing) io(path, () => fchmodSync(fd!, existing.mode & 0o7777)); // keep the user's permissions
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    for (let done = 0; done < bytes.length;)
      done += io(path, () => writeSync(fd!, bytes, done, bytes.length - done));
    io(path, () => fsyncSync(fd!));
    closeSync(fd);
    fd = undefined;
    commit([{ path, temp }]);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    removeQuietly(temp);
    throw err;
  }
}

/** A temporary file beside its target, written through a buffering sink. */
class TempFile {
  private pending: Buffer[] = [];
  private size = 0;
  private closed = false;
  readonly sink: FileSink = {
    write: async (chunk) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk); // a copy: callers may reuse theirs
      this.pending.push(buffer);
      this.size += buffer.length;
      if (this.size >= FLUSH_BYTES) await this.flush();
    },
  };

  private constructor(
    readonly path: string,
    readonly temp: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string, existing: Stats | undefined): Promise<TempFile> {
    const temp = tempName(path);
    const handle = await ioAsync(path, () => open(temp, 'wx', 0o666));
    const file = new TempFile(path, temp, handle);
    try {
      if (existing) await file.io(() => handle.chmod(existing.mode & 0o7777)); // keep the user's permissions
    } catch (err) {
      await file.discard();
      throw err;
    }
    return file;
  }

  /** Everything written and on disk, the handle closed. */
  async finish(): Promise<void> {
    await this.flush();
    await this.io(() => this.handle.sync());
    this.closed = true;
    await this.io(() => this.handle.close());
  }

  async discard(): Promise<void> {
    if (!this.closed) await this.handle.close().catch(() => undefined);
    this.closed = true;
    removeQuietly(this.temp);
  }

  private async flush(): Promise<void> {
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.size = 0;
    // A write may take only part of the data (at a file size limit, say): write the rest, and
    // the next write reports why it cannot.
    for (let done = 0; done < data.length;) {
      const { bytesWritten } = await this.io(() => this.handle.write(data, done, data.length - done));
      done += bytesWritten;
    }
  }

  private io<T>(action: () => Promise<T>): Promise<T> {
    return ioAsync(this.path, action);
  }
}

/** Rename every temporary file over its target; on a failure, put back what was already renamed. */
function commit(files: { path: string; temp: string }[]): void {
  const done: { path: string; backup?: string }[] = [];
  try {
    for (const f of files) {
      const existing = refuseNonRegularTarget(f.path); // again: it may have changed while we wrote
      const backup = files.length > 1 && existing ? keepBackup(f.path) : undefined;
      try {
        io(f.path, () => renameSync(f.temp, f.path));
      } catch (err) {
        if (backup) removeQuietly(backup);
        throw err;
      }
      done.push({ path: f.path, backup });
    }
  } catch (err) {
    for (const d of done.reverse()) {
      if (d.backup) renameSync(d.backup, d.path);
      else removeQuietly(d.path);
    }
    throw err;
  }
  for (const d of done) if (d.backup) removeQuietly(d.backup);
  for (const folder of new Set(files.map((f) => dirname(f.path)))) syncFolder(folder);
}

/** A second name for the current file, to put it back if a later rename fails. */
function keepBackup(path: string): string {
  const backup = tempName(path);
  try {
    linkSync(path, backup);
  } catch {
    io(path, () => copyFileSync(path, backup, constants.COPYFILE_EXCL)); // no hard links here
  }
  return backup;
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The folder's entry for the renamed file is durable only once the folder itself is synced. */
function syncFolder(folder: string): void {
  if (process.platform === 'win32') return; // folders cannot be opened for fsync there
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename has happened either way.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function io<T>(path: string, action: () => T): T {
  try {
    return action();
  } catch (err) {
    throw err instanceof FileWriteError
      ? err
      : new FileWriteError('write-failed', path, describeWriteError(err, path));
  }
}

async function ioAsync<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    throw err instanceof FileWriteError
      ? err
      : new FileWriteError('write-failed', path, describeWriteError(err, path));
  }
}
