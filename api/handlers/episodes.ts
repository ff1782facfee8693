// Episodes: a task's starting scene for a 3D view, and one episode run by whoever acts (the
// scripted solution, nobody, a person's program, a model), with its 3D view or its recording.
// Each opens the scene once.
import { findTask } from '../../core/tasks/registry.ts';
import { DEFAULT_RECORD_HZ, EpisodeSession } from '../../core/episode/session.ts';
import { saveRecording } from '../../core/episode/recording-file.ts';
import { checkWritableTarget } from '../../core/files/atomic-write.ts';
import { formatSceneState } from '../../core/sim/scene-state.ts';
import { localRunner, solve, type SolveOptions, type SolverSpec } from '../../core/planner/solve.ts';
import { buildPrompt, PROMPT_TEMPLATE_VERSION } from '../../core/planner/prompt.ts';
import { episodeFailure } from '../../core/planner/attempt.ts';
import type { ArmName } from '../types.ts';
import type { ViewedEpisode } from '../contract.ts';
import type { CallContext, Handlers } from '../dispatch.ts';
import { sharedSandbox } from '../resources.ts';
import { withSolver } from './solvers.ts';
import { filePath, filesOf } from '../access.ts';

/** Open the episode once: its starting scene for the view, then the solver's run with every body's pose. */
export async function viewEpisode(
  where: { task: string; seed: number; arm?: ArmName },
  solver: SolverSpec,
  { emit, signal }: CallContext,
): Promise<ViewedEpisode> {
  const session = await EpisodeSession.open(await findTask(where.task), where.seed, where.arm);
  try {
    const view = session.view();
    const runner = localRunner(session, {
      sandbox: sharedSandbox(),
      record: { hz: DEFAULT_RECORD_HZ, poses: true },
    });
    const solved = await solve(runner, solver, streamTo(emit, signal));
    const failure = solved.attempt?.failure ?? episodeFailure(solved.result);
    return { view, ...solved, ...(failure ? { failure } : {}) };
  } finally {
    session.dispose();
  }
}

/** A model's prompt and answer as events, as they happen. */
function streamTo(emit: CallContext['emit'], signal: AbortSignal): SolveOptions {
  return {
    signal,
    onPrompt: (messages) =>
      emit({ type: 'model.prompt', messages, templateVersion: PROMPT_TEMPLATE_VERSION }),
    onText: (text) => emit({ type: 'model.text', text }),
  };
}

export const handlers: Handlers<'scene'> & Handlers<'episode'> = {
  'scene.view': async ({ task, seed, arm }) => {
    const session = await EpisodeSession.open(await findTask(task), seed, arm);
    try {
      return session.view();
    } finally {
      session.dispose();
    }
  },

  'scene.prompt': async ({ task, seed, arm, format }) => {
    const session = await EpisodeSession.open(await findTask(task), seed, arm);
    try {
      const messages = buildPrompt(session.setup.instruction, session.initialState, format);
      return { templateVersion: PROMPT_TEMPLATE_VERSION, messages };
    } finally {
      session.dispose();
    }
  },

  'episode.view': ({ solver, ...where }, context) =>
    withSolver(solver, where.seed, context, (spec) => viewEpisode(where, spec, context)),

  'episode.run': ({ task, seed, arm, solver, recordTo }, context) =>
    withSolver(solver, seed, context, async (spec) => {
      const { emit, signal } = context;
      const recordFile = recordTo === undefined ? undefined : filePath(context, recordTo, 'recordTo');
      if (recordFile) checkWritableTarget(recordFile); // before the episode runs, not after
      const session = await EpisodeSession.open(await findTask(task), seed, arm);
      try {
        const runner = localRunner(session, {
          sandbox: sharedSandbox(),
          ...(recordFile ? { record: { hz: DEFAULT_RECORD_HZ } } : {}),
        });
        const { result, attempt } = await solve(runner, spec, streamTo(emit, signal));
        const run = { finalStateText: formatSceneState(result.finalState), ...(attempt ? { attempt } : {}) };
        if (!recordFile) return { result, ...run };
        const recorded = {
          path: filesOf(context).show(recordFile),
          ...saveRecording(recordFile, session.setup, result),
        };
        const { recording: _recording, ...rest } = result;
        return { result: rest, ...run, recorded };
      } finally {
        session.dispose();
      }
    }),
};
