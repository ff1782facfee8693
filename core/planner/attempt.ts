// One BLAZER attempt: prompt a model with the task and the scene state, take its program (Python
// through the sandbox, or a JSON plan executed step by step), run it in simulation, and keep
// everything a dataset row needs: the exact prompt and template version, the answer, the program,
// the sampling parameters, the trace, success and the reason for a failure.
import type { TaskDefinition } from '../tasks/types.ts';
import { runEpisode, setupEpisode, type EpisodeResult } from '../tasks/episode.ts';
import type { ArmName } from '../sim/scene.ts';
import type { ChatMessage, ChatModel, ModelDescription, SamplingOptions } from '../llm/types.ts';
import type { ProgramOutcome, PythonSandbox } from '../sandbox/python-sandbox.ts';
import type { SceneState } from '../sim/scene-state.ts';
import { robotCallHandler } from './primitive-calls.ts';
import { buildPrompt, PROMPT_TEMPLATE_VERSION, type FewShotExample, type ProgramFormat } from './prompt.ts';
import {
  AnswerError,
  extractPythonProgram,
  JSON_PLAN_JSON_SCHEMA,
  parseJsonPlan,
  planToPython,
  type JsonPlan,
} from './parse.ts';
import type { Robot } from '../sim/skills.ts';

/** Anything that runs Python programs: a PythonSandbox or a SandboxPool. */
export type PythonRunner = Pick<PythonSandbox, 'run'>;

export interface AttemptOptions {
  model: ChatModel;
  format: ProgramFormat;
  sampling?: SamplingOptions;
  /** Needed for the code format: a sandbox or a pool of them. */
  sandbox?: PythonRunner;
  arm?: ArmName;
  examples?: FewShotExample[];
  /** Called with the exact prompt before the model is asked. */
  onPrompt?: (messages: ChatMessage[]) => void;
  onText?: (text: string) => void;
  signal?: AbortSignal;
}

export interface AttemptFailure {
  kind: string; // 'no-program' | a ProgramOutcome kind | 'unreachable' | 'task-failed'
  message: string;
  line?: number;
}

export interface Attempt {
  taskId: string;
  seed: number;
  arm: ArmName;
  instruction: string;
  format: ProgramFormat;
  templateVersion: string;
  prompt: ChatMessage[];
  model: ModelDescription;
  sampling: SamplingOptions;
  answer: string;
  /** The program that ran, as Python (a JSON plan is shown as the equivalent calls). */
  program?: string;
  generation: { tokens: number; seconds: number; finishReason: string };
  success: boolean;
  failure?: AttemptFailure;
  episode: EpisodeResult;
}

/** What a model answered, and the program taken from the answer (or why there is none). */
export interface ModelAnswer {
  prompt: ChatMessage[];
  answer: string;
  generation: { tokens: number; seconds: number; finishReason: string };
  program?: RunnableProgram;
  /** Why no program could be taken from the answer. */
  noProgram?: string;
}

/** A program ready to run: Python source, or a JSON plan's steps (shown as Python in `source`). */
export interface RunnableProgram {
  format: ProgramFormat;
  source: string;
  plan?: JsonPlan;
}

/** Prompt the model with the task and state, and take the program out of its answer. */
export async function askForProgram(
  instruction: string,
  state: SceneState,
  options: Pick<AttemptOptions, 'model' | 'format' | 'examples' | 'onPrompt' | 'onText' | 'signal'> & {
    sampling: SamplingOptions;
  },
): Promise<ModelAnswer> {
  const prompt = buildPrompt(instruction, state, options.format, options.examples);
  options.onPrompt?.(prompt);
  const result = await options.model.chat(prompt, {
    ...options.sampling,
    jsonSchema: options.format === 'json' ? JSON_PLAN_JSON_SCHEMA : undefined,
    onText: options.onText,
    signal: options.signal,
  });
  const answer: ModelAnswer = {
    prompt,
    answer: result.text,
    generation: { tokens: result.tokens, seconds: result.seconds, finishReason: result.finishReason },
  };
  try {
    if (options.format === 'json') {
      const plan = parseJsonPlan(result.text);
      answer.program = { format: 'json', source: planToPython(plan), plan };
    } else {
      answer.program = { format: 'code', source: extractPythonProgram(result.text) };
    }
  } catch (err) {
    if (!(err instanceof AnswerError)) throw err;
    answer.noProgram = err.message;
  }
  return answer;
}

/** Run a program on the robot: a JSON plan step by step, Python through the sandbox. */
export function executeProgram(
  program: RunnableProgram,
  robot: Robot,
  state: SceneState,
  arm: ArmName,
  sandbox?: PythonRunner,
): ProgramOutcome | Promise<ProgramOutcome> {
  if (program.plan) return executeJsonPlan(program.plan, robot, arm);
  if (!sandbox) throw new Error('the code format needs a Python sandbox');
  return sandbox.run(program.source, state, robotCallHandler(robot, arm));
}

export async function runAttempt<P>(
  task: TaskDefinition<P>,
  seed: number,
  options: AttemptOptions,
): Promise<Attempt> {
  const arm = setupEpisode(task, seed, options.arm).arm;
  const sampling: SamplingOptions = { temperature: 0, maxTokens: 1024, ...options.sampling };
  let asked: ModelAnswer | undefined;
  const episode = await runEpisode(task, seed, {
    arm,
    program: async (robot, state, instruction) => {
      asked = await askForProgram(instruction, state, { ...options, sampling });
      if (asked.program) return executeProgram(asked.program, robot, state, arm, options.sandbox);
    },
  });
  return attemptRecord(episode, asked!, {
    format: options.format,
    model: options.model.describe(),
    sampling,
  });
}

/** The attempt as stored: the episode with the model's side of it and the reason for a failure. */
export function attemptRecord(
  episode: EpisodeResult,
  asked: ModelAnswer,
  about: { format: ProgramFormat; model: ModelDescription; sampling: SamplingOptions },
): Attempt {
  return {
    taskId: episode.taskId,
    seed: episode.seed,
    arm: episode.arm,
    instruction: episode.instruction,
    format: about.format,
    templateVersion: PROMPT_TEMPLATE_VERSION,
    prompt: asked.prompt,
    model: about.model,
    sampling: about.sampling,
    answer: asked.answer,
    ...(asked.program ? { program: asked.program.source } : {}),
    generation: asked.generation,
    success: episode.success,
    ...failureOf(episode, asked.noProgram),
    episode,
  };
}

/** Run a JSON plan's steps in order through the same validation as a Python program's calls. */
export function executeJsonPlan(plan: JsonPlan, robot: Robot, arm: ArmName): ProgramOutcome {
  const handle = robotCallHandler(robot, arm);
  let calls = 0;
  for (const [index, step] of plan.steps.entries()) {
    calls++;
    const reply = handle(step.primitive, step.primitive === 'move_gripper' ? [step.position, step.yaw] : []);
    if ('stop' in reply) {
      return {
        ok: false,
        kind: 'stopped',
        message: `step ${index + 1}: ${reply.stop}`,
        output: '',
        primitiveCalls: calls,
        runnerSeconds: 0,
      };
    }
  }
  return {
    ok: true,
    kind: 'completed',
    message: 'the plan ran to its end',
    output: '',
    primitiveCalls: calls,
    runnerSeconds: 0,
  };
}

function failureOf(episode: EpisodeResult, noProgram: string | undefined): { failure?: AttemptFailure } {
  if (episode.success) return {};
  if (noProgram) return { failure: { kind: 'no-program', message: noProgram } };
  const p = episode.program;
  if (p && !p.ok)
    return { failure: { kind: p.kind, message: p.message, ...(p.line ? { line: p.line } : {}) } };
  const stuck = episode.trace.find((r) => r.status !== 'reached');
  if (stuck)
    return {
      failure: { kind: stuck.status, message: `${stuck.primitive}: ${stuck.message}; ${episode.reason}` },
    };
  return { failure: { kind: 'task-failed', message: episode.reason } };
}
