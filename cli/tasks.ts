// lab tasks | lab run | lab attempt: the task suite, and one episode by the scripted solver,
// nobody, a person's program or a model, through the same call the Simulator uses.
import { readFileSync, statSync } from 'node:fs';
import { UsageError, noPositionals, numeric, text, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { print, stepLine } from './print.ts';
import type { CallInput, EpisodeRun } from '../api/contract.ts';
import type { EpisodeResult } from '../api/types.ts';

export async function tasksCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  if (positionals.length > 0) throw new UsageError('lab tasks takes no arguments');
  const tasks = await call('tasks.list', {});
  if (flags.json) {
    print(tasks, true);
    return 0;
  }
  const lines = tasks.map(
    (t) => `${t.id.padEnd(32)} ${t.split.padEnd(8)} ${t.arms.join(',').padEnd(13)} ${t.example}`,
  );
  const held = tasks.filter((t) => t.split === 'heldout').length;
  print(
    `${'task'.padEnd(32)} ${'split'.padEnd(8)} ${'arms'.padEnd(13)} example instruction\n${lines.join('\n')}\n\n${tasks.length} tasks, ${held} held out\n`,
    false,
  );
  return 0;
}

type EpisodeInput = CallInput<'episode.run'>;
const EPISODE_FLAGS = {
  recordTo: '--record',
  'solver.kind': '--solver',
  'solver.source': '--program',
  'solver.model': '--model',
};

/** The episode a command names: --task, --seed (0), --arm. */
function where(command: string, flags: ParsedArgs['flags']): Pick<EpisodeInput, 'task' | 'seed' | 'arm'> {
  const task = text(flags, 'task');
  if (task === undefined) throw new UsageError(`${command} needs --task <id> (see lab tasks)`);
  return {
    task,
    seed: (numeric(flags.seed) ?? 0) as number,
    ...(flags.arm !== undefined ? { arm: text(flags, 'arm') as EpisodeInput['arm'] } : {}),
  };
}

/** Where --record wrote the episode, or nothing. */
function recordedLine(run: { recorded?: { frames: number; hz: number; path: string } }): string {
  return run.recorded
    ? `recording (${run.recorded.frames} frames at ${run.recorded.hz} Hz) written to ${run.recorded.path}`
    : '';
}

export async function runCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  noPositionals('lab run', positionals);
  const recordTo = text(flags, 'record');
  const run = await call(
    'episode.run',
    {
      ...where('lab run', flags),
      solver: { kind: (text(flags, 'solver') ?? 'scripted') as 'scripted' },
      ...(recordTo ? { recordTo } : {}),
    },
    { flags: EPISODE_FLAGS },
  );
  const { result } = run;
  if (flags.json) print(result, true);
  else
    print(
      [
        header(result),
        ...result.trace.map(stepLine),
        '',
        `${result.success ? 'SUCCESS' : 'FAILURE'}: ${result.reason}${result.stopped ? ` (${result.stopped})` : ''}`,
        `${result.primitiveCalls} primitive calls, ${result.simSeconds} s simulated, ${result.wallSeconds} s wall`,
        recordedLine(run),
        '',
        finalState(run),
      ]
        .filter((l, i) => l !== '' || i > 0)
        .join('\n'),
      false,
    );
  return result.success ? 0 : 3;
}

export async function promptCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  noPositionals('lab prompt', positionals);
  const shown = await call(
    'scene.prompt',
    {
      ...where('lab prompt', flags),
      ...(flags.format !== undefined ? { format: text(flags, 'format') as 'code' } : {}),
    },
    { flags: EPISODE_FLAGS },
  );
  if (flags.json) print(shown, true);
  else print(`# ${shown.templateVersion}\n\n${formatMessages(shown.messages)}\n`, false);
  return 0;
}

/** Chat messages as a person reads them: each under its role. */
function formatMessages(messages: { role: string; content: string }[]): string {
  return messages.map((m) => `[${m.role}]\n${m.content.trimEnd()}`).join('\n\n');
}

export async function attemptCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  noPositionals('lab attempt', positionals);
  const model = text(flags, 'model');
  const programFile = text(flags, 'program');
  if ((programFile === undefined) === (model === undefined))
    throw new UsageError(
      'lab attempt needs either --model <file.gguf | openai:NAME@URL> or --program <file.py>',
    );
  const json = flags.json === true;
  const solver: EpisodeInput['solver'] = model
    ? {
        kind: 'model',
        model,
        format: (text(flags, 'format') ?? 'code') as 'code',
        ...(flags.adapter !== undefined ? { adapter: text(flags, 'adapter') } : {}),
        ...(flags.threads !== undefined ? { threads: numeric(flags.threads) as number } : {}),
        ...(flags.temperature !== undefined ? { temperature: numeric(flags.temperature) as number } : {}),
      }
    : { kind: 'program', source: readProgram(programFile!) };
  const recordTo = text(flags, 'record');
  const run = await call(
    'episode.run',
    { ...where('lab attempt', flags), solver, ...(recordTo ? { recordTo } : {}) },
    {
      flags: EPISODE_FLAGS,
      onEvent: (event) => {
        if (json) return;
        if (event.type === 'model.prompt') {
          const shown = formatMessages(event.messages);
          process.stdout.write(`--- prompt (${event.templateVersion}) ---\n${shown}\n\n--- answer ---\n`);
        } else if (event.type === 'model.text') process.stdout.write(event.text);
      },
    },
  );
  const { result, attempt } = run;
  if (json)
    print(
      attempt
        ? { ...attempt, episode: result }
        : { ...result, programSource: solver.kind === 'program' ? solver.source : undefined },
      true,
    );
  else if (attempt) {
    const failure = attempt.failure;
    print(
      `\n\n${[
        '',
        '--- result ---',
        `${result.taskId} seed ${result.seed}: "${result.instruction}"`,
        `model ${attempt.model.id}, prompt ${attempt.templateVersion}, ${attempt.generation.tokens} tokens in ${attempt.generation.seconds.toFixed(2)} s`,
        attempt.program ? `program:\n${attempt.program.trimEnd()}` : '',
        ...result.trace.map(stepLine),
        `${attempt.success ? 'SUCCESS' : 'FAILURE'}: ${failure ? `${failure.kind}${failure.line ? ` at line ${failure.line}` : ''}: ${failure.message}` : result.reason}`,
        recordedLine(run),
      ]
        .filter(Boolean)
        .join('\n')}\n`,
      false,
    );
  } else {
    const p = result.program!;
    print(
      [
        header(result),
        ...result.trace.map(stepLine),
        p.output ? `program output:\n${p.output.trimEnd()}` : '',
        `program: ${p.kind}${p.line ? ` at line ${p.line}` : ''}: ${p.message} (${p.primitiveCalls} primitive calls, ${p.runnerSeconds} s in Python)`,
        `${result.success ? 'SUCCESS' : 'FAILURE'}: ${result.reason}`,
        `${result.simSeconds} s simulated, ${result.wallSeconds} s wall`,
        recordedLine(run),
        '',
        finalState(run),
      ]
        .filter(Boolean)
        .join('\n') + '\n',
      false,
    );
  }
  return result.success ? 0 : 3;
}

function header(r: EpisodeResult): string {
  return `${r.taskId} (${r.split}) seed ${r.seed} on ${r.arm}: "${r.instruction}"`;
}

function finalState(run: EpisodeRun): string {
  return run.finalStateText;
}

/** A person's program file: read here, where the user named it; its text goes to the lab. */
function readProgram(path: string): string {
  try {
    if (!statSync(path).isFile()) throw new UsageError(`--program ${path} is not a file`);
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `cannot read the program file '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}
