// A separate process for the dataset tests: runs one action on a dataset and prints its outcome as
// the last line, `RESULT {json}`. With "barrier": true it prints `ready` and waits for SIGUSR1, so
// the test can start several at the same moment. Lines it prints on the way (`claimed`, `locked`)
// tell the test where it is. Imports core first: open-dataset.ts must load better-sqlite3.
import { openDataset, type Db } from '../../../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../../../core/dataset/episode-store.ts';
import { exportChatJsonl, exportCsv, exportPreferencePairs } from '../../../../core/dataset/export.ts';
import { mergeDataset } from '../../../../core/dataset/merge.ts';
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { episode } from '../helpers.ts';

type Args = Record<string, unknown> & { db: string };

const actions: Record<string, (a: Args) => unknown> = {
  open: (a) => {
    const db = openDataset(a.db, (a.options as object) ?? {});
    const version = db.pragma('user_version', { simple: true });
    db.close();
    return version;
  },

  /** Start and finish each run in turn; a run another process holds at that moment counts as busy. */
  'start-runs': (a) => {
    const store = new EpisodeStore(openDataset(a.db));
    const ids: (number | 'busy')[] = [];
    for (const key of a.keys as string[]) {
      try {
        const id = store.startRun({ key, config: {}, teacher: 'scripted', codeVersion: 'test' });
        store.finishRun(id, 'done');
        ids.push(id);
      } catch (err) {
        if ((err as { kind?: string }).kind !== 'busy') throw err;
        ids.push('busy');
      }
    }
    store.db.close();
    return ids;
  },

  /** Claim a run; with hold, keep it until killed. */
  claim: async (a) => {
    const store = new EpisodeStore(openDataset(a.db));
    const runId = store.startRun({
      key: a.key as string,
      config: {},
      teacher: 'scripted',
      codeVersion: 'test',
    });
    console.log(`claimed ${runId}`);
    if (a.hold) await new Promise(() => setInterval(() => undefined, 1000));
    const finished = store.finishRun(runId, 'done');
    store.db.close();
    return { runId, finished };
  },

  /** Hold the write lock until killed. */
  lock: async (a) => {
    const db = new Database(a.db);
    db.exec('BEGIN IMMEDIATE');
    console.log('locked');
    await new Promise(() => setInterval(() => undefined, 1000));
  },

  /** Add episodes with these seeds to run `key`; returns their ids. */
  'add-episodes': (a) => {
    const store = new EpisodeStore(openDataset(a.db));
    const runId = store.startRun({
      key: a.key as string,
      config: {},
      teacher: 'scripted',
      codeVersion: 'test',
    });
    for (const seed of a.seeds as number[]) store.addEpisode(runId, episode(seed, 0, true));
    store.finishRun(runId, 'done');
    const ids = store.db.prepare('SELECT id FROM episodes WHERE run_id = ? ORDER BY id').pluck().all(runId);
    store.db.close();
    return ids;
  },

  merge: (a) => {
    const target = openDataset(a.db);
    const chunks: number[] = [];
    const result = mergeDataset(target, a.source as string, {
      chunkEpisodes: a.chunkEpisodes as number | undefined,
      onChunk: (c) => chunks.push(c.lockMs),
    });
    target.close();
    return { ...result, chunks: chunks.length, longestLockMs: Math.max(0, ...chunks) };
  },

  /** Export, optionally after writing a previous file; returns the counts and the folder after. */
  export: async (a) => {
    const out = a.out as string;
    if (typeof a.previous === 'string') writeFileSync(out, a.previous);
    const db = openDataset(a.db, { readonly: true });
    const source = typeof a.slowMs === 'number' ? slowed(db, a.slowMs) : db;
    try {
      const format = a.format ?? 'csv';
      const counts =
        format === 'chat'
          ? await exportChatJsonl(source, out, a.validation as string)
          : format === 'pairs'
            ? await exportPreferencePairs(source, out)
            : await exportCsv(source, out);
      return { counts };
    } finally {
      db.close();
      if (a.report) console.log(`FOLDER ${JSON.stringify(folder(a.report as string))}`);
    }
  },

  /** Read-only calls: statistics, a page, one episode. */
  read: (a) => {
    const store = new EpisodeStore(openDataset(a.db, { readonly: true }));
    const stats = store.stats();
    const page = store.list({}, { limit: 5 });
    const shown = store.show(page.rows[0].id);
    store.db.close();
    return { stats, rows: page.rows.length, shown: { id: shown.id, task: shown.task } };
  },
};

/** The same connection, with every row of an iteration delayed: an export slow enough to kill. */
function slowed(db: Db, ms: number): Db {
  const pause = (): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const bound = <T extends object>(target: T, key: string | symbol): unknown => {
    const value = Reflect.get(target, key, target) as unknown;
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  };
  return new Proxy(db, {
    get(target, key) {
      if (key !== 'prepare') return bound(target, key);
      return (sql: string) =>
        new Proxy(target.prepare(sql), {
          get(statement, name) {
            if (name !== 'iterate') return bound(statement, name);
            return function* (...params: unknown[]): Generator<unknown> {
              for (const row of statement.iterate(...params)) {
                pause();
                yield row;
              }
            };
          },
        });
    },
  });
}

function folder(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

async function main(): Promise<void> {
  const [action, json] = process.argv.slice(2);
  const args = JSON.parse(json) as Args;
  if (args.barrier)
    await new Promise<void>((resolve) => {
      const alive = setInterval(() => undefined, 1000); // a signal listener alone keeps no process alive
      process.once('SIGUSR1', () => {
        clearInterval(alive);
        resolve();
      });
      console.log('ready');
    });
  let outcome: unknown;
  try {
    outcome = { ok: true, result: await actions[action](args) };
  } catch (err) {
    const { name, message, kind, code } = err as Error & { kind?: string; code?: string };
    outcome = { ok: false, error: { name, message, kind, code } };
  }
  console.log(`RESULT ${JSON.stringify(outcome)}`);
}

await main();
