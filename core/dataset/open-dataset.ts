// Opening a dataset file: refuse anything that is not a SQLite database (without touching it),
// turn on WAL so a crash loses at most the transaction in flight, and migrate an older schema.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import { LabError } from '../errors.ts';

export type Db = Database.Database;

export class DatasetError extends LabError {
  declare readonly kind: 'not-sqlite' | 'corrupt' | 'too-new' | 'bad-input' | 'native-module' | 'no-dataset';
  constructor(kind: DatasetError['kind'], message: string) {
    super(kind, message);
  }
}

const SQLITE_MAGIC = 'SQLite format 3\0';

export function openDataset(path: string, options: { create?: boolean; upTo?: number } = {}): Db {
  if (existsSync(path)) {
    if (!statSync(path).isFile()) throw new DatasetError('bad-input', `${path} is not a file`);
    if (statSync(path).size > 0 && readHeader(path) !== SQLITE_MAGIC) {
      throw new DatasetError('not-sqlite', `${path} is not a SQLite database; it was left unchanged`);
    }
  } else if (options.create === false) {
    throw new DatasetError('no-dataset', `no dataset at ${path}`);
  } else if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory()) {
    throw new DatasetError('bad-input', `cannot create ${path}: the folder ${dirname(path)} does not exist`);
  }
  let db: Db;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL'); // with WAL: durable across process crashes, fast
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, options.upTo ?? SCHEMA_VERSION);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const message = (err as Error).message;
    const native = nativeModuleProblem(err);
    if (native) throw native;
    if (/not a database|malformed|corrupt/i.test(message)) {
      throw new DatasetError('corrupt', `${path} is damaged (${message}); it was left unchanged`);
    }
    throw err;
  }
  return db;
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

/** Run the migrations the file has not had yet, each in a transaction. */
export function migrate(db: Db, upTo = SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new DatasetError(
      'too-new',
      `the dataset has schema version ${current}; this BLAZER Lab knows up to ${SCHEMA_VERSION}: update the app`,
    );
  }
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > upTo) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    })();
  }
}

function readHeader(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const n = readSync(fd, buffer, 0, 16, 0);
    return buffer.toString('latin1', 0, n);
  } finally {
    closeSync(fd);
  }
}
