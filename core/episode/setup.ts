// What a task and seed draw before anything is built: the scene spec, the instruction, the task's
// parameters. The same inputs always give the same scene; building it is EpisodeSession's job.
import { seededRandom } from '../random.ts';
import type { SceneSpec } from '../sim/scene.ts';
import { SimError } from '../sim/errors.ts';
import type { TaskDefinition } from '../tasks/types.ts';
import type { ArmName } from '../../api/types.ts';

/** What a task and seed draw, before anything is built: the same inputs always give the same scene. */
export interface EpisodeSetup {
  taskId: string;
  seed: number;
  arm: ArmName;
  instruction: string;
  paraphrases: string[];
  params: unknown;
  scene: SceneSpec;
  joints: Record<string, number>;
}

/** The arm a task runs on: the one asked for, or the task's first. */
export function armFor(task: TaskDefinition<never>, arm?: ArmName): ArmName {
  const chosen = arm ?? task.arms[0];
  if (!task.arms.includes(chosen))
    throw new SimError('bad-input', `task ${task.id} supports ${task.arms.join(', ')}, not ${chosen}`);
  return chosen;
}

export function episodeSetup<P>(task: TaskDefinition<P>, seed: number, arm?: ArmName): EpisodeSetup {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new SimError('bad-input', `seed must be a non-negative integer, not ${seed}`);
  const armName = armFor(task as TaskDefinition<never>, arm);
  const random = seededRandom(hashString(`${task.id}:${armName}:${seed}`));
  const scene = task.setup(random, armName);
  const [instruction, ...paraphrases] = task.instructions(scene.params);
  return {
    taskId: task.id,
    seed,
    arm: armName,
    instruction,
    paraphrases,
    params: scene.params,
    scene: { arm: armName, objects: scene.objects, extraBodies: (scene.fixtures ?? []).join('\n') },
    joints: scene.joints ?? {},
  };
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
