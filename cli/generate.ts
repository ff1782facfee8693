// lab generate: a zero-shot data generation run into a dataset file, with a progress line.
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import type { GenerationProgress } from '../core/generate/generate.ts';
import { invoke } from '../api/contract.ts';
import { generateRun } from '../api/generate.ts';

export async function generateCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  if (positionals.length > 0)
    throw new UsageError(`lab generate takes options only, not '${positionals[0]}'`);
  const need = (name: string): string => {
    if (typeof flags[name] !== 'string') throw new UsageError(`lab generate needs --${name}`);
    return flags[name] as string;
  };
  const int = (name: string, fallback?: number): number => {
    const raw = flags[name] ?? fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new UsageError(`--${name} must be a positive integer, not '${String(raw)}'`);
    return value;
  };
  const taskArg = need('tasks');
  const format = String(flags.format ?? 'code');
  if (format !== 'code' && format !== 'json') throw new UsageError(`--format must be code or json`);
  const controller = new AbortController();
  const stop = (): void => {
    if (!controller.signal.aborted)
      process.stderr.write('\nstopping after the episodes in flight; rerun the same command to resume\n');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const show = (p: GenerationProgress): void => {
    const line = progressLine(p);
    if (tty) process.stderr.write(`\r${line}`);
    else if (Date.now() - lastLine > 2000 || p.done === p.total) {
      process.stderr.write(`${line}\n`);
      lastLine = Date.now();
    }
  };
  const summary = await invoke(
    generateRun,
    {
      db: need('db'),
      tasks:
        taskArg === 'train' || taskArg === 'all'
          ? taskArg
          : taskArg
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
      teacher: need('teacher'),
      scenes: int('scenes'),
      firstScene: flags['first-scene'] === undefined ? 0 : Number(flags['first-scene']),
      samples: int('samples', 1),
      temperature: flags.temperature === undefined ? undefined : Number(flags.temperature),
      format,
      workers: int('workers', 1),
      concurrency: flags.concurrency === undefined ? undefined : int('concurrency'),
      threads: flags.threads === undefined ? undefined : int('threads'),
    },
    {
      emit: (event) => event.type === 'generation.progress' && show(event.progress),
      signal: controller.signal,
    },
  );
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (tty) process.stderr.write('\n');
  process.stdout.write(
    `${summary.stopped ? 'stopped' : 'done'}: run ${summary.runId}, ${summary.done}/${summary.total} episodes (${summary.resumed} from before), ${summary.successes} successes in this session\n`,
  );
  return summary.stopped ? 130 : 0;
}

function progressLine(p: GenerationProgress): string {
  const width = 24;
  const filled = p.total ? Math.round((width * p.done) / p.total) : width;
  const eta =
    p.etaSeconds > 0
      ? `ETA ${Math.floor(p.etaSeconds / 60)}m${String(Math.round(p.etaSeconds % 60)).padStart(2, '0')}s`
      : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} episodes, ${p.perMinute.toFixed(0)}/min ${eta}`.trimEnd();
}
