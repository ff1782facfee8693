// A model's side of an attempt: prompt it with the task and the scene state, take its program out
// of the answer (Python, or a JSON plan), and, once the program has run, keep everything a dataset
// row needs: the exact prompt and template version, the answer, the program, the sampling
// parameters, and the reason for a failure.
import type { ChatModel } from '../llm/types.ts';
import { buildPrompt, PROMPT_TEMPLATE_VERSION, type FewShotExample } from './prompt.ts';
import {
  AnswerError,
  extractPythonProgram,
  JSON_PLAN_JSON_SCHEMA,
  parseJsonPlan,
  planToPython,
} from './parse.ts';
import type { RunnableProgram } from './programs.ts';
import type {
  Attempt,
  AttemptFailure,
  ChatMessage,
  EpisodeResult,
  ModelDescription,
  ProgramFormat,
  SamplingOptions,
  SceneState,
} from '../../api/types.ts';

export interface AskOptions {
  model: ChatModel;
  format: ProgramFormat;
  sampling: SamplingOptions;
  examples?: FewShotExample[];
  /** Called with the exact prompt before the model is asked. */
  onPrompt?: (messages: ChatMessage[]) => void;
  onText?: (text: string) => void;
  signal?: AbortSignal;
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

/** Prompt the model with the task and state, and take the program out of its answer. */
export async function askForProgram(
  instruction: string,
  state: SceneState,
  options: AskOptions,
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

/** The attempt as stored: the model's side of the episode and the reason for a failure. */
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
    ...failureOf(episode, asked),
  };
}

function failureOf(episode: EpisodeResult, asked: ModelAnswer): { failure?: AttemptFailure } {
  if (episode.success) return {};
  // An answer cut off at the token limit is its own reason, whatever then broke (no code block,
  // a syntax error, a plan missing its last steps).
  if (asked.generation.finishReason === 'length')
    return {
      failure: {
        kind: 'truncated',
        message: `the answer was cut off at the token limit (${asked.generation.tokens} tokens)${asked.noProgram ? ` (${asked.noProgram})` : ''}`,
      },
    };
  if (asked.noProgram) return { failure: { kind: 'no-program', message: asked.noProgram } };
  const failure = episodeFailure(episode);
  return failure ? { failure } : {};
}

/** Why an episode failed: the program's end (syntax, runtime, ...), a primitive that did not reach, or the task. */
export function episodeFailure(episode: EpisodeResult): AttemptFailure | undefined {
  if (episode.success) return undefined;
  const p = episode.program;
  if (p && !p.ok) return { kind: p.kind, message: p.message, ...(p.line ? { line: p.line } : {}) };
  const stuck = episode.trace.find((r) => r.status !== 'reached');
  if (stuck)
    return { kind: stuck.status, message: `${stuck.primitive}: ${stuck.message}; ${episode.reason}` };
  return { kind: 'task-failed', message: episode.reason };
}
