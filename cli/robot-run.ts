// lab robot run: a program on the real arm from a terminal, the safe way round: connect (torque
// off), torque on, dry run in simulation from the real scene and joints, show it, ask, execute
// primitive by primitive (Ctrl-C e-stops), ask how it went and store the trial, go back to where
// the arm started, torque off.
import { createInterface } from 'node:readline/promises';
import { readFileSync } from 'node:fs';
import { UsageError, numeric, text, yesNo, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { print } from './print.ts';
import { withStopSignal } from './progress.ts';
import type { CallInput } from '../api/contract.ts';
import type { RobotDryRun, RealTrial } from '../api/types.ts';

type Flags = ParsedArgs['flags'];

function need(flags: Flags, command: string, name: string): string {
  const value = text(flags, name);
  if (value === undefined || value === '') throw new UsageError(`${command} needs --${name}`);
  return value;
}

/** --objects "block:0.2,0.05,0.015,0.3;target:0.15,-0.05,0.06": where the task's objects really are. */
export function parseObjects(spec: string): NonNullable<CallInput<'robot.dryRun'>['objects']> {
  return spec
    .split(';')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const [name, numbers] = part.split(':');
      const values = (numbers ?? '').split(',').map((v) => Number(v.trim()));
      if (
        !name?.trim() ||
        (values.length !== 3 && values.length !== 4) ||
        values.some((v) => !Number.isFinite(v))
      )
        throw new UsageError(
          `--objects: '${part}' is not name:x,y,z or name:x,y,z,yaw (metres from the arm's base, yaw in radians)`,
        );
      return {
        name: name.trim(),
        position: [values[0], values[1], values[2]] as [number, number, number],
        yaw: values[3] ?? 0,
      };
    });
}

function solverOf(flags: Flags): CallInput<'robot.dryRun'>['solver'] {
  const format = (text(flags, 'format') ?? 'code') as 'code' | 'json';
  const program = text(flags, 'program');
  const model = text(flags, 'model');
  if (program !== undefined && model !== undefined)
    throw new UsageError('lab robot run takes --program or --model, not both');
  if (program !== undefined) {
    let source: string;
    try {
      source = readFileSync(program, 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read --program ${program}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    return { kind: 'program', format, source };
  }
  if (model !== undefined) {
    const adapter = text(flags, 'adapter');
    return { kind: 'model', model, format, ...(adapter ? { adapter } : {}) };
  }
  return { kind: 'scripted' };
}

async function ask(question: string): Promise<string> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(question)).trim().toLowerCase();
  } finally {
    prompt.close();
  }
}

export async function robotRun(flags: Flags, json: boolean): Promise<number> {
  const command = 'lab robot run';
  const port = need(flags, command, 'port');
  const calibration = need(flags, command, 'calibration');
  const task = need(flags, command, 'task');
  const seed = flags.seed === undefined ? 0 : (numeric(text(flags, 'seed')) as number);
  const objects = flags.objects === undefined ? undefined : parseObjects(need(flags, command, 'objects'));
  const confirmed = flags.yes === true;
  const mark = yesNo(text(flags, 'mark'), '--mark');
  const db = text(flags, 'db');
  const interactive = process.stdin.isTTY === true;
  if (!confirmed && !interactive)
    throw new UsageError(`${command}: no terminal to confirm in: pass --yes to run without asking`);
  const solver = solverOf(flags);
  const baud = flags.baud === undefined ? {} : { baudRate: numeric(text(flags, 'baud')) as number };

  const say = (line: string): void => void (json ? undefined : process.stderr.write(`${line}\n`));
  await call('robot.connect', { port, calibration, ...baud }, { flags: { baudRate: '--baud' } });
  try {
    await call('robot.torque', { on: true });
    say('connected, torque on; dry run in simulation from the arm as it is (nothing moves)…');
    const dry = await call('robot.dryRun', { task, seed, solver, ...(objects ? { objects } : {}) });
    say(describeDryRun(dry));
    if (!dry.executable) {
      if (json) print({ dryRun: summary(dry) }, true);
      return 3;
    }
    if (
      !confirmed &&
      !['y', 'yes'].includes(await ask('Run it on the real arm? Keep a hand on the power switch. [y/N] '))
    ) {
      say('not run.');
      return 0;
    }
    const trial = await withStopSignal('e-stop: the arm stops where it is', (signal) =>
      call(
        'robot.execute',
        { plan: dry.plan },
        {
          signal,
          onEvent: (event) => {
            if (event.type === 'robot.run') say(`  ${event.step}/${event.of} ${event.primitive}`);
          },
        },
      ),
    );
    say(describeTrial(trial));
    let stored: { episodeId: number; runId: number } | undefined;
    if (db !== undefined) {
      const success =
        mark ?? (interactive ? ['y', 'yes'].includes(await ask('Did the task succeed? [y/n] ')) : undefined);
      if (success === undefined) say('not stored: pass --mark yes|no to store the trial without a terminal');
      else stored = await call('robot.markTrial', { trial: trial.trial, success, db });
      if (stored) say(`stored as episode ${stored.episodeId} in ${db} (real)`);
    } else say('not stored (pass --db lab.sqlite to keep real trials beside the simulated episodes)');
    if (trial.status === 'completed') {
      say('going back to where the arm started… (Ctrl-C stops it)');
      await withStopSignal('e-stop: the arm stops where it is', (signal) =>
        call('robot.move', { joints: dry.result.recording!.frames[0].joints }, { signal }),
      );
    } else say('the arm stopped where it is; torque goes off now: support the arm');
    if (json)
      print(
        {
          dryRun: summary(dry),
          trial: { ...trial, trajectory: { frames: trial.trajectory.frames.length } },
          stored,
        },
        true,
      );
    return trial.status === 'completed' ? 0 : 3;
  } finally {
    await call('robot.disconnect', {}); // torque off
  }
}

function summary(dry: RobotDryRun) {
  const { result, ...rest } = dry;
  return { ...rest, success: result.success, reason: result.reason };
}

function describeDryRun(dry: RobotDryRun): string {
  const lines = [
    `simulated ${dry.result.taskId} seed ${dry.result.seed}: ${dry.result.success ? 'success' : 'failure'} (${dry.result.reason})`,
    ...dry.steps.map((step, i) => `  ${i + 1}. ${step.primitive}: ${step.status} (${step.message})`),
    dry.executable
      ? `the arm can run it: ${dry.steps.length} primitives`
      : `the arm will not run it: ${dry.why}`,
  ];
  return lines.join('\n');
}

function describeTrial(trial: RealTrial): string {
  const done = `${trial.stepsDone} of ${trial.steps} primitives`;
  return trial.status === 'completed'
    ? `done: ${done}`
    : `${trial.status} after ${done}: ${trial.message ?? ''}`;
}
