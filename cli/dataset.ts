// lab dataset stats|list|show|check|export|merge
import { UsageError, numeric, text, yesNo, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { print } from './print.ts';
import type { EpisodeFilter, PageCursor } from '../api/types.ts';

const FILTER_FLAGS = {
  'filter.task': '--task',
  'filter.split': '--split',
  'filter.model': '--model',
  'filter.programContains': '--contains',
};

export async function datasetCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  const db = text(flags, 'db');
  if (db === undefined) throw new UsageError('lab dataset needs --db <file.sqlite>');
  const json = flags.json === true;
  const task = text(flags, 'task');
  const split = text(flags, 'split');
  const model = text(flags, 'model');
  const contains = text(flags, 'contains');
  const success = yesNo(flags.success, '--success');
  const filter: EpisodeFilter = {
    ...(task !== undefined ? { task } : {}),
    ...(split !== undefined ? { split: split as EpisodeFilter['split'] } : {}),
    ...(success !== undefined ? { success } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(contains !== undefined ? { programContains: contains } : {}),
  };
  switch (sub) {
    case 'stats': {
      const stats = await call('dataset.stats', { db, filter }, { flags: FILTER_FLAGS });
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
      const after = text(flags, 'after');
      const order = text(flags, 'order');
      const page = await call(
        'dataset.list',
        {
          db,
          filter,
          limit: (numeric(flags.limit) ?? 20) as number,
          ...(order !== undefined ? { order: order as 'newest' } : {}),
          ...(after !== undefined ? { after: parseCursor(after) } : {}),
        },
        { flags: FILTER_FLAGS },
      );
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
      if (rest.length !== 1) throw new UsageError('lab dataset show needs one episode id');
      print(
        await call(
          'dataset.show',
          { db, id: numeric(rest[0]) as number },
          { flags: { id: 'the episode id' } },
        ),
        true,
      );
      return 0;
    }
    case 'check': {
      const { integrity, schemaVersion } = await call('dataset.check', { db });
      print(
        json ? { integrity, schemaVersion } : `integrity: ${integrity}; schema version ${schemaVersion}\n`,
        json,
      );
      return integrity === 'ok' ? 0 : 1;
    }
    case 'upgrade': {
      const { from, to } = await call('dataset.upgrade', { db });
      print(
        json
          ? { from, to }
          : from === to
            ? `${db} is at schema version ${to} already\n`
            : `${db} upgraded from schema version ${from} to ${to}\n`,
        json,
      );
      return 0;
    }
    case 'export': {
      const out = text(flags, 'out');
      if (out === undefined) throw new UsageError('lab dataset export needs --out <file>');
      const format = text(flags, 'format') ?? 'chat';
      const written = await call('dataset.export', {
        db,
        out,
        format: format as 'chat',
        ...(flags.validation !== undefined ? { validation: numeric(flags.validation) as number } : {}),
      });
      if (json) print(written, true);
      else if (written.format === 'chat')
        print(
          `${written.train} training and ${written.validation} validation conversations written to ${written.files[0]} and ${written.files[1]}${written.skipped ? ` (${written.skipped} scripted successes have no prompt and were left out)` : ''}${written.cut ? ` (${written.cut} successes cut to size when stored were left out)` : ''}\n`,
          false,
        );
      else if (written.format === 'pairs')
        print(`${written.pairs} preference pairs written to ${written.files[0]}\n`, false);
      else print(`${written.episodes} episodes written to ${written.files[0]}\n`, false);
      return 0;
    }
    case 'merge': {
      if (rest.length === 0) throw new UsageError('lab dataset merge --db target.sqlite <other.sqlite>...');
      const merged = await call('dataset.merge', { db, sources: rest });
      for (const r of merged)
        print(
          json
            ? r
            : `${r.source}: ${r.episodes} episodes and ${r.runs} runs added, ${r.skipped} already present\n`,
          json,
        );
      return 0;
    }
    default:
      throw new UsageError(
        `unknown dataset command '${sub ?? ''}': use stats, list, show, check, upgrade, export or merge`,
      );
  }
}

function parseCursor(value: string): PageCursor {
  const [createdAt, id] = value.split(':').map(Number);
  if (!Number.isSafeInteger(createdAt) || !Number.isSafeInteger(id))
    throw new UsageError('--after takes the cursor printed by the previous page');
  return { createdAt, id };
}
