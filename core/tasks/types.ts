// The task format: what a task module in tasks/ exports (see README, "Adding a task").
import type { Random } from '../random.ts';
import type { SceneObject } from '../sim/scene.ts';
import type { WorldView } from './world.ts';

export type Split = 'train' | 'heldout';

/** A generated scene: the objects to place and the task's parameters (what the instruction names). */
export interface TaskScene<P> {
  params: P;
  /** Free blocks, fixed pads and platforms. */
  objects: SceneObject[];
  /** MJCF bodies for fixtures and articulated parts (bins, drawers, buttons), from scene-kit. */
  fixtures?: string[];
  /** Joint positions to start from (e.g. a drawer already open), by joint name. */
  joints?: Record<string, number>;
}

export interface Verdict {
  success: boolean;
  /** Why, in words a student can read: "red_block is 3.1 cm outside the bin". */
  reason: string;
}

export type { Robot } from '../sim/skills.ts';
import type { Robot } from '../sim/skills.ts';
import type { ArmName } from '../../api/types.ts';
import type { SceneState } from '../../api/types.ts';

/** Memory a task keeps across one episode (e.g. the order buttons were pressed in). */
export type TaskMemory = Record<string, unknown>;

export interface TaskDefinition<P = unknown> {
  /** snake_case, unique, stable: stored with every attempt. */
  id: string;
  title: string;
  split: Split;
  /** Skills the task exercises, e.g. ['pick', 'place', 'container']. */
  skills: string[];
  arms: ArmName[];
  /** The instruction for these parameters, first the canonical one, then paraphrases. */
  instructions(params: P): string[];
  /** Draw a scene from the task's declared ranges; the same random stream gives the same scene. */
  setup(random: Random, arm: ArmName): TaskScene<P>;
  /** Called after every primitive, for tasks whose success depends on what happened on the way. */
  observe?(world: WorldView, params: P, memory: TaskMemory): void;
  /** Success, read from the simulation after the program ends. */
  verify(world: WorldView, params: P, memory: TaskMemory): Verdict;
  /** The reference solution: the three primitives and the initial scene state only, like an LLM program. */
  solve(robot: Robot, state: SceneState, params: P): void;
  /**
   * The scripted teacher's answer in the prompt's code format (text, then one Python code block
   * that reads the scene only through `objects` and `gripper`), when the task has one. Generation
   * then runs this answer like a model's, so the stored episode carries a prompt, an answer and a
   * verified program that a student model can learn from.
   */
  reference?: string;
  /** Bounds on an attempt; defaults in episode.ts. */
  limits?: { primitives?: number; simSeconds?: number };
}

export function defineTask<P>(task: TaskDefinition<P>): TaskDefinition<P> {
  return task;
}
