// The dataset's schema as a list of migrations. PRAGMA user_version says how many have run; an
// older file is upgraded in place, in one transaction (open-dataset.ts). Never edit a shipped step:
// add a new one.

export const MIGRATIONS: { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'runs and episodes',
    sql: `
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,            -- hash of the run's configuration: rerunning resumes
        config TEXT NOT NULL,                -- JSON
        teacher TEXT NOT NULL,
        started_at INTEGER NOT NULL,         -- ms since epoch
        ended_at INTEGER
      );
      CREATE TABLE episodes (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        task TEXT NOT NULL,
        arm TEXT NOT NULL,
        seed INTEGER NOT NULL,
        sample INTEGER NOT NULL,
        instruction TEXT NOT NULL,
        program TEXT,
        success INTEGER NOT NULL,
        failure TEXT,
        created_at INTEGER NOT NULL,
        UNIQUE (run_id, task, arm, seed, sample)
      );
    `,
  },
  {
    version: 2,
    description: 'full episodes, deduplicated programs, models, adapters, snapshots, browse indices',
    sql: `
      ALTER TABLE runs ADD COLUMN code_version TEXT;
      ALTER TABLE runs ADD COLUMN template_version TEXT;
      ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'running';

      CREATE TABLE programs (
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL
      );
      INSERT OR IGNORE INTO programs (hash, text)
        SELECT 'v1:' || id, program FROM episodes WHERE program IS NOT NULL;

      ALTER TABLE episodes ADD COLUMN split TEXT NOT NULL DEFAULT 'train';
      ALTER TABLE episodes ADD COLUMN program_id INTEGER REFERENCES programs(id);
      ALTER TABLE episodes ADD COLUMN scene TEXT;            -- JSON: the initial scene state
      ALTER TABLE episodes ADD COLUMN prompt TEXT;           -- JSON: the exact messages
      ALTER TABLE episodes ADD COLUMN answer TEXT;
      ALTER TABLE episodes ADD COLUMN format TEXT;
      ALTER TABLE episodes ADD COLUMN trace TEXT;            -- JSON: primitive calls and results
      ALTER TABLE episodes ADD COLUMN failure_kind TEXT;
      ALTER TABLE episodes ADD COLUMN reason TEXT;           -- the verifier's words
      ALTER TABLE episodes ADD COLUMN model TEXT;
      ALTER TABLE episodes ADD COLUMN sampling TEXT;         -- JSON
      ALTER TABLE episodes ADD COLUMN tokens INTEGER;
      ALTER TABLE episodes ADD COLUMN sim_seconds REAL;
      ALTER TABLE episodes ADD COLUMN wall_seconds REAL;
      UPDATE episodes SET program_id = (SELECT id FROM programs WHERE hash = 'v1:' || episodes.id);

      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        description TEXT NOT NULL,           -- JSON ModelDescription, never a key
        added_at INTEGER NOT NULL
      );
      CREATE TABLE adapters (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        base_model TEXT,
        snapshot_id INTEGER,
        added_at INTEGER NOT NULL
      );
      CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        filter TEXT NOT NULL,                -- JSON: how the episodes were chosen
        created_at INTEGER NOT NULL
      );
      CREATE TABLE snapshot_episodes (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
        episode_id INTEGER NOT NULL REFERENCES episodes(id),
        PRIMARY KEY (snapshot_id, episode_id)
      ) WITHOUT ROWID;

      CREATE INDEX episodes_by_time ON episodes (created_at DESC, id DESC);
      CREATE INDEX episodes_by_task_success_time ON episodes (task, success, created_at DESC, id DESC);
      CREATE INDEX episodes_by_success_time ON episodes (success, created_at DESC, id DESC);
      CREATE INDEX episodes_by_run ON episodes (run_id);
      CREATE INDEX episodes_by_model_time ON episodes (model, created_at DESC, id DESC);
    `,
  },
  {
    version: 3,
    description: 'an index that answers per-task statistics without reading the episodes',
    sql: `CREATE INDEX episodes_by_task_split_success ON episodes (task, split, success);`,
  },
  {
    version: 4,
    description:
      "indices for the Dataset screen's charts: per model, and per task among successes or failures",
    // At a million episodes: per-model statistics 916 -> 81 ms, per-task among failures 768 -> 40 ms.
    sql: `
      CREATE INDEX episodes_by_model_success ON episodes (model, success);
      CREATE INDEX episodes_by_success_task_split ON episodes (success, task, split);
    `,
  },
  {
    version: 5,
    description:
      'the file says it is a lab dataset; runs claimed by one writer at a time; which fields of an episode were cut',
    sql: `
      PRAGMA application_id = ${0x424c5a52}; -- 'BLZR': tells a lab dataset from another application's file
      CREATE TABLE run_claims (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id),
        token TEXT NOT NULL,                 -- random, one per claim
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        boot TEXT,                           -- the host's boot id: a pid from before a reboot is no one
        started TEXT,                        -- the process's start time, so a reused pid is not taken for it
        claimed_at INTEGER NOT NULL,         -- ms since epoch
        heartbeat_at INTEGER NOT NULL        -- refreshed while the claim is held
      );
      ALTER TABLE episodes ADD COLUMN cut TEXT; -- JSON list of the fields cut to their size limits
    `,
  },
  {
    version: 6,
    description:
      'drop the adapter and snapshot tables made ahead of fine-tuning: nothing wrote or read them (fine-tuning brings its own)',
    sql: `
      DROP TABLE IF EXISTS snapshot_episodes;
      DROP TABLE IF EXISTS snapshots;
      DROP TABLE IF EXISTS adapters;
    `,
  },
  {
    version: 7,
    description:
      'evaluation runs beside generation runs; training sets (which episodes a student learns from) and training jobs',
    sql: `
      ALTER TABLE runs ADD COLUMN purpose TEXT NOT NULL DEFAULT 'generate'; -- 'generate' | 'eval'
      CREATE TABLE training_sets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        method TEXT NOT NULL,                -- 'supervised' | 'dpo'
        selection TEXT NOT NULL,             -- JSON: how the episodes were chosen
        created_at INTEGER NOT NULL
      );
      CREATE TABLE training_set_examples (
        set_id INTEGER NOT NULL REFERENCES training_sets(id),
        episode_id INTEGER NOT NULL REFERENCES episodes(id),  -- a success (the preferred answer)
        rejected_id INTEGER REFERENCES episodes(id),          -- dpo: a failure on the same scene
        part TEXT NOT NULL,                  -- 'train' | 'validation'
        PRIMARY KEY (set_id, episode_id)
      ) WITHOUT ROWID;
      CREATE TABLE train_jobs (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES training_sets(id),
        trainer TEXT NOT NULL,               -- 'builtin' | 'command' | 'openai'
        base_model TEXT NOT NULL,
        hyper TEXT NOT NULL,                 -- JSON
        status TEXT NOT NULL,                -- running | succeeded | failed | cancelled | interrupted
        out_dir TEXT NOT NULL,
        adapter TEXT,                        -- the adapter (or remote model) the job made, by name
        remote_job TEXT,                     -- a remote fine-tuning job's id, to follow it after a restart
        losses TEXT NOT NULL DEFAULT '[]',   -- JSON [[step, loss, validLoss or null], ...]
        error TEXT,
        pid INTEGER,
        host TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER
      );
    `,
  },
  {
    version: 8,
    description:
      'real-arm trials beside simulated episodes: runs of purpose real, and the joint trajectory the arm followed',
    sql: `
      -- runs.purpose may now also be 'real': trials on a real arm, marked by the operator
      ALTER TABLE episodes ADD COLUMN trajectory TEXT; -- JSON {hz, joints, frames: [[t, q1..q6], ...]}: measured on the real arm
    `,
  },
];

/** The application id migration 5 writes into the header (PRAGMA application_id). */
export const LAB_APPLICATION_ID = 0x424c5a52;
/** Files of schema versions up to this one carry no application id. */
export const LAST_VERSION_WITHOUT_APPLICATION_ID = 4;
/** The oldest schema the read calls understand as it is, without upgrading the file. */
export const READABLE_FROM_VERSION = 2;

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;
