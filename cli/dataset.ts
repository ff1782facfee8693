// lab dataset stats|list|show|check
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { openDataset } from '../core/dataset/open-dataset.ts';
import { EpisodeStore, type EpisodeFilter } from '../core/dataset/episode-store.ts';
import { print } from './print.ts';

export async function datasetCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  if (typeof flags.db !== 'string') throw new UsageError('lab dataset needs --db <file.sqlite>');
  const db = openDataset(flags.db, { create: false });
  try {
    const store = new EpisodeStore(db);
    const json = flags.json === true;
    const filter: EpisodeFilter = {
      ...(typeof flags.task === 'string' ? { task: flags.task } : {}),
      ...(typeof flags.split === 'string' ? { split: flags.split } : {}),
      ...(flags.success !== undefined
        ? { success: flags.success === true || flags.success === 'true' || flags.success === 'yes' }
        : {}),
      ...(typeof flags.model === 'string' ? { model: flags.model } : {}),
      ...(typeof flags.contains === 'string' ? { programContains: flags.contains } : {}),
    };
    switch (sub) {
      case 'stats': {
        const stats = store.stats(filter);
        if (json) print(stats, true);
        else {
          const total = stats.reduce((a, s) => a + s.episodes, 0);
          const ok = stats.reduce((a, s) => a + s.successes, 0);
          print(
            `${'task'.padEnd(32)} ${'split'.padEnd(8)} ${'episodes'.padStart(9)} ${'successes'.padStart(10)}   rate\n` +
              stats
                .map(
                  (s) =>
                    `${s.task.padEnd(32)} ${s.split.padEnd(8)} ${String(s.episodes).padStart(9)} ${String(s.successes).padStart(10)} ${(100 * s.rate).toFixed(1).padStart(6)}%`,
                )
                .join('\n') +
              `\n${'all'.padEnd(41)} ${String(total).padStart(9)} ${String(ok).padStart(10)} ${(total ? (100 * ok) / total : 0).toFixed(1).padStart(6)}%\n`,
            false,
          );
        }
        return 0;
      }
      case 'list': {
        const limit = flags.limit === undefined ? 20 : Number(flags.limit);
        const after = typeof flags.after === 'string' ? parseCursor(flags.after) : undefined;
        const page = store.list(filter, { limit, after });
        if (json) print(page, true);
        else
          print(
            page.rows
              .map(
                (r) =>
                  `${String(r.id).padStart(7)}  ${new Date(r.createdAt).toISOString().slice(0, 19)}  ${r.task.padEnd(30)} seed ${String(r.seed).padEnd(4)} #${r.sample}  ${r.success ? 'success' : `failure (${r.failureKind ?? '?'})`}  ${r.model ?? ''}`,
              )
              .join('\n') + (page.next ? `\nmore: --after ${page.next.createdAt}:${page.next.id}\n` : '\n'),
            false,
          );
        return 0;
      }
      case 'show': {
        const id = Number(rest[0]);
        if (!Number.isInteger(id)) throw new UsageError('lab dataset show needs an episode id');
        print(store.show(id), true);
        return 0;
      }
      case 'check': {
        const result = db.pragma('integrity_check', { simple: true }) as string;
        const version = db.pragma('user_version', { simple: true });
        print(
          json
            ? { integrity: result, schemaVersion: version }
            : `integrity: ${result}; schema version ${String(version)}\n`,
          json,
        );
        return result === 'ok' ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown dataset command '${sub ?? ''}': use stats, list, show or check`);
    }
  } finally {
    db.close();
  }
}

function parseCursor(text: string): { createdAt: number; id: number } {
  const [createdAt, id] = text.split(':').map(Number);
  if (!Number.isInteger(createdAt) || !Number.isInteger(id))
    throw new UsageError('--after takes the cursor printed by the previous page');
  return { createdAt, id };
}
