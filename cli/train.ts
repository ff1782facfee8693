// lab train: training sets (snapshots of the dataset), training runs with a live progress bar, and
// the jobs' history; lab adapters: the adapter registry.
import { UsageError, numeric, text, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { print } from './print.ts';
import { progressBar, withStopSignal } from './progress.ts';
import type { CallInput } from '../api/contract.ts';
import type { RegisteredAdapter, TrainingSetSummary, TrainJobSummary, TrainProgress } from '../api/types.ts';

const need = (flags: ParsedArgs['flags'], command: string, name: string): string => {
  const value = text(flags, name);
  if (value === undefined) throw new UsageError(`${command} needs --${name}`);
  return value;
};

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);

export async function trainCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  const json = flags.json === true;
  if (rest.length) throw new UsageError(`lab train ${sub ?? ''} takes options only, not '${rest[0]}'`);
  if (sub === 'set') {
    const set = await call(
      'train.createSet',
      {
        db: need(flags, 'lab train set', 'db'),
        name: need(flags, 'lab train set', 'name'),
        ...(flags.method !== undefined ? { method: text(flags, 'method') as 'supervised' } : {}),
        ...(flags.tasks !== undefined ? { tasks: list(text(flags, 'tasks')) } : {}),
        ...(flags['max-per-task'] !== undefined
          ? { maxPerTask: numeric(flags['max-per-task']) as number }
          : {}),
        ...(flags.validation !== undefined ? { validation: numeric(flags.validation) as number } : {}),
        ...(flags.seed !== undefined ? { seed: numeric(flags.seed) as number } : {}),
      },
      { flags: { maxPerTask: '--max-per-task' } },
    );
    print(json ? set : setLine(set), json);
    return 0;
  }
  if (sub === 'sets') {
    const sets = await call('train.sets', { db: need(flags, 'lab train sets', 'db') });
    print(
      json
        ? sets
        : sets.map(setLine).join('\n') || 'no training sets yet (lab train set --db ... --name ...)',
      json,
    );
    return 0;
  }
  if (sub === 'jobs') {
    const jobs = await call('train.jobs', { db: need(flags, 'lab train jobs', 'db') });
    print(json ? jobs : jobs.map(jobLine).join('\n') || 'no training jobs yet', json);
    return 0;
  }
  if (sub !== undefined)
    throw new UsageError(`lab train: unknown subcommand '${sub}' (set, sets, jobs, or options to train)`);
  return trainRun(flags, json);
}

async function trainRun(flags: ParsedArgs['flags'], json: boolean): Promise<number> {
  const hyper: Record<string, number> = {};
  const hyperFlags: Record<string, string> = {
    epochs: 'epochs',
    lr: 'learningRate',
    batch: 'batchSize',
    rank: 'rank',
    alpha: 'alpha',
    'max-steps': 'maxSteps',
    seed: 'seed',
  };
  for (const [flag, field] of Object.entries(hyperFlags))
    if (flags[flag] !== undefined) hyper[field] = numeric(flags[flag]) as number;
  if (flags['max-minutes'] !== undefined) hyper.maxSeconds = (numeric(flags['max-minutes']) as number) * 60;
  const command = text(flags, 'command');
  const input: CallInput<'train.run'> = {
    db: need(flags, 'lab train', 'db'),
    trainingSet: need(flags, 'lab train', 'set'),
    base: need(flags, 'lab train', 'base'),
    ...(flags.trainer !== undefined ? { trainer: text(flags, 'trainer') as 'builtin' } : {}),
    ...(flags.name !== undefined ? { name: text(flags, 'name') } : {}),
    ...(command !== undefined ? { command: command.split(/\s+/).filter(Boolean) } : {}),
    ...(flags['base-url'] !== undefined ? { baseURL: text(flags, 'base-url') } : {}),
    ...(flags['trainer-base'] !== undefined ? { trainerBase: text(flags, 'trainer-base') } : {}),
    hyper,
  };
  const bar = progressBar();
  const job = await withStopSignal(
    'stopping the training; what it wrote so far stays in its folder',
    (signal) =>
      call('train.run', input, {
        signal,
        onEvent: (event) => {
          if (event.type !== 'train.progress') return;
          bar.show(trainProgressLine(event.progress), event.progress.step >= event.progress.totalSteps);
        },
        flags: {
          trainingSet: '--set',
          baseURL: '--base-url',
          'hyper.learningRate': '--lr',
          'hyper.batchSize': '--batch',
          'hyper.maxSteps': '--max-steps',
          'hyper.maxSeconds': '--max-minutes',
          'hyper.epochs': '--epochs',
          'hyper.rank': '--rank',
          'hyper.alpha': '--alpha',
        },
      }),
  ).finally(() => bar.end());
  print(
    json ? job : `${jobLine(job)}\n${job.adapter ? `use it with --adapter ${job.adapter}` : ''}`.trimEnd(),
    json,
  );
  return job.status === 'succeeded' ? 0 : 1;
}

export function trainProgressLine(p: TrainProgress): string {
  const width = 24;
  const filled = p.totalSteps ? Math.min(width, Math.round((width * p.step) / p.totalSteps)) : 0;
  const parts = [
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${p.step}/${p.totalSteps}`,
    `epoch ${p.epoch}`,
    Number.isFinite(p.loss) ? `loss ${p.loss.toFixed(3)}` : '',
    p.validLoss !== undefined ? `valid ${p.validLoss.toFixed(3)}` : '',
    p.tokensPerSecond ? `${Math.round(p.tokensPerSecond)} tok/s` : '',
    p.etaSeconds !== undefined && p.etaSeconds > 0
      ? `ETA ${Math.floor(p.etaSeconds / 60)}m${String(Math.round(p.etaSeconds % 60)).padStart(2, '0')}s`
      : '',
    p.message ?? '',
  ];
  return parts.filter(Boolean).join(', ');
}

function setLine(s: TrainingSetSummary): string {
  const tasks = Object.entries(s.perTask)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  return `${s.name}: ${s.method}, ${s.train} train + ${s.validation} validation ${s.method === 'dpo' ? 'pairs' : 'examples'} (${tasks})`;
}

function jobLine(j: TrainJobSummary): string {
  const last = j.losses.at(-1);
  const loss = last
    ? `, loss ${j.losses[0][1].toFixed(3)} -> ${last[1].toFixed(3)} over ${last[0]} steps`
    : '';
  const made = j.adapter ? `, made ${j.adapter}` : '';
  const why = j.error ? `: ${j.error}` : '';
  return `job ${j.id} (${j.trainer} on ${j.baseModel}, set ${j.trainingSet}): ${j.status}${loss}${made}${why}`;
}

export async function adaptersCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub = 'list', ...rest] = positionals;
  const json = flags.json === true;
  if (sub === 'list') {
    const adapters = await call('adapters.list', {});
    print(
      json
        ? adapters
        : adapters.map(adapterLine).join('\n') || 'no adapters yet (lab adapters import, or lab train)',
      json,
    );
    return 0;
  }
  if (sub === 'import') {
    if (rest.length !== 1)
      throw new UsageError('lab adapters import takes one adapter: a .gguf file or a PEFT folder');
    const adapter = await call('adapters.import', {
      from: rest[0],
      base: need(flags, 'lab adapters import', 'base'),
      ...(flags.name !== undefined ? { name: text(flags, 'name') } : {}),
    });
    print(json ? adapter : `imported ${adapterLine(adapter)}`, json);
    return 0;
  }
  if (sub === 'remove') {
    if (rest.length !== 1) throw new UsageError('lab adapters remove takes one adapter name');
    print(await call('adapters.remove', { name: rest[0] }), json);
    return 0;
  }
  throw new UsageError(`lab adapters: unknown subcommand '${sub}' (list, import, remove)`);
}

function adapterLine(a: RegisteredAdapter): string {
  const from =
    a.trainJob !== undefined ? `, job ${a.trainJob}${a.trainingSet ? ` on ${a.trainingSet}` : ''}` : '';
  return `${a.name}: rank ${a.rank}, ${a.targets.length} tensors, for ${a.base.name ?? a.base.path} (${a.base.architecture}, sha256 ${a.base.sha256.slice(0, 12)}), ${a.source}${from}`;
}
