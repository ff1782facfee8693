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
import { openModel } from '../core/llm/open-model.ts';
import { runAttempt } from '../core/planner/attempt.ts';
import { PROMPT_TEMPLATE_VERSION } from '../core/planner/prompt.ts';
import type { TaskDefinition } from '../core/tasks/types.ts';

export async function attemptCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`lab attempt takes options only, not '${positionals[0]}'`);
  if (typeof flags.task !== 'string') throw new UsageError('lab attempt needs --task <id> (see lab tasks)');
  if ((typeof flags.program === 'string') === (typeof flags.model === 'string')) {
    throw new UsageError(
      'lab attempt needs either --model <file.gguf | openai:NAME@URL> or --program <file.py>',
    );
  }
  const seed = Number(flags.seed ?? 0);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, not '${String(flags.seed)}'`);
  const arm = flags.arm as ArmName | undefined;
  if (arm !== undefined && !ARM_NAMES.includes(arm))
    throw new UsageError(`--arm must be ${ARM_NAMES.join(' or ')}`);
  const format = String(flags.format ?? 'code');
  if (format !== 'code' && format !== 'json')
    throw new UsageError(`--format must be code or json, not '${format}'`);
  const threads = flags.threads === undefined ? undefined : Number(flags.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0))
    throw new UsageError('--threads must be a positive integer');
  const temperature = flags.temperature === undefined ? undefined : Number(flags.temperature);
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2))
    throw new UsageError('--temperature must be between 0 and 2');
  const task = await findTask(flags.task);
  if (typeof flags.model === 'string') {
    return modelAttempt(task, seed, arm, flags.model, {
      format,
      threads,
      temperature,
      adapter: flags.adapter as string | undefined,
      json: flags.json === true,
    });
  }
  let source: string;
  try {
    source = readFileSync(flags.program as string, 'utf8');
  } catch {
    throw new UsageError(`cannot read the program file '${String(flags.program)}'`);
  }
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

async function modelAttempt(
  task: TaskDefinition,
  seed: number,
  arm: ArmName | undefined,
  spec: string,
  options: {
    format: 'code' | 'json';
    threads?: number;
    temperature?: number;
    adapter?: string;
    json: boolean;
  },
): Promise<number> {
  const model = await openModel(spec, { adapter: options.adapter, threads: options.threads });
  const sandbox = options.format === 'code' ? new PythonSandbox() : undefined;
  try {
    void sandbox?.warm(); // Pyodide starts while the model thinks
    const attempt = await runAttempt(task, seed, {
      model,
      format: options.format,
      sandbox,
      arm,
      sampling: options.temperature === undefined ? {} : { temperature: options.temperature },
      onPrompt: options.json
        ? undefined
        : (messages) => {
            const shown = messages.map((m) => `[${m.role}]\n${m.content.trimEnd()}`).join('\n\n');
            process.stdout.write(`--- prompt (${PROMPT_TEMPLATE_VERSION}) ---\n${shown}\n\n--- answer ---\n`);
          },
      onText: options.json ? undefined : (text) => process.stdout.write(text),
    });
    if (options.json) {
      print(attempt, true);
    } else {
      const r = attempt.episode;
      const lines = [
        '',
        '--- result ---',
        `${r.taskId} seed ${r.seed}: "${r.instruction}"`,
        `model ${attempt.model.id}, prompt ${attempt.templateVersion}, ${attempt.generation.tokens} tokens in ${attempt.generation.seconds.toFixed(2)} s`,
        attempt.program ? `program:\n${attempt.program.trimEnd()}` : '',
        ...r.trace.map(
          (p) =>
            `  ${p.primitive.padEnd(13)} ${p.status.padEnd(11)} ${p.duration.toFixed(2)} s  ${p.message}`,
        ),
        `${attempt.success ? 'SUCCESS' : 'FAILURE'}: ${attempt.failure ? `${attempt.failure.kind}${attempt.failure.line ? ` at line ${attempt.failure.line}` : ''}: ${attempt.failure.message}` : r.reason}`,
      ];
      print(`\n\n${lines.filter(Boolean).join('\n')}\n`, false);
    }
    return attempt.success ? 0 : 3;
  } finally {
    sandbox?.dispose();
    await model.dispose();
  }
}
