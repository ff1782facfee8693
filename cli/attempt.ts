// lab attempt --task T --seed S --program plan.py: run a person's (or a saved LLM's) Python
// program through the same sandbox and verifier the LLM's programs go through.
import { readFileSync } from 'node:fs';
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { findTask } from '../core/tasks/registry.ts';
import { PythonSandbox } from '../core/sandbox/python-sandbox.ts';
import { runPythonProgram } from '../core/planner/run-program.ts';
import { formatSceneState } from '../core/sim/scene-state.ts';
import { ARM_NAMES, type ArmName } from '../core/sim/scene.ts';
import { print } from './print.ts';

export async function attemptCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`lab attempt takes options only, not '${positionals[0]}'`);
  if (typeof flags.task !== 'string') throw new UsageError('lab attempt needs --task <id> (see lab tasks)');
  if (typeof flags.program !== 'string')
    throw new UsageError('lab attempt needs --program <file.py> (LLM models come with the planner)');
  const seed = Number(flags.seed ?? 0);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, not '${String(flags.seed)}'`);
  const arm = flags.arm as ArmName | undefined;
  if (arm !== undefined && !ARM_NAMES.includes(arm))
    throw new UsageError(`--arm must be ${ARM_NAMES.join(' or ')}`);
  let source: string;
  try {
    source = readFileSync(flags.program, 'utf8');
  } catch {
    throw new UsageError(`cannot read the program file '${flags.program}'`);
  }
  const task = await findTask(flags.task);
  const sandbox = new PythonSandbox();
  try {
    const result = await runPythonProgram(task, seed, source, { sandbox, arm });
    if (flags.json) {
      print({ ...result, programSource: source }, true);
    } else {
      const p = result.program!;
      const lines = [
        `${result.taskId} (${result.split}) seed ${result.seed} on ${result.arm}: "${result.instruction}"`,
        ...result.trace.map(
          (r) =>
            `  ${r.primitive.padEnd(13)} ${r.status.padEnd(11)} ${r.duration.toFixed(2)} s  ${r.message}`,
        ),
        p.output ? `program output:\n${p.output.trimEnd()}` : '',
        `program: ${p.kind}${p.line ? ` at line ${p.line}` : ''}: ${p.message} (${p.primitiveCalls} primitive calls, ${p.runnerSeconds} s in Python)`,
        `${result.success ? 'SUCCESS' : 'FAILURE'}: ${result.reason}`,
        `${result.simSeconds} s simulated, ${result.wallSeconds} s wall`,
        '',
        formatSceneState(result.finalState),
      ];
      print(lines.filter(Boolean).join('\n') + '\n', false);
    }
    return result.success ? 0 : 3;
  } finally {
    sandbox.dispose();
  }
}
