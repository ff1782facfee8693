// Task calls: list the suite, run one episode.
import { z } from 'zod';
import { defineCall } from './contract.ts';
import { findTask, loadTasks } from '../core/tasks/registry.ts';
import { doNothing, runEpisode, setupEpisode, type EpisodeResult } from '../core/tasks/episode.ts';
import { ARM_NAMES } from '../core/sim/scene.ts';

export interface TaskSummary {
  id: string;
  title: string;
  split: 'train' | 'heldout';
  skills: string[];
  arms: string[];
  /** The instruction for seed 0, as an example. */
  example: string;
}

export const tasksList = defineCall('tasks.list', z.object({}).strict(), async (): Promise<TaskSummary[]> => {
  const tasks = await loadTasks();
  return tasks.map((t) => ({
    id: t.id,
    title: t.title,
    split: t.split,
    skills: t.skills,
    arms: t.arms,
    example: setupEpisode(t, 0).instruction,
  }));
});

export const episodeRun = defineCall(
  'episode.run',
  z
    .object({
      task: z.string().min(1),
      seed: z.number().int().nonnegative(),
      arm: z.enum(ARM_NAMES).optional(),
      solver: z.enum(['scripted', 'none']).default('scripted'),
      recordHz: z.number().min(1).max(500).optional(),
    })
    .strict(),
  async ({ task, seed, arm, solver, recordHz }): Promise<EpisodeResult> =>
    runEpisode(await findTask(task), seed, {
      arm,
      program: solver === 'none' ? doNothing : undefined,
      recordHz,
    }),
);
