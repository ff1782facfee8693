// Writing and reading episodes. One writer per run (run-claims.ts); every episode is one
// transaction, so a crash loses at most the episode in flight. Program texts are stored once and
// shared by every episode that produced the same program. Stored texts and JSON are bounded
// (limits.ts).
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { busyTimeoutOf, datasetPath, type Db } from './open-dataset.ts';
import { DatasetError, guarded } from './errors.ts';
import { boundJson, cutText, JSON_LIMITS, TEXT_LIMITS } from './limits.ts';
import { claimOf, claimRun, keepBeating, releaseClaim } from './run-claims.ts';
import type {
  ModelDescription,
  EpisodeFilter,
  EpisodeSummary,
  ModelRate,
  Page,
  StoredEpisode,
  TaskRate,
  RealTrajectory,
} from '../../api/types.ts';

export interface RunConfig {
  key: string;
  config: Record<string, unknown>;
  teacher: string;
  codeVersion: string;
  templateVersion?: string;
  /**
   * 'eval' for an evaluation run, 'real' for trials on a real arm: their episodes never become
   * training data. Default 'generate'.
   */
  purpose?: 'generate' | 'eval' | 'real';
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

export class EpisodeStore {
  private readonly path: string;
  private readonly busyTimeoutMs: number;
  /** Runs this store claimed: their claim tokens and heartbeat stoppers. */
  private readonly claims = new Map<number, { token: string; stop: () => void }>();

  constructor(readonly db: Db) {
    this.path = datasetPath(db);
    this.busyTimeoutMs = busyTimeoutOf(db);
  }

  /**
   * The run with this configuration key, created if new (rerunning a command resumes its run), and
   * claimed by this store until finishRun: a second process starting the same run gets DatasetError
   * 'busy' while this one lives; a claim left by a dead process is taken over.
   */
  startRun(run: RunConfig): number {
    const { runId, token } = this.write(() => {
      this.db
        .prepare(
          `INSERT INTO runs (key, config, teacher, code_version, template_version, started_at, status)
           VALUES (?, ?, ?, ?, ?, ?, 'running') ON CONFLICT (key) DO NOTHING`,
        )
        .run(
          run.key,
          JSON.stringify(run.config),
          run.teacher,
          run.codeVersion,
          run.templateVersion ?? null,
          Date.now(),
        );
      const id = this.db.prepare('SELECT id FROM runs WHERE key = ?').pluck().get(run.key) as number;
      // A file older than schema 7 (tests make them) has generation runs only.
      if (this.has('runs.purpose'))
        this.db.prepare('UPDATE runs SET purpose = ? WHERE id = ?').run(run.purpose ?? 'generate', id);
      const claimed = this.hasClaims() ? claimRun(this.db, id, this.path) : undefined;
      this.db.prepare("UPDATE runs SET status = 'running', ended_at = NULL WHERE id = ?").run(id);
      return { runId: id, token: claimed };
    });
    if (token) this.claims.set(runId, { token, stop: keepBeating(this.db, runId, token) });
    return runId;
  }

  /** Remember a model the dataset's episodes came from (its description, never a key). */
  recordModel(description: { id: string; kind: string }): void {
    this.write(() =>
      this.db
        .prepare(
          'INSERT INTO models (name, kind, description, added_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET description = excluded.description',
        )
        .run(description.id, description.kind, JSON.stringify(description), Date.now()),
    );
  }

  /**
   * Mark a run done or stopped and release this store's claim on it. Returns false, changing
   * nothing, when the run is not this store's to finish: another process holds it, or took it over.
   */
  finishRun(runId: number, status: 'done' | 'stopped'): boolean {
    const mine = this.claims.get(runId);
    const finished = this.write(() => {
      if (this.hasClaims()) {
        const claim = claimOf(this.db, runId);
        if (claim ? claim.token !== mine?.token : mine !== undefined) return false;
        if (mine) releaseClaim(this.db, runId, mine.token);
      }
      this.db.prepare('UPDATE runs SET status = ?, ended_at = ? WHERE id = ?').run(status, Date.now(), runId);
      return true;
    });
    mine?.stop();
    this.claims.delete(runId);
    return finished;
  }

  /** How many episodes a run already has, per task. */
  countInRun(runId: number): Map<string, number> {
    const rows = this.read(
      () =>
        this.statement('SELECT task, COUNT(*) AS n FROM episodes WHERE run_id = ? GROUP BY task').all(
          runId,
        ) as {
          task: string;
          n: number;
        }[],
    );
    return new Map(rows.map((r) => [r.task, r.n]));
  }

  /** Whether a run already has this attempt (the unique index answers it). */
  hasEpisode(runId: number, task: string, arm: string, seed: number, sample: number): boolean {
    const sql =
      'SELECT 1 FROM episodes WHERE run_id = ? AND task = ? AND arm = ? AND seed = ? AND sample = ?';
    return this.read(() => this.statement(sql).get(runId, task, arm, seed, sample) !== undefined);
  }

  /**
   * Store one episode (a no-op if the run already has it). Returns whether it was new. Texts and
   * JSON longer than their limits (limits.ts) are cut, with a marker, and listed in `cut`.
   */
  addEpisode(runId: number, e: EpisodeRecord, createdAt = Date.now()): boolean {
    const cut: string[] = [];
    const text = <K extends keyof typeof TEXT_LIMITS>(field: K, value: string | undefined): string | null => {
      if (value === undefined) return null;
      const bounded = cutText(value, TEXT_LIMITS[field]);
      if (bounded.cut) cut.push(field);
      return bounded.text;
    };
    const json = (field: keyof typeof JSON_LIMITS, value: unknown): string | null => {
      const bounded = boundJson(value, JSON_LIMITS[field]);
      if (bounded.cut) cut.push(field);
      return bounded.json;
    };
    const values = {
      runId,
      task: e.task,
      split: e.split,
      arm: e.arm,
      seed: e.seed,
      sample: e.sample,
      instruction: text('instruction', e.instruction),
      scene: json('scene', e.scene),
      prompt: json('prompt', e.prompt),
      answer: text('answer', e.answer),
      format: text('format', e.format),
      program: text('program', e.program),
      trace: json('trace', e.trace),
      success: e.success ? 1 : 0,
      failureKind: text('failureKind', e.failureKind),
      failure: text('failure', e.failure),
      reason: text('reason', e.reason),
      model: text('model', e.model),
      sampling: json('sampling', e.sampling),
      tokens: e.tokens ?? null,
      simSeconds: e.simSeconds,
      wallSeconds: e.wallSeconds,
      createdAt,
      cut: cut.length ? JSON.stringify(cut) : null,
    };
    return this.write(() => {
      const { program, ...row } = values;
      let programId: number | null = null;
      if (program !== null) {
        const hash = createHash('sha256').update(program).digest('hex');
        this.statement('INSERT OR IGNORE INTO programs (hash, text) VALUES (?, ?)').run(hash, program);
        programId = this.statement('SELECT id FROM programs WHERE hash = ?').pluck().get(hash) as number;
      }
      const info = this.statement(
        `INSERT OR IGNORE INTO episodes (run_id, task, split, arm, seed, sample, instruction, scene, prompt, answer, format,
             program_id, trace, success, failure_kind, failure, reason, model, sampling, tokens, sim_seconds, wall_seconds,
             created_at${this.hasCutColumn() ? ', cut' : ''})
           VALUES (@runId, @task, @split, @arm, @seed, @sample, @instruction, @scene, @prompt, @answer, @format,
             @programId, @trace, @success, @failureKind, @failure, @reason, @model, @sampling, @tokens, @simSeconds, @wallSeconds,
             @createdAt${this.hasCutColumn() ? ', @cut' : ''})`,
      ).run(this.hasCutColumn() ? { ...row, programId } : { ...withoutCut(row), programId });
      return info.changes === 1;
    });
  }

  /**
   * A trial on the real arm, marked by the operator: an episode with the joint trajectory the arm
   * followed, numbered after the run's earlier trials of the same task and scene. Returns its id.
   */
  addRealTrial(runId: number, e: Omit<EpisodeRecord, 'sample'>, trajectory: unknown): number {
    if (!this.has('episodes.trajectory'))
      throw new DatasetError(
        'needs-upgrade',
        `${this.path} is older than real-arm trials: upgrade it (lab dataset upgrade)`,
      );
    return this.write(() => {
      const sample = this.db
        .prepare(
          'SELECT COALESCE(MAX(sample) + 1, 0) FROM episodes WHERE run_id = ? AND task = ? AND arm = ? AND seed = ?',
        )
        .pluck()
        .get(runId, e.task, e.arm, e.seed) as number;
      this.addEpisode(runId, { ...e, sample });
      const id = this.db
        .prepare(
          'SELECT id FROM episodes WHERE run_id = ? AND task = ? AND arm = ? AND seed = ? AND sample = ?',
        )
        .pluck()
        .get(runId, e.task, e.arm, e.seed, sample) as number;
      this.db.prepare('UPDATE episodes SET trajectory = ? WHERE id = ?').run(JSON.stringify(trajectory), id);
      return id;
    });
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
    const asked = page.limit ?? 100;
    if (!Number.isInteger(asked) || asked < 1)
      throw new DatasetError(
        'bad-input',
        `the limit must be a whole number of at least 1, not ${String(page.limit)}`,
      );
    if (page.after && !(Number.isSafeInteger(page.after.createdAt) && Number.isSafeInteger(page.after.id)))
      throw new DatasetError('bad-input', 'the page cursor must be the one the previous page returned');
    const limit = Math.min(asked, 1000); // larger pages come as several, through `next`
    const { where, params } = whereClause(filter);
    if (page.after) {
      where.push(`(e.created_at, e.id) ${newest ? '<' : '>'} (@afterCreatedAt, @afterId)`);
      params.afterCreatedAt = page.after.createdAt;
      params.afterId = page.after.id;
    }
    const rows = this.read(
      () =>
        this.db
          .prepare(
            `SELECT e.id, e.run_id AS runId, e.task, e.split, e.arm, e.seed, e.sample, e.success, e.failure_kind AS failureKind,
                e.model, e.created_at AS createdAt${this.has('episodes.trajectory') ? ', e.trajectory IS NOT NULL AS real' : ''}
         FROM episodes e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY e.created_at ${newest ? 'DESC' : 'ASC'}, e.id ${newest ? 'DESC' : 'ASC'} LIMIT ${limit + 1}`,
          )
          .all(params) as (Omit<EpisodeSummary, 'success' | 'real'> & { success: number; real?: number })[],
    );
    const more = rows.length > limit;
    const shown = rows.slice(0, limit).map(({ real, ...r }) => ({
      ...r,
      success: r.success === 1,
      ...(real ? { real: true as const } : {}),
    }));
    const last = shown.at(-1);
    return { rows: shown, ...(more && last ? { next: { createdAt: last.createdAt, id: last.id } } : {}) };
  }

  /** Everything stored about one episode. */
  show(id: number): StoredEpisode {
    const row = this.read(
      () =>
        this.db
          .prepare(
            `SELECT e.*, p.text AS program_text FROM episodes e LEFT JOIN programs p ON p.id = e.program_id WHERE e.id = ?`,
          )
          .get(id) as Record<string, unknown> | undefined,
    );
    if (!row) throw new DatasetError('not-found', `no episode ${id} in ${this.path}`);
    const parsed = (key: string): unknown => (typeof row[key] === 'string' ? JSON.parse(row[key]) : null);
    return {
      id: row.id as number,
      runId: row.run_id as number,
      task: row.task as string,
      split: row.split as string,
      arm: row.arm as StoredEpisode['arm'],
      seed: row.seed as number,
      sample: row.sample as number,
      instruction: row.instruction as string,
      scene: parsed('scene') as StoredEpisode['scene'],
      prompt: parsed('prompt') as StoredEpisode['prompt'],
      answer: (row.answer as string | null) ?? null,
      format: (row.format as string | null) ?? null,
      program: (row.program_text as string | null) ?? null,
      trace: (parsed('trace') ?? []) as StoredEpisode['trace'],
      success: row.success === 1,
      failureKind: (row.failure_kind as string | null) ?? null,
      failure: (row.failure as string | null) ?? null,
      reason: (row.reason as string | null) ?? null,
      model: (row.model as string | null) ?? null,
      sampling: parsed('sampling') as StoredEpisode['sampling'],
      tokens: (row.tokens as number | null) ?? null,
      simSeconds: (row.sim_seconds as number | null) ?? null,
      wallSeconds: (row.wall_seconds as number | null) ?? null,
      createdAt: row.created_at as number,
      cut: (parsed('cut') as string[] | null) ?? [],
      ...(typeof row.trajectory === 'string'
        ? { real: true, trajectory: parsed('trajectory') as RealTrajectory }
        : {}),
    };
  }

  /** Attempts and successes per task (and split), for the filter. */
  stats(filter: EpisodeFilter = {}): TaskRate[] {
    const { where, params } = whereClause(filter);
    const rows = this.read(
      () =>
        this.db
          .prepare(
            `SELECT task, split, COUNT(*) AS episodes, SUM(success) AS successes FROM episodes e
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY task, split ORDER BY split DESC, task`,
          )
          .all(params) as { task: string; split: string; episodes: number; successes: number }[],
    );
    return rows.map((r) => ({ ...r, rate: r.episodes ? r.successes / r.episodes : 0 }));
  }

  /** Attempts and successes per model ('scripted' for the scripted teacher), for the filter. */
  statsByModel(filter: EpisodeFilter = {}): ModelRate[] {
    const { where, params } = whereClause(filter);
    const rows = this.read(
      () =>
        this.db
          .prepare(
            `SELECT COALESCE(model, 'none') AS model, COUNT(*) AS episodes, SUM(success) AS successes FROM episodes e
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY model ORDER BY model`,
          )
          .all(params) as { model: string; episodes: number; successes: number }[],
    );
    const described = this.modelDescriptions();
    return rows.map((r) => ({
      ...r,
      rate: r.episodes ? r.successes / r.episodes : 0,
      ...(described.has(r.model) ? { description: described.get(r.model) } : {}),
    }));
  }

  /** What generation recorded about each model it used (recordModel), by the name episodes carry. */
  private modelDescriptions(): Map<string, ModelDescription> {
    if (!this.has('models')) return new Map();
    const rows = this.read(
      () =>
        this.statement('SELECT name, description FROM models').all() as {
          name: string;
          description: string;
        }[],
    );
    return new Map(rows.map((r) => [r.name, JSON.parse(r.description) as ModelDescription]));
  }

  /** A write transaction (BEGIN IMMEDIATE: it waits for the write lock up front, never half-way). */
  private write<T>(action: () => T): T {
    return guarded(this.path, () => this.db.transaction(action).immediate(), this.busyTimeoutMs);
  }

  private read<T>(action: () => T): T {
    return guarded(this.path, action, this.busyTimeoutMs);
  }

  private readonly statements = new Map<string, Database.Statement<unknown[]>>();
  /** Prepared once per store: episodes are written one by one, up to millions of them. */
  private statement(sql: string): Database.Statement<unknown[]> {
    let prepared = this.statements.get(sql);
    if (!prepared) this.statements.set(sql, (prepared = this.db.prepare(sql)));
    return prepared;
  }

  private schema?: Set<string>;
  /** Tables and episode columns, for files kept at an older schema (read-only opens, tests). */
  private has(name: string): boolean {
    this.schema ??= new Set([
      ...(this.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]),
      ...(['episodes', 'runs'] as const).flatMap((table) =>
        (this.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]).map(
          (c) => `${table}.${c}`,
        ),
      ),
    ]);
    return this.schema.has(name);
  }

  private hasClaims(): boolean {
    return this.has('run_claims');
  }

  private hasCutColumn(): boolean {
    return this.has('episodes.cut');
  }
}

function withoutCut<T extends { cut: unknown }>(row: T): Omit<T, 'cut'> {
  const { cut: _cut, ...rest } = row;
  return rest;
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
