// lab tasks | lab run
import { renameSync, writeFileSync } from 'node:fs';
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { invoke } from '../api/contract.ts';
import { episodeRun, tasksList } from '../api/tasks.ts';
import { formatSceneState } from '../core/sim/scene-state.ts';
import { setupEpisode } from '../core/tasks/episode.ts';
import { findTask } from '../core/tasks/registry.ts';
import { DEFAULT_RECORD_HZ } from '../core/tasks/recorder.ts';
import { print } from './print.ts';

export async function tasksCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  if (positionals.length > 0) throw new UsageError('lab tasks takes no arguments');
  const tasks = await invoke(tasksList, {});
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

export async function runCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`lab run takes options only, not '${positionals[0]}'`);
  if (typeof flags.task !== 'string') throw new UsageError('lab run needs --task <id> (see lab tasks)');
  const seed = Number(flags.seed ?? 0);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, not '${String(flags.seed)}'`);
  const record = typeof flags.record === 'string' ? flags.record : undefined;
  const input = {
    task: flags.task,
    seed,
    arm: flags.arm as 'panda' | 'so100' | undefined,
    solver: (flags.solver ?? 'scripted') as 'scripted' | 'none',
    recordHz: record ? DEFAULT_RECORD_HZ : undefined,
  };
  const result = await invoke(episodeRun, input);
  if (record) {
    const setup = setupEpisode(await findTask(result.taskId), seed, result.arm);
    const { trajectory, ...summary } = result;
    const file = {
      version: 1,
      kind: 'blazer-lab episode recording',
      scene: setup.scene,
      joints: setup.joints,
      result: summary,
      trajectory,
    };
    // Write beside, then rename: a crash never leaves a half-written recording.
    writeFileSync(`${record}.tmp`, JSON.stringify(file));
    renameSync(`${record}.tmp`, record);
  }
  if (flags.json) {
    const { trajectory: _trajectory, ...rest } = result;
    print(rest, true);
  } else {
    const lines = [
      `${result.taskId} (${result.split}) seed ${result.seed} on ${result.arm}: "${result.instruction}"`,
      ...result.trace.map(
        (r) => `  ${r.primitive.padEnd(13)} ${r.status.padEnd(11)} ${r.duration.toFixed(2)} s  ${r.message}`,
      ),
      '',
      `${result.success ? 'SUCCESS' : 'FAILURE'}: ${result.reason}${result.stopped ? ` (${result.stopped})` : ''}`,
      `${result.primitiveCalls} primitive calls, ${result.simSeconds} s simulated, ${result.wallSeconds} s wall`,
      record
        ? `trajectory (${result.trajectory?.frames.length} frames at ${DEFAULT_RECORD_HZ} Hz) written to ${record}`
        : '',
      '',
      formatSceneState(result.finalState),
    ];
    print(lines.filter((l, i) => l !== '' || i > 0).join('\n'), false);
  }
  return result.success ? 0 : 3;
}
