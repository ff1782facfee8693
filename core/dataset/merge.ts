// Merge datasets made on several machines into one: runs are matched by their configuration key,
// programs by hash, episodes by (run, task, arm, seed, sample); nothing is duplicated, and merging
// the same file twice changes nothing. The source is only read (a read-only open: it may sit on a
// read-only share). Episodes are copied in chunks, each its own short write transaction with a
// pause after it, so a generation writing the same dataset meanwhile waits at most one chunk; a
// crash mid-merge keeps the chunks already committed, and merging again adds only the rest.
import { statSync } from 'node:fs';
import { busyTimeoutOf, datasetPath, openDataset, type Db } from './open-dataset.ts';
import { DatasetError, guarded } from './errors.ts';
import type { MergeResult } from '../../api/types.ts';

export interface MergeOptions {
  /** Episodes per write transaction (a chunk also ends once it holds about CHUNK_BYTES of rows). */
  chunkEpisodes?: number;
  /** Pause between chunks, so that a writer waiting for the lock gets it (see PAUSE_MS). */
  pauseMs?: number;
  /** Called after each committed chunk with how long it held the write lock. */
  onChunk?: (chunk: { episodes: number; lockMs: number }) => void;
}

export const CHUNK_EPISODES = 5_000;
const CHUNK_BYTES = 8_000_000;
/** SQLite's busy handler retries at most 100 ms apart: a longer pause lets every waiting writer in. */
export const PAUSE_MS = 110;

export function mergeDataset(target: Db, sourcePath: string, options: MergeOptions = {}): MergeResult {
  const targetPath = datasetPath(target);
  if (sameFile(targetPath, sourcePath))
    throw new DatasetError('bad-input', `${sourcePath} is the dataset being merged into: nothing to merge`);
  const source = openDataset(sourcePath, { readonly: true });
  const write = <T>(action: () => T): T =>
    guarded(targetPath, () => target.transaction(action).immediate(), busyTimeoutOf(target));
  try {
    const result: MergeResult = { runs: 0, episodes: 0, skipped: 0 };
    const runIds = write(() => mergeRuns(target, source, result));
    const columns = (target.prepare('PRAGMA table_info(episodes)').all() as { name: string }[])
      .map((c) => c.name)
      .filter((c) => c !== 'id');
    const insert = target.prepare(
      `INSERT OR IGNORE INTO episodes (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    const addProgram = target.prepare('INSERT OR IGNORE INTO programs (hash, text) VALUES (?, ?)');
    const programId = target.prepare('SELECT id FROM programs WHERE hash = ?').pluck();
    let after = 0;
    for (let chunk = 0; ; chunk++) {
      const rows = readChunk(source, after, options.chunkEpisodes ?? CHUNK_EPISODES);
      if (rows.length === 0) break;
      after = rows.at(-1)!.id as number;
      if (chunk > 0) sleep(options.pauseMs ?? PAUSE_MS);
      let locked = 0;
      write(() => {
        locked = performance.now();
        for (const row of rows) {
          let newProgramId: number | null = null;
          if (row.program_hash) {
            addProgram.run(row.program_hash, row.program_text);
            newProgramId = programId.get(row.program_hash) as number;
          }
          const values: Record<string, unknown> = {};
          for (const c of columns) values[c] = row[c] ?? null;
          values.run_id = runIds.get(row.run_id as number);
          values.program_id = newProgramId;
          if (insert.run(values).changes === 1) result.episodes++;
          else result.skipped++;
        }
      });
      options.onChunk?.({ episodes: rows.length, lockMs: performance.now() - locked });
    }
    return result;
  } finally {
    source.close();
  }
}

/** Map the source's run ids to the target's, adding the runs the target does not have. */
function mergeRuns(target: Db, source: Db, result: MergeResult): Map<number, number> {
  const runIds = new Map<number, number>();
  const find = target.prepare('SELECT id FROM runs WHERE key = ?').pluck();
  const add = target.prepare(
    'INSERT INTO runs (key, config, teacher, started_at, ended_at, code_version, template_version, status, purpose) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const run of source.prepare('SELECT * FROM runs').all() as Record<string, unknown>[]) {
    const existing = find.get(run.key) as number | undefined;
    if (existing !== undefined) {
      runIds.set(run.id as number, existing);
      continue;
    }
    const info = add.run(
      run.key,
      run.config,
      run.teacher,
      run.started_at,
      run.ended_at,
      run.code_version,
      run.template_version,
      run.status,
      run.purpose ?? 'generate', // a source older than schema 7 has only generation runs
    );
    runIds.set(run.id as number, Number(info.lastInsertRowid));
    result.runs++;
  }
  return runIds;
}

/** The next source episodes after `after`, read before the target's lock is taken. */
function readChunk(source: Db, after: number, limit: number): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  let bytes = 0;
  const iterator = source
    .prepare(
      `SELECT e.*, p.hash AS program_hash, p.text AS program_text FROM episodes e
       LEFT JOIN programs p ON p.id = e.program_id WHERE e.id > ? ORDER BY e.id LIMIT ?`,
    )
    .iterate(after, limit) as IterableIterator<Record<string, unknown>>;
  for (const row of iterator) {
    rows.push(row);
    for (const value of Object.values(row)) if (typeof value === 'string') bytes += value.length;
    if (bytes > CHUNK_BYTES) break;
  }
  return rows;
}

function sameFile(a: string, b: string): boolean {
  const sa = statSync(a, { throwIfNoEntry: false });
  const sb = statSync(b, { throwIfNoEntry: false });
  return !!sa && !!sb && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** Merges run in their own process (lab dataset merge), where blocking the thread is harmless. */
function sleep(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
