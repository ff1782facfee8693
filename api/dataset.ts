// Dataset calls for the browser and the CLI: statistics, a page of episodes, one episode.
import { z } from 'zod';
import { defineCall } from './contract.ts';
import { openDataset } from '../core/dataset/open-dataset.ts';
import { EpisodeStore, type EpisodeSummary, type Page } from '../core/dataset/episode-store.ts';

const filter = z
  .object({
    task: z.string().optional(),
    split: z.enum(['train', 'heldout']).optional(),
    success: z.boolean().optional(),
    model: z.string().optional(),
    runId: z.number().int().positive().optional(),
    since: z.number().int().nonnegative().optional(),
    until: z.number().int().nonnegative().optional(),
    programContains: z.string().max(200).optional(),
  })
  .strict();

const db = z.string().min(1, 'the dataset file is required');

async function withStore<T>(path: string, use: (store: EpisodeStore) => T): Promise<T> {
  const handle = openDataset(path, { create: false });
  try {
    return use(new EpisodeStore(handle));
  } finally {
    handle.close();
  }
}

export const datasetStats = defineCall(
  'dataset.stats',
  z.object({ db, filter: filter.default({}) }).strict(),
  ({ db, filter }) => withStore(db, (store) => store.stats(filter)),
);

export const datasetModelStats = defineCall(
  'dataset.modelStats',
  z.object({ db, filter: filter.default({}) }).strict(),
  ({ db, filter }) => withStore(db, (store) => store.statsByModel(filter)),
);

export const datasetList = defineCall(
  'dataset.list',
  z
    .object({
      db,
      filter: filter.default({}),
      limit: z.number().int().min(1).max(1000).default(100),
      order: z.enum(['newest', 'oldest']).default('newest'),
      after: z.object({ createdAt: z.number().int(), id: z.number().int() }).strict().optional(),
    })
    .strict(),
  ({ db, filter, limit, order, after }): Promise<Page<EpisodeSummary>> =>
    withStore(db, (store) => store.list(filter, { limit, order, after })),
);

export const datasetShow = defineCall(
  'dataset.show',
  z.object({ db, id: z.number().int().positive() }).strict(),
  ({ db, id }) => withStore(db, (store) => store.show(id)),
);
