// What a file is before anything opens it for writing: missing, empty (it may become a dataset), a
// lab dataset of some schema version, or something to refuse and leave exactly as it is (not
// SQLite, another application's SQLite file, damaged, or written by a newer lab).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { DatasetError } from './errors.ts';
import { LAB_APPLICATION_ID, LAST_VERSION_WITHOUT_APPLICATION_ID, SCHEMA_VERSION } from './migrations.ts';
import { MalformedFile, readSqliteFacts, SQLITE_MAGIC, type SqliteFacts } from './sqlite-file.ts';

export type Found =
  | { state: 'missing' }
  | { state: 'empty' }
  | { state: 'dataset'; version: number; wal: boolean; walHasContent: boolean };

/**
 * Look at `path` without changing it. `readWal` answers for a WAL file whose -wal holds changes
 * not yet copied into the file itself (its bytes may be stale): it must read the facts through
 * SQLite. Throws a DatasetError for anything that must be refused.
 */
export function inspectDataset(path: string, label: string, readWal: () => SqliteFacts): Found {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return { state: 'missing' };
  if (!stats.isFile()) throw new DatasetError('bad-input', `${label} is not a file`);
  if (stats.size === 0) return { state: 'empty' };
  if (readHeader(path) !== SQLITE_MAGIC)
    throw new DatasetError('not-sqlite', `${label} is not a SQLite database; it was left unchanged`);
  let facts: SqliteFacts;
  try {
    facts = readSqliteFacts(path);
  } catch (err) {
    if (!(err instanceof MalformedFile)) throw err;
    throw new DatasetError('corrupt', `${label} is damaged (${err.message}); it was left unchanged`);
  }
  const walHasContent = facts.wal && (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0;
  if (walHasContent) facts = readWal();
  const kind = classify(facts, label);
  return kind === 'empty'
    ? { state: 'empty' }
    : { state: 'dataset', version: facts.userVersion, wal: facts.wal, walHasContent };
}

/** The same facts through an open SQLite connection (inside a transaction they are current). */
export function factsOf(db: Database.Database): SqliteFacts {
  const entries = db.prepare('SELECT type, name FROM sqlite_schema').all() as {
    type: string;
    name: string;
  }[];
  return {
    wal: (db.pragma('journal_mode', { simple: true }) as string) === 'wal',
    userVersion: db.pragma('user_version', { simple: true }) as number,
    applicationId: db.pragma('application_id', { simple: true }) as number,
    tables: entries.filter((e) => e.type === 'table').map((e) => e.name),
    schemaEntries: entries.length,
  };
}

/** 'empty' (nothing in it yet), 'dataset', or a DatasetError saying why the lab leaves it alone. */
export function classify(facts: SqliteFacts, label: string): 'empty' | 'dataset' {
  const { userVersion, applicationId, tables } = facts;
  const ours = applicationId === LAB_APPLICATION_ID;
  if (applicationId === 0 && userVersion === 0 && facts.schemaEntries === 0) return 'empty';
  const foreign = (detail: string): DatasetError =>
    new DatasetError(
      'not-a-dataset',
      `${label} is a SQLite database of another application (${detail}), not a BLAZER Lab dataset; it was left unchanged`,
    );
  if (applicationId !== 0 && !ours) throw foreign(`application id 0x${(applicationId >>> 0).toString(16)}`);
  if (!tables.includes('runs') || !tables.includes('episodes'))
    throw foreign(tables.length ? `tables ${listed(tables)}` : `schema version ${userVersion}, no tables`);
  if (userVersion < 1 || (!ours && userVersion > LAST_VERSION_WITHOUT_APPLICATION_ID))
    throw foreign(`schema version ${userVersion}, which no BLAZER Lab wrote`);
  if (userVersion > SCHEMA_VERSION)
    throw new DatasetError(
      'too-new',
      `${label} has schema version ${userVersion}; this BLAZER Lab knows up to ${SCHEMA_VERSION}: update the app`,
    );
  return 'dataset';
}

function listed(names: string[]): string {
  return names.length > 4 ? `${names.slice(0, 4).join(', ')}, …` : names.join(', ');
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
