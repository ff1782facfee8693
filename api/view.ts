// Calls behind the 3D views: a task's starting scene, an episode run with every body's pose
// recorded (scripted, a person's program, or an LLM attempt), and the replay of a stored episode.
// Replays re-simulate: episodes are deterministic for (task, arm, seed, program), so the dataset
// stores programs, not trajectories.
import { z } from 'zod';
import { defineCall } from './contract.ts';
import { findTask } from '../core/tasks/registry.ts';
import {
  doNothing,
  runEpisode,
  setupEpisode,
  viewEpisode,
  type EpisodeResult,
  type EpisodeView,
  type Program,
} from '../core/tasks/episode.ts';
import { ARM_NAMES, type ArmName } from '../core/sim/scene.ts';
import { sharedSandbox, withSharedModel } from './resources.ts';
import {
  askForProgram,
  attemptRecord,
  executeJsonPlan,
  executeProgram,
  type Attempt,
} from '../core/planner/attempt.ts';
import { pythonProgram } from '../core/planner/run-program.ts';
import { AnswerError, parseJsonPlan } from '../core/planner/parse.ts';
import { openDataset } from '../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../core/dataset/episode-store.ts';
import { DEFAULT_RECORD_HZ } from '../core/tasks/recorder.ts';

const where = {
  task: z.string().min(1),
  seed: z.number().int().nonnegative(),
  arm: z.enum(ARM_NAMES).optional(),
};

/** An episode run for a 3D view: the result with every body's pose at 30 Hz, and the scene's shapes. */
export interface ViewedEpisode {
  view: EpisodeView;
  result: EpisodeResult;
}

async function runViewed(
  task: string,
  seed: number,
  arm: ArmName | undefined,
  program?: Program,
): Promise<ViewedEpisode> {
  const definition = await findTask(task);
  const view = await viewEpisode(definition, seed, arm);
  const result = await runEpisode(definition, seed, {
    arm: view.arm,
    program,
    recordHz: DEFAULT_RECORD_HZ,
    recordPoses: true,
  });
  return { view, result };
}

export const sceneView = defineCall(
  'scene.view',
  z.object(where).strict(),
  async ({ task, seed, arm }): Promise<EpisodeView> => viewEpisode(await findTask(task), seed, arm),
);

export const episodeView = defineCall(
  'episode.view',
  z
    .object({
      ...where,
      solver: z.enum(['scripted', 'none', 'program']).default('scripted'),
      /** Python source, for solver 'program'. */
      program: z.string().max(100_000).optional(),
    })
    .strict()
    .refine((i) => i.solver !== 'program' || (i.program ?? '').trim() !== '', {
      message: 'solver "program" needs the program text',
      path: ['program'],
    }),
  async ({ task, seed, arm, solver, program }): Promise<ViewedEpisode> => {
    if (solver === 'none') return runViewed(task, seed, arm, doNothing);
    if (solver === 'scripted') return runViewed(task, seed, arm);
    const armName = setupEpisode(await findTask(task), seed, arm).arm;
    return runViewed(task, seed, armName, pythonProgram(program!, armName, sharedSandbox()));
  },
);

/** A model's attempt for the Simulator: the viewed episode and the model's side (prompt, answer, program, failure). */
export interface ViewedAttempt extends ViewedEpisode {
  attempt: Omit<Attempt, 'episode'>;
}

export const attemptView = defineCall(
  'attempt.view',
  z
    .object({
      ...where,
      model: z.string().min(1, 'a model is required'),
      format: z.enum(['code', 'json']).default('json'),
      temperature: z.number().min(0).max(2).default(0),
      maxTokens: z.number().int().min(16).max(8192).default(1024),
      /** The sampler's seed; the scene's seed unless given. */
      samplingSeed: z.number().int().nonnegative().optional(),
      threads: z.number().int().min(1).max(256).optional(),
    })
    .strict(),
  async (
    { task, seed, arm, model, format, temperature, maxTokens, samplingSeed, threads },
    { emit, signal },
  ): Promise<ViewedAttempt> => {
    const definition = await findTask(task);
    const armName = setupEpisode(definition, seed, arm).arm;
    return withSharedModel(model, { threads }, async (chat) => {
      const sampling = { temperature, maxTokens, seed: samplingSeed ?? seed };
      let asked: Awaited<ReturnType<typeof askForProgram>> | undefined;
      const viewed = await runViewed(task, seed, armName, async (robot, state, instruction) => {
        asked = await askForProgram(instruction, state, {
          model: chat,
          format,
          sampling,
          signal,
          onText: (text) => emit({ type: 'model.text', text }),
        });
        if (asked.program) return executeProgram(asked.program, robot, state, armName, sharedSandbox());
      });
      const { episode: _episode, ...attempt } = attemptRecord(viewed.result, asked!, {
        format,
        model: chat.describe(),
        sampling,
      });
      return { ...viewed, attempt };
    });
  },
);

/** The program that made a stored episode, rebuilt from what the dataset kept. */
function storedProgram(row: Record<string, unknown>, arm: ArmName): Program | undefined {
  if (row.format === 'scripted') return undefined;
  if (row.format === 'json' && typeof row.answer === 'string') {
    try {
      const plan = parseJsonPlan(row.answer);
      return (robot) => executeJsonPlan(plan, robot, arm);
    } catch (err) {
      if (err instanceof AnswerError) return doNothing; // no plan in the answer: nothing ran then either
      throw err;
    }
  }
  if (typeof row.program === 'string') return pythonProgram(row.program, arm, sharedSandbox());
  return doNothing;
}

export const datasetReplay = defineCall(
  'dataset.replay',
  z.object({ db: z.string().min(1), id: z.number().int().positive() }).strict(),
  async ({ db, id }): Promise<ViewedEpisode & { stored: { success: boolean }; reproduced: boolean }> => {
    const handle = openDataset(db, { create: false });
    let row: Record<string, unknown>;
    try {
      row = new EpisodeStore(handle).show(id);
    } finally {
      handle.close();
    }
    const arm = row.arm as ArmName;
    const viewed = await runViewed(row.task as string, row.seed as number, arm, storedProgram(row, arm));
    const stored = { success: row.success === true };
    return { ...viewed, stored, reproduced: viewed.result.success === stored.success };
  },
);
