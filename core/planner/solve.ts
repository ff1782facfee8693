// Solving an opened episode: whoever acts (the scripted solution, nobody, a given program, or a
// model asked for one) is turned into what runs in the scene, and the result, with a model's side
// of it. This is the one place an attempt is assembled, whether the episode lives in this thread
// (the Simulator, the CLI, replays) or on a worker thread (data generation).
import { doNothing, EpisodeSession, type RunOptions } from '../episode/session.ts';
import type { ChatModel } from '../llm/types.ts';
import type { TaskDefinition } from '../tasks/types.ts';
import { askForProgram, attemptRecord } from './attempt.ts';
import { programFor, type PythonRunner, type RunnableProgram } from './programs.ts';
import { promptTemplate, type FewShotExample } from './prompt.ts';
import type {
  ArmName,
  Attempt,
  ChatMessage,
  EpisodeResult,
  ProgramFormat,
  SamplingOptions,
  SceneState,
} from '../../api/types.ts';

/** What runs in the scene, as data: it can cross to a worker thread. */
export type RunSpec = { kind: 'scripted' } | { kind: 'none' } | { kind: 'program'; program: RunnableProgram };

/** Who acts in an episode. A model is asked for a program, which then runs. */
export type SolverSpec =
  | RunSpec
  | {
      kind: 'model';
      model: ChatModel;
      format: ProgramFormat;
      sampling?: SamplingOptions;
      examples?: FewShotExample[];
    };

/** An opened episode, in this thread or on a worker: what a program is given, and a way to run one. */
export interface EpisodeRunner {
  readonly instruction: string;
  readonly initialState: SceneState;
  readonly arm: ArmName;
  run(what: RunSpec): Promise<EpisodeResult>;
}

export interface Solved {
  result: EpisodeResult;
  /** The model's side, when a model acted. */
  attempt?: Attempt;
}

export interface SolveOptions {
  onPrompt?: (messages: ChatMessage[]) => void;
  onText?: (text: string) => void;
  signal?: AbortSignal;
}

/** Greedy, with the answer length the prompt template allows. */
export const DEFAULT_SAMPLING: SamplingOptions = {
  temperature: 0,
  maxTokens: promptTemplate().maxAnswerTokens,
};

export async function solve(
  runner: EpisodeRunner,
  solver: SolverSpec,
  options: SolveOptions = {},
): Promise<Solved> {
  if (solver.kind !== 'model') return { result: await runner.run(solver) };
  const sampling = { ...DEFAULT_SAMPLING, ...solver.sampling };
  const asked = await askForProgram(runner.instruction, runner.initialState, {
    model: solver.model,
    format: solver.format,
    sampling,
    examples: solver.examples,
    ...options,
  });
  // A model's answer without a program still makes an episode: nothing moves and the task fails.
  const result = await runner.run(
    asked.program ? { kind: 'program', program: asked.program } : { kind: 'none' },
  );
  return {
    result,
    attempt: attemptRecord(result, asked, {
      format: solver.format,
      model: solver.model.describe(),
      sampling,
    }),
  };
}

/** An episode session in this thread as a runner; Python programs go to `sandbox`. */
export function localRunner(
  session: EpisodeSession,
  options: { sandbox?: PythonRunner } & RunOptions = {},
): EpisodeRunner {
  return {
    instruction: session.instruction,
    initialState: session.initialState,
    arm: session.arm,
    run: (what) =>
      session.run(
        what.kind === 'scripted'
          ? undefined
          : what.kind === 'none'
            ? doNothing
            : programFor(what.program, session.arm, options.sandbox),
        options,
      ),
  };
}

/** Open a task's episode here and solve it: the CLI's, the tests' and the benches' one step. */
export async function solveTask<P>(
  task: TaskDefinition<P>,
  seed: number,
  solver: SolverSpec,
  options: SolveOptions & RunOptions & { arm?: ArmName; sandbox?: PythonRunner } = {},
): Promise<Solved> {
  const session = await EpisodeSession.open(task, seed, options.arm);
  try {
    return await solve(localRunner(session, options), solver, options);
  } finally {
    session.dispose(); // a model that failed to answer leaves the session unused
  }
}
