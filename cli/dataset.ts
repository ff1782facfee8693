// lab dataset stats|list|show|check|export|merge
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { openDataset } from '../core/dataset/open-dataset.ts';
import { EpisodeStore, type EpisodeFilter } from '../core/dataset/episode-store.ts';
import { print } from './print.ts';
import { exportChatJsonl, exportCsv, exportPreferencePairs } from '../core/dataset/export.ts';
import { mergeDataset } from '../core/dataset/merge.ts';

export async function datasetCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  if (typeof flags.db !== 'string') throw new UsageError('lab dataset needs --db <file.sqlite>');
  const db = openDataset(flags.db, { create: sub === 'merge' });
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
        const order = flags.order === undefined ? 'newest' : String(flags.order);
        if (order !== 'newest' && order !== 'oldest')
          throw new UsageError('--order must be newest or oldest');
        const page = store.list(filter, { limit, after, order });
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
      case 'export': {
        const kind = String(flags.format ?? 'chat');
        if (typeof flags.out !== 'string') throw new UsageError('lab dataset export needs --out <file>');
        if (kind === 'chat') {
          const validation = flags.out.replace(/(\.jsonl)?$/, '.validation.jsonl');
          const fraction = flags.validation === undefined ? 0.1 : Number(flags.validation);
          const r = await exportChatJsonl(db, flags.out, validation, fraction);
          print(
            json
              ? r
              : `${r.train} training and ${r.validation} validation conversations written to ${flags.out} and ${validation}${r.skipped ? ` (${r.skipped} scripted successes have no prompt and were left out)` : ''}\n`,
            json,
          );
        } else if (kind === 'pairs') {
          const n = await exportPreferencePairs(db, flags.out);
          print(json ? { pairs: n } : `${n} preference pairs written to ${flags.out}\n`, json);
        } else if (kind === 'csv') {
          const n = await exportCsv(db, flags.out);
          print(json ? { episodes: n } : `${n} episodes written to ${flags.out}\n`, json);
        } else throw new UsageError('--format must be chat, pairs or csv');
        return 0;
      }
      case 'merge': {
        if (rest.length === 0) throw new UsageError('lab dataset merge --db target.sqlite <other.sqlite>...');
        for (const other of rest) {
          const r = mergeDataset(db, other);
          print(
            json
              ? { source: other, ...r }
              : `${other}: ${r.episodes} episodes and ${r.runs} runs added, ${r.skipped} already present\n`,
            json,
          );
        }
        return 0;
      }
      default:
        throw new UsageError(
          `unknown dataset command '${sub ?? ''}': use stats, list, show, check, export or merge`,
        );
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
