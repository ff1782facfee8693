// Merge datasets made on several machines into one: runs are matched by their configuration key,
// programs by hash, episodes by (run, task, arm, seed, sample); nothing is duplicated, and merging
// the same file twice changes nothing.
import { openDataset, type Db } from './open-dataset.ts';

export interface MergeResult {
  runs: number;
  episodes: number;
  skipped: number;
}

export function mergeDataset(target: Db, sourcePath: string): MergeResult {
  const source = openDataset(sourcePath, { create: false }); // migrates an older source first
  try {
    const result: MergeResult = { runs: 0, episodes: 0, skipped: 0 };
    target.transaction(() => {
      const runIds = new Map<number, number>();
      for (const run of source.prepare('SELECT * FROM runs').iterate() as IterableIterator<
        Record<string, unknown>
      >) {
        const existing = target.prepare('SELECT id FROM runs WHERE key = ?').pluck().get(run.key) as
          number | undefined;
        if (existing !== undefined) runIds.set(run.id as number, existing);
        else {
          const info = target
            .prepare(
              'INSERT INTO runs (key, config, teacher, started_at, ended_at, code_version, template_version, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            )
            .run(
              run.key,
              run.config,
              run.teacher,
              run.started_at,
              run.ended_at,
              run.code_version,
              run.template_version,
              run.status,
            );
          runIds.set(run.id as number, Number(info.lastInsertRowid));
          result.runs++;
        }
      }
      const addProgram = target.prepare('INSERT OR IGNORE INTO programs (hash, text) VALUES (?, ?)');
      const programId = target.prepare('SELECT id FROM programs WHERE hash = ?').pluck();
      const columns = (target.prepare('PRAGMA table_info(episodes)').all() as { name: string }[])
        .map((c) => c.name)
        .filter((c) => c !== 'id');
      const insert = target.prepare(
        `INSERT OR IGNORE INTO episodes (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      );
      const rows = source
        .prepare(
          'SELECT e.*, p.hash AS program_hash, p.text AS program_text FROM episodes e LEFT JOIN programs p ON p.id = e.program_id',
        )
        .iterate() as IterableIterator<Record<string, unknown>>;
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
    })();
    return result;
  } finally {
    source.close();
  }
}
