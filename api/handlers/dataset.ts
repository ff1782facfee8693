// Dataset calls: statistics, a page of episodes, one episode, its replay in 3D, the integrity
// check, exports for fine-tuning and merging datasets made elsewhere.
import { openDataset, upgradeDataset, type Db } from '../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../core/dataset/episode-store.ts';
import { exportChatJsonl, exportCsv, exportPreferencePairs } from '../../core/dataset/export.ts';
import { mergeDataset } from '../../core/dataset/merge.ts';
import { storedRun } from '../../core/planner/replay.ts';
import type { CallContext, Handlers } from '../dispatch.ts';
import { filePath, filesOf } from '../access.ts';
import { viewEpisode } from './episodes.ts';

/** A dataset opened for one call: read calls open it read-only (never migrated, never changed). */
export function withDataset<T>(path: string, use: (db: Db) => T, options: { write?: boolean } = {}): T {
  const db = openDataset(path, options.write ? { create: true } : { readonly: true });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

const withStore = <T>(path: string, use: (store: EpisodeStore) => T): T =>
  withDataset(path, (db) => use(new EpisodeStore(db)));

/** The dataset file a caller named, as a host path it may use. */
const dbPath = (context: CallContext, db: string): string => filePath(context, db, 'db');

export const handlers: Handlers<'dataset'> = {
  'dataset.stats': async ({ db, filter }, context) =>
    withStore(dbPath(context, db), (store) => store.stats(filter)),
  'dataset.modelStats': async ({ db, filter }, context) =>
    withStore(dbPath(context, db), (store) => store.statsByModel(filter)),
  'dataset.list': async ({ db, filter, limit, order, after }, context) =>
    withStore(dbPath(context, db), (store) => store.list(filter, { limit, order, after })),
  'dataset.show': async ({ db, id }, context) => withStore(dbPath(context, db), (store) => store.show(id)),

  'dataset.replay': async ({ db, id }, context) => {
    const stored = withStore(dbPath(context, db), (store) => store.show(id));
    const viewed = await viewEpisode(
      { task: stored.task, seed: stored.seed, arm: stored.arm },
      storedRun(stored),
      context,
    );
    return {
      ...viewed,
      stored: { success: stored.success },
      reproduced: viewed.result.success === stored.success,
    };
  },

  'dataset.check': async ({ db }, context) =>
    withDataset(dbPath(context, db), (handle) => ({
      integrity: handle.pragma('integrity_check', { simple: true }) as string,
      schemaVersion: handle.pragma('user_version', { simple: true }) as number,
    })),

  'dataset.upgrade': async ({ db }, context) => upgradeDataset(dbPath(context, db)),

  'dataset.export': async ({ db, format, out, validation }, context) => {
    const file = filePath(context, out, 'out');
    const dataset = openDataset(dbPath(context, db), { readonly: true });
    const show = (path: string): string => filesOf(context).show(path);
    try {
      if (format === 'chat') {
        const validationFile = file.replace(/(\.jsonl)?$/, '.validation.jsonl');
        const written = await exportChatJsonl(dataset, file, validationFile, validation);
        return { format, files: [show(file), show(validationFile)], ...written };
      }
      if (format === 'pairs')
        return { format, files: [show(file)], pairs: await exportPreferencePairs(dataset, file) };
      return { format, files: [show(file)], episodes: await exportCsv(dataset, file) };
    } finally {
      dataset.close();
    }
  },

  'dataset.merge': async ({ db, sources }, context) => {
    const files = sources.map((source) => filePath(context, source, 'sources'));
    return withDataset(
      dbPath(context, db),
      (target) => files.map((file, i) => ({ source: sources[i], ...mergeDataset(target, file) })),
      { write: true },
    );
  },
};
