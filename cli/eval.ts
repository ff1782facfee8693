// lab eval: run a model on the evaluation seeds and print success per task with 95% intervals;
// lab eval list / compare: the evaluation runs of a dataset, and the paper-style table.
import { UsageError, numeric, text, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { print } from './print.ts';
import { progressBar, withStopSignal } from './progress.ts';
import { generationProgressLine } from './generate.ts';
import type { CallInput } from '../api/contract.ts';
import type { EvalSummary, RateWithInterval } from '../api/types.ts';

export async function evalCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  const json = flags.json === true;
  const db = (): string => {
    const value = text(flags, 'db');
    if (value === undefined) throw new UsageError(`lab eval${sub ? ` ${sub}` : ''} needs --db`);
    return value;
  };
  if (sub === 'list') {
    const runs = await call('eval.list', { db: db() });
    print(
      json ? runs : runs.map(runLine).join('\n') || 'no evaluation runs yet (lab eval --model ...)',
      json,
    );
    return 0;
  }
  if (sub === 'compare') {
    const ids = rest.map((r) => Number(r));
    if (!ids.length || ids.some((id) => !Number.isInteger(id) || id <= 0))
      throw new UsageError('lab eval compare takes evaluation run numbers (see lab eval list)');
    const table = await call('eval.compare', { db: db(), runs: ids });
    if (json) print(table, true);
    else process.stdout.write(table.text);
    return 0;
  }
  if (sub !== undefined)
    throw new UsageError(`lab eval: unknown subcommand '${sub}' (list, compare, or options to evaluate)`);

  const need = (name: string): string => {
    const value = text(flags, name);
    if (value === undefined) throw new UsageError(`lab eval needs --${name}`);
    return value;
  };
  const tasks = need('tasks');
  const number = (flag: string, field = flag): Record<string, number> =>
    flags[flag] === undefined ? {} : { [field]: numeric(flags[flag]) as number };
  const input: CallInput<'eval.run'> = {
    db: db(),
    model: need('model'),
    ...(flags.adapter !== undefined ? { adapter: text(flags, 'adapter') } : {}),
    tasks:
      tasks === 'train' || tasks === 'heldout' || tasks === 'all'
        ? tasks
        : tasks
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
    scenes: numeric(need('scenes')) as number,
    ...number('samples'),
    ...number('temperature'),
    ...number('workers'),
    ...number('concurrency'),
    ...number('threads'),
    ...(flags.format !== undefined ? { format: text(flags, 'format') as 'code' } : {}),
  };
  const bar = progressBar();
  const summary = await withStopSignal(
    'stopping after the attempts in flight; rerun the same command to resume',
    (signal) =>
      call('eval.run', input, {
        signal,
        onEvent: (event) => {
          if (event.type === 'eval.progress')
            bar.show(generationProgressLine(event.progress), event.progress.done === event.progress.total);
        },
      }),
  ).finally(() => bar.end());
  print(json ? summary : formatEvaluation(summary), json);
  return 0;
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
const rate = (r: RateWithInterval): string =>
  `${pct(r.rate)} (${r.successes}/${r.attempts}, 95% CI ${pct(r.low)}-${pct(r.high)})`;

export function formatEvaluation(s: EvalSummary): string {
  const width = Math.max(4, ...s.tasks.map((t) => t.task.length + (t.split === 'heldout' ? 11 : 0)));
  const lines = [
    `evaluation run ${s.runId}: ${s.label}, ${s.scenes} scenes x ${s.samples} samples from seed ${s.firstSeed.toLocaleString('en-US')} (${s.status})`,
    ...s.tasks.map(
      (t) =>
        `  ${(t.split === 'heldout' ? `${t.task} (held-out)` : t.task).padEnd(width)}  ${rate(t).padEnd(34)}  ${t.tokens} tokens, ${t.seconds.toFixed(2)} s per attempt`,
    ),
  ];
  if (s.train) lines.push(`  ${'train mean'.padEnd(width)}  ${rate(s.train)}`);
  if (s.heldout) lines.push(`  ${'held-out mean'.padEnd(width)}  ${rate(s.heldout)}`);
  return lines.join('\n');
}

function runLine(s: EvalSummary): string {
  const means = [
    s.train ? `train ${pct(s.train.rate)}` : '',
    s.heldout ? `held-out ${pct(s.heldout.rate)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `run ${s.runId}: ${s.label}, ${s.tasks.length} tasks x ${s.scenes} scenes, ${means} (${s.status})`;
}
