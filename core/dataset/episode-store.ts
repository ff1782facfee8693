// Writing and reading episodes. One writer per database (the process running a generation);
// every episode is one transaction, so a crash loses at most the episode in flight. Program texts
// are stored once and shared by every episode that produced the same program.
import { createHash } from 'node:crypto';
import type { Db } from './open-dataset.ts';
import { DatasetError } from './open-dataset.ts';

export interface RunConfig {
  key: string;
  config: Record<string, unknown>;
  teacher: string;
  codeVersion: string;
  templateVersion?: string;
}

export interface EpisodeRecord {
  task: string;
  split: string;
  arm: string;
  seed: number;
  sample: number;
  instruction: string;
  scene: unknown;
  prompt?: unknown;
  answer?: string;
  format?: string;
  program?: string;
  trace: unknown;
  success: boolean;
  failureKind?: string;
  failure?: string;
  reason: string;
  model?: string;
  sampling?: unknown;
  tokens?: number;
  simSeconds: number;
  wallSeconds: number;
}

export interface EpisodeFilter {
  task?: string;
  split?: string;
  success?: boolean;
  model?: string;
  runId?: number;
  since?: number; // ms
  until?: number; // ms
  programContains?: string;
}

export interface EpisodeSummary {
  id: number;
  runId: number;
  task: string;
  split: string;
  arm: string;
  seed: number;
  sample: number;
  success: boolean;
  failureKind: string | null;
  model: string | null;
  createdAt: number;
}

export interface Page<T> {
  rows: T[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: { createdAt: number; id: number };
}

export class EpisodeStore {
  private readonly insertProgram;
  private readonly findProgram;
  private readonly insertEpisodeStatement;
  private readonly hasEpisodeStatement;

  constructor(readonly db: Db) {
    this.insertProgram = db.prepare('INSERT OR IGNORE INTO programs (hash, text) VALUES (?, ?)');
    this.findProgram = db.prepare('SELECT id FROM programs WHERE hash = ?').pluck();
    this.hasEpisodeStatement = db.prepare(
      'SELECT 1 FROM episodes WHERE run_id = ? AND task = ? AND arm = ? AND seed = ? AND sample = ?',
    );
    this.insertEpisodeStatement = db.prepare(`
      INSERT OR IGNORE INTO episodes (run_id, task, split, arm, seed, sample, instruction, scene, prompt, answer, format,
        program_id, trace, success, failure_kind, failure, reason, model, sampling, tokens, sim_seconds, wall_seconds, created_at)
      VALUES (@runId, @task, @split, @arm, @seed, @sample, @instruction, @scene, @prompt, @answer, @format,
        @programId, @trace, @success, @failureKind, @failure, @reason, @model, @sampling, @tokens, @simSeconds, @wallSeconds, @createdAt)`);
  }

  /** The run with this configuration key, created if new: rerunning a command resumes its run. */
  startRun(run: RunConfig): number {
    const existing = this.db.prepare('SELECT id FROM runs WHERE key = ?').pluck().get(run.key) as
      number | undefined;
    if (existing !== undefined) {
      this.db.prepare("UPDATE runs SET status = 'running', ended_at = NULL WHERE id = ?").run(existing);
      return existing;
    }
    return Number(
      this.db
        .prepare(
          'INSERT INTO runs (key, config, teacher, code_version, template_version, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          run.key,
          JSON.stringify(run.config),
          run.teacher,
          run.codeVersion,
          run.templateVersion ?? null,
          Date.now(),
          'running',
        ).lastInsertRowid,
    );
  }

  /** Remember a model the dataset's episodes came from (its description, never a key). */
  recordModel(description: { id: string; kind: string }): void {
    this.db
      .prepare(
        'INSERT INTO models (name, kind, description, added_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET description = excluded.description',
      )
      .run(description.id, description.kind, JSON.stringify(description), Date.now());
  }

  finishRun(runId: number, status: 'done' | 'stopped'): void {
    this.db.prepare('UPDATE runs SET status = ?, ended_at = ? WHERE id = ?').run(status, Date.now(), runId);
  }

  /** How many episodes a run already has, per task. */
  countInRun(runId: number): Map<string, number> {
    const rows = this.db
      .prepare('SELECT task, COUNT(*) AS n FROM episodes WHERE run_id = ? GROUP BY task')
      .all(runId) as { task: string; n: number }[];
    return new Map(rows.map((r) => [r.task, r.n]));
  }

  /** Whether a run already has this attempt (the unique index answers it). */
  hasEpisode(runId: number, task: string, arm: string, seed: number, sample: number): boolean {
    return this.hasEpisodeStatement.get(runId, task, arm, seed, sample) !== undefined;
  }

  /** Store one episode (a no-op if the run already has it). Returns whether it was new. */
  addEpisode(runId: number, e: EpisodeRecord, createdAt = Date.now()): boolean {
    return this.db.transaction(() => {
      let programId: number | null = null;
      if (e.program !== undefined) {
        const hash = createHash('sha256').update(e.program).digest('hex');
        this.insertProgram.run(hash, e.program);
        programId = this.findProgram.get(hash) as number;
      }
      const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
      const info = this.insertEpisodeStatement.run({
        runId,
        task: e.task,
        split: e.split,
        arm: e.arm,
        seed: e.seed,
        sample: e.sample,
        instruction: e.instruction,
        scene: json(e.scene),
        prompt: json(e.prompt),
        answer: e.answer ?? null,
        format: e.format ?? null,
        programId,
        trace: json(e.trace),
        success: e.success ? 1 : 0,
        failureKind: e.failureKind ?? null,
        failure: e.failure ?? null,
        reason: e.reason,
        model: e.model ?? null,
        sampling: json(e.sampling),
        tokens: e.tokens ?? null,
        simSeconds: e.simSeconds,
        wallSeconds: e.wallSeconds,
        createdAt,
      });
      return info.changes === 1;
    })();
  }

  /**
   * Episodes filtered, newest (default) or oldest first, one page at a time (keyset pagination:
   * deep pages stay as fast as the first; the same indices serve both directions).
   */
  list(
    filter: EpisodeFilter = {},
    page: { limit?: number; after?: { createdAt: number; id: number }; order?: 'newest' | 'oldest' } = {},
  ): Page<EpisodeSummary> {
    const newest = (page.order ?? 'newest') === 'newest';
    const limit = Math.min(Math.max(page.limit ?? 100, 1), 1000);
    const { where, params } = whereClause(filter);
    if (page.after) {
      where.push(`(e.created_at, e.id) ${newest ? '<' : '>'} (@afterCreatedAt, @afterId)`);
      params.afterCreatedAt = page.after.createdAt;
      params.afterId = page.after.id;
    }
    const rows = this.db
      .prepare(
        `SELECT e.id, e.run_id AS runId, e.task, e.split, e.arm, e.seed, e.sample, e.success, e.failure_kind AS failureKind,
                e.model, e.created_at AS createdAt
         FROM episodes e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY e.created_at ${newest ? 'DESC' : 'ASC'}, e.id ${newest ? 'DESC' : 'ASC'} LIMIT ${limit + 1}`,
      )
      .all(params) as (Omit<EpisodeSummary, 'success'> & { success: number })[];
    const more = rows.length > limit;
    const shown = rows.slice(0, limit).map((r) => ({ ...r, success: r.success === 1 }));
    const last = shown.at(-1);
    return { rows: shown, ...(more && last ? { next: { createdAt: last.createdAt, id: last.id } } : {}) };
  }

  /** Everything stored about one episode. */
  show(id: number): Record<string, unknown> {
    const row = this.db
      .prepare(
        `SELECT e.*, p.text AS program FROM episodes e LEFT JOIN programs p ON p.id = e.program_id WHERE e.id = ?`,
      )
      .get(id) as Record<string, unknown> | undefined;
    if (!row) throw new DatasetError('bad-input', `no episode ${id}`);
    for (const key of ['scene', 'prompt', 'trace', 'sampling'])
      if (typeof row[key] === 'string') row[key] = JSON.parse(row[key] as string);
    row.success = row.success === 1;
    return row;
  }

  /** Attempts and successes per task (and split), for the filter. */
  stats(
    filter: EpisodeFilter = {},
  ): { task: string; split: string; episodes: number; successes: number; rate: number }[] {
    const { where, params } = whereClause(filter);
    const rows = this.db
      .prepare(
        `SELECT task, split, COUNT(*) AS episodes, SUM(success) AS successes FROM episodes e
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY task, split ORDER BY split DESC, task`,
      )
      .all(params) as { task: string; split: string; episodes: number; successes: number }[];
    return rows.map((r) => ({ ...r, rate: r.episodes ? r.successes / r.episodes : 0 }));
  }

  /** Attempts and successes per model ('scripted' for the scripted teacher), for the filter. */
  statsByModel(
    filter: EpisodeFilter = {},
  ): { model: string; episodes: number; successes: number; rate: number }[] {
    const { where, params } = whereClause(filter);
    const rows = this.db
      .prepare(
        `SELECT COALESCE(model, 'none') AS model, COUNT(*) AS episodes, SUM(success) AS successes FROM episodes e
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY model ORDER BY model`,
      )
      .all(params) as { model: string; episodes: number; successes: number }[];
    return rows.map((r) => ({ ...r, rate: r.episodes ? r.successes / r.episodes : 0 }));
  }
}

function whereClause(filter: EpisodeFilter): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (sql: string, name: string, value: unknown): void => {
    if (value === undefined) return;
    where.push(sql);
    params[name] = value;
  };
  add('e.task = @task', 'task', filter.task);
  add('e.split = @split', 'split', filter.split);
  add('e.success = @success', 'success', filter.success === undefined ? undefined : filter.success ? 1 : 0);
  add('e.model = @model', 'model', filter.model);
  add('e.run_id = @runId', 'runId', filter.runId);
  add('e.created_at >= @since', 'since', filter.since);
  add('e.created_at < @until', 'until', filter.until);
  if (filter.programContains !== undefined) {
    where.push('e.program_id IN (SELECT id FROM programs WHERE instr(text, @programContains) > 0)');
    params.programContains = filter.programContains;
  }
  return { where, params };
}
