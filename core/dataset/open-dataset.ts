// Opening a dataset file. Anything that is not a lab dataset (not SQLite, another application's
// SQLite file, damaged, newer) is refused before SQLite opens it for writing, and left unchanged.
// A write open turns on WAL (a crash loses at most the transaction in flight) and migrates an older
// schema; a read-only open never changes the file, and works on read-only files and folders.
import './sqlite-uri.ts';
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatasetError, guarded, sqliteProblem } from './errors.ts';
import { classify, factsOf, inspectDataset, type Found } from './inspect.ts';
import { MIGRATIONS, READABLE_FROM_VERSION, SCHEMA_VERSION } from './migrations.ts';

export type Db = Database.Database;
export { DatasetError } from './errors.ts';

export interface OpenOptions {
  /** Create the file when it is missing (write opens only; default true). */
  create?: boolean;
  /** For read calls: never creates, migrates or changes the file; works on read-only files. */
  readonly?: boolean;
  /** Migrate only up to this schema version (tests make old files with it). */
  upTo?: number;
  /** How long to wait for another process's write lock before failing with kind 'busy'. */
  busyTimeoutMs?: number;
}

/** Long enough to wait out another writer's transaction (a merge commits in chunks well under it). */
export const BUSY_TIMEOUT_MS = 10_000;

const opened = new WeakMap<Db, { path: string; busyTimeoutMs: number }>();

/** The path a dataset was opened with, as the user named it. */
export function datasetPath(db: Db): string {
  return opened.get(db)?.path ?? db.name;
}

export function busyTimeoutOf(db: Db): number {
  return opened.get(db)?.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
}

export function openDataset(path: string, options: OpenOptions = {}): Db {
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  const file = resolve(path); // never starts with 'file:', so never read as a URI
  try {
    const found = look(file, path, busyTimeoutMs);
    const db = options.readonly
      ? openForReading(file, path, found, busyTimeoutMs)
      : openForWriting(file, path, found, options, busyTimeoutMs);
    opened.set(db, { path, busyTimeoutMs });
    return db;
  } catch (err) {
    throw nativeModuleProblem(err) ?? sqliteProblem(err, path, busyTimeoutMs);
  }
}

/** Bring a dataset to the current schema (what a read-only open refuses to do); returns the versions. */
export function upgradeDataset(path: string): { from: number; to: number } {
  const found = look(resolve(path), path, BUSY_TIMEOUT_MS);
  if (found.state !== 'dataset') throw new DatasetError('no-dataset', `no dataset at ${path}`);
  openDataset(path, { create: false }).close();
  return { from: found.version, to: SCHEMA_VERSION };
}

/** What the file is, read from its bytes (or through a read-only connection when its -wal has news). */
function look(file: string, label: string, timeout: number): Found {
  return inspectDataset(file, label, () => withReader(file, label, timeout, factsOf));
}

function openForWriting(
  file: string,
  label: string,
  found: Found,
  options: OpenOptions,
  timeout: number,
): Db {
  if (found.state === 'missing') {
    if (options.create === false) throw new DatasetError('no-dataset', `no dataset at ${label}`);
    if (!statSync(dirname(file), { throwIfNoEntry: false })?.isDirectory())
      throw new DatasetError(
        'not-found',
        `cannot create ${label}: the folder ${dirname(file)} does not exist`,
      );
  }
  const db = new Database(file, { timeout });
  try {
    guarded(
      label,
      () => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL'); // with WAL: durable across process crashes, fast
        db.pragma('foreign_keys = ON');
        migrate(db, options.upTo ?? SCHEMA_VERSION, label);
      },
      timeout,
    );
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function openForReading(file: string, label: string, found: Found, timeout: number): Db {
  if (found.state === 'missing') throw new DatasetError('no-dataset', `no dataset at ${label}`);
  if (found.state === 'empty')
    throw new DatasetError(
      'not-found',
      `${label} holds no dataset yet (it is empty); a write command such as lab generate makes it one`,
    );
  if (found.version < READABLE_FROM_VERSION)
    throw new DatasetError(
      'needs-upgrade',
      `${label} has the old schema version ${found.version}, which this read cannot use without changing the file: ` +
        `upgrade it once with a write command (lab dataset upgrade --db ${label}), then read it`,
    );
  try {
    return reader(file, timeout);
  } catch (err) {
    // A WAL file in a folder where SQLite cannot create the -shm (a read-only folder or mount).
    // Its content is all in the file when there is no -wal with changes: read it as immutable.
    const code = String((err as { code?: unknown }).code ?? '');
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw err;
    if (found.walHasContent)
      throw new DatasetError(
        'read-only',
        `${label} has changes not yet copied into it (in ${label}-wal) and SQLite cannot open them here ` +
          `(a read-only folder without ${label}-shm): have its owner open it once with a write command`,
      );
    try {
      const db = new Database(`${pathToFileURL(file).href}?immutable=1`, { readonly: true });
      db.pragma('user_version'); // opens the file now, so a failure shows here
      return db;
    } catch {
      throw new DatasetError(
        'read-only',
        `${label} cannot be read here: SQLite needs to create ${label}-shm beside it and the folder is read-only (${(err as Error).message})`,
      );
    }
  }
}

function reader(file: string, timeout: number): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout });
  try {
    db.pragma('user_version'); // SQLite opens lazily: make a read-only folder fail here
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function withReader<T>(file: string, label: string, timeout: number, use: (db: Db) => T): T {
  const db = guarded(label, () => reader(file, timeout), timeout);
  try {
    return guarded(label, () => db.transaction(() => use(db))(), timeout);
  } finally {
    db.close();
  }
}

/**
 * Run the migrations the file has not had yet, all in one write transaction. Safe when several
 * processes open a new file at once: the version is read again under the write lock (BEGIN
 * IMMEDIATE), so only the first does the work, and the file is confirmed to be empty or a lab
 * dataset under that same lock.
 */
export function migrate(db: Db, upTo = SCHEMA_VERSION, label = datasetPath(db)): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  const target = Math.min(upTo, SCHEMA_VERSION);
  const before = version();
  if (before >= target && before <= SCHEMA_VERSION) return; // the usual open: no write lock needed
  db.transaction(() => {
    const current = version();
    classify(factsOf(db), label); // still empty or ours, now that no one else can write
    for (const step of MIGRATIONS) {
      if (step.version <= current || step.version > target) continue;
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }
  }).immediate();
}

/**
 * better-sqlite3 is a native module built for one runtime: a checkout's build serves Node (CLI,
 * tests), while the desktop app run from a checkout needs it rebuilt for Electron. Say so plainly.
 */
export function nativeModuleProblem(err: unknown): DatasetError | undefined {
  const { code, message } = err as { code?: string; message?: string };
  if (code !== 'ERR_DLOPEN_FAILED' && !/NODE_MODULE_VERSION|better_sqlite3\.node/.test(message ?? ''))
    return undefined;
  const runtime = process.versions.electron
    ? `Electron ${process.versions.electron}`
    : `Node ${process.versions.node}`;
  return new DatasetError(
    'native-module',
    `SQLite support (better-sqlite3) is not built for this runtime (${runtime}): for the desktop app from a checkout run ` +
      '`npx electron-builder install-app-deps`; for the command line and tests run `npm rebuild better-sqlite3`',
  );
}
