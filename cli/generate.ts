// lab generate: a zero-shot data generation run into a dataset file, with a progress line.
import { UsageError, noPositionals, numeric, text, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import type { GenerationProgress } from '../api/types.ts';
import type { CallInput } from '../api/contract.ts';

export async function generateCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  noPositionals('lab generate', positionals);
  const need = (name: string): string => {
    const value = text(flags, name);
    if (value === undefined) throw new UsageError(`lab generate needs --${name}`);
    return value;
  };
  const number = (name: string): Record<string, number> =>
    flags[name] === undefined
      ? {}
      : { [name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())]: numeric(flags[name]) as number };
  const taskArg = need('tasks');
  const format = text(flags, 'format');
  const input: CallInput<'generate.run'> = {
    db: need('db'),
    tasks:
      taskArg === 'train' || taskArg === 'all'
        ? taskArg
        : taskArg
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
    teacher: need('teacher'),
    ...(flags.adapter !== undefined ? { adapter: text(flags, 'adapter') } : {}),
    scenes: numeric(need('scenes')) as number,
    ...number('first-scene'),
    ...number('samples'),
    ...number('temperature'),
    ...number('workers'),
    ...number('concurrency'),
    ...number('threads'),
    ...(format !== undefined ? { format: format as 'code' } : {}),
  };
  const controller = new AbortController();
  const stop = (): void => {
    if (!controller.signal.aborted)
      process.stderr.write('\nstopping after the episodes in flight; rerun the same command to resume\n');
    controller.abort();
  };
  process.on('SIGINT', stop); // on, not once: signal-exit (loaded with the lab) kills the process when only its own listener is left
  process.on('SIGTERM', stop);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const show = (p: GenerationProgress): void => {
    const line = generationProgressLine(p);
    if (tty) process.stderr.write(`\r${line}`);
    else if (Date.now() - lastLine > 2000 || p.done === p.total) {
      process.stderr.write(`${line}\n`);
      lastLine = Date.now();
    }
  };
  try {
    const summary = await call('generate.run', input, {
      onEvent: (event) => event.type === 'generation.progress' && show(event.progress),
      signal: controller.signal,
    });
    if (tty) process.stderr.write('\n');
    process.stdout.write(
      `${summary.stopped ? 'stopped' : 'done'}: run ${summary.runId}, ${summary.done}/${summary.total} episodes (${summary.resumed} from before), ${summary.successes} successes in this session\n`,
    );
    return summary.stopped ? 130 : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export function generationProgressLine(p: GenerationProgress): string {
  const width = 24;
  const filled = p.total ? Math.round((width * p.done) / p.total) : width;
  const eta =
    p.etaSeconds > 0
      ? `ETA ${Math.floor(p.etaSeconds / 60)}m${String(Math.round(p.etaSeconds % 60)).padStart(2, '0')}s`
      : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} episodes, ${p.perMinute.toFixed(0)}/min ${eta}`.trimEnd();
}
