// One attempt at a task: build the seeded scene, hand the robot and the initial scene state to a
// program (the scripted solver, an LLM program, or nothing), then ask the task's verifier.
import { seededRandom } from '../random.ts';
import { loadScene, type ArmName, type SceneSpec } from '../sim/scene.ts';
import { Arm, type PrimitiveResult } from '../sim/arm.ts';
import { formatSceneState, readSceneState, type SceneState } from '../sim/scene-state.ts';
import { SimError } from '../sim/errors.ts';
import type { Simulation } from '../sim/simulation.ts';
import type { Robot, TaskDefinition, TaskMemory } from './types.ts';
import { WorldView } from './world.ts';
import { Recorder, type Trajectory } from './recorder.ts';
import { bodyPoses, sceneGeometry, type SceneGeometry } from '../sim/scene-geometry.ts';
import type { ProgramOutcome } from '../sandbox/python-sandbox.ts';

export const DEFAULT_LIMITS = { primitives: 60, simSeconds: 180 };
const SETTLE_BEFORE = 0.3; // s: let objects come to rest before the state is read
const SETTLE_AFTER = 0.5; // s: let released objects land before the verifier looks

/**
 * A program gets the robot, the initial scene state and the instruction, like an LLM program. A
 * sandboxed program returns how it ended (syntax error, timeout...), which the result keeps.
 */
export type Program = (
  robot: Robot,
  state: SceneState,
  instruction: string,
) => void | ProgramOutcome | Promise<void | ProgramOutcome>;

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

export interface EpisodeResult {
  taskId: string;
  split: string;
  seed: number;
  arm: ArmName;
  instruction: string;
  success: boolean;
  reason: string;
  /** Why the program stopped early, if it did. */
  stopped?: string;
  /** How a sandboxed program ended (completed, syntax error with line, timeout, ...). */
  program?: ProgramOutcome;
  primitiveCalls: number;
  trace: PrimitiveResult[];
  simSeconds: number;
  wallSeconds: number;
  initialState: SceneState;
  finalState: SceneState;
  trajectory?: Trajectory;
}

class EpisodeStop extends Error {}

/** The scene and parameters for a task and seed: the same inputs always give the same scene. */
export function setupEpisode<P>(
  task: TaskDefinition<P>,
  seed: number,
  arm: ArmName = task.arms[0],
): EpisodeSetup {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new SimError('bad-input', `seed must be a non-negative integer, not ${seed}`);
  if (!task.arms.includes(arm))
    throw new SimError('bad-input', `task ${task.id} supports ${task.arms.join(', ')}, not ${arm}`);
  const random = seededRandom(hashString(`${task.id}:${arm}:${seed}`));
  const scene = task.setup(random, arm);
  const [instruction, ...paraphrases] = task.instructions(scene.params);
  return {
    taskId: task.id,
    seed,
    arm,
    instruction,
    paraphrases,
    params: scene.params,
    scene: { arm, objects: scene.objects, extraBodies: (scene.fixtures ?? []).join('\n') },
    joints: scene.joints ?? {},
  };
}

export interface EpisodeOptions {
  arm?: ArmName;
  /** Default: the task's scripted solver. */
  program?: Program;
  /** Record the trajectory at this rate (Hz). */
  recordHz?: number;
  /** Record every body's pose too, for a 3D replay. */
  recordPoses?: boolean;
}

export async function runEpisode<P>(
  task: TaskDefinition<P>,
  seed: number,
  options: EpisodeOptions = {},
): Promise<EpisodeResult> {
  const started = performance.now();
  const { setup, sim, arm } = await openEpisodeScene(task, seed, options.arm);
  const params = setup.params as P;
  try {
    const simStart = sim.time;
    const initialState = readSceneState(sim, arm);
    const world = new WorldView(sim, arm);
    const memory: TaskMemory = {};
    const limits = { ...DEFAULT_LIMITS, ...task.limits };
    const trace: PrimitiveResult[] = [];

    const recorder = options.recordHz
      ? new Recorder(
          sim,
          [...arm.spec.joints, ...arm.spec.gripperJoints],
          initialState.objects.map((o) => o.name),
          options.recordHz,
          options.recordPoses,
        )
      : undefined;
    recorder?.start();

    const call = (run: () => PrimitiveResult): PrimitiveResult => {
      if (trace.length >= limits.primitives)
        throw new EpisodeStop(`stopped after ${limits.primitives} primitive calls`);
      if (sim.time - simStart > limits.simSeconds)
        throw new EpisodeStop(`stopped after ${limits.simSeconds} s of simulated time`);
      const result = run();
      trace.push(result);
      task.observe?.(world, params, memory);
      return result;
    };
    const robot: Robot = {
      open_gripper: () => call(() => arm.openGripper()),
      close_gripper: () => call(() => arm.closeGripper()),
      move_gripper: (position, yaw) => call(() => arm.moveGripper(position, yaw)),
    };

    const program = options.program ?? ((r: Robot, state: SceneState) => task.solve(r, state, params));
    let stopped: string | undefined;
    let outcome: ProgramOutcome | undefined;
    try {
      outcome = (await program(robot, initialState, setup.instruction)) ?? undefined;
    } catch (err) {
      if (!(err instanceof EpisodeStop)) throw err;
      stopped = err.message;
    }
    arm.wait(SETTLE_AFTER);
    const trajectory = recorder?.stop();
    const verdict = task.verify(world, params, memory);
    return {
      taskId: task.id,
      split: task.split,
      seed,
      arm: setup.arm,
      instruction: setup.instruction,
      success: verdict.success,
      reason: verdict.reason,
      ...(stopped ? { stopped } : {}),
      ...(outcome ? { program: outcome } : {}),
      primitiveCalls: trace.length,
      trace,
      simSeconds: Math.round((sim.time - simStart) * 1000) / 1000,
      wallSeconds: Math.round(performance.now() - started) / 1000,
      initialState,
      finalState: readSceneState(sim, arm),
      ...(trajectory ? { trajectory } : {}),
    };
  } finally {
    arm.dispose();
    sim.dispose();
  }
}

/** The task's scene for a seed, the arm at home, objects settled: how every episode starts. */
async function openEpisodeScene<P>(
  task: TaskDefinition<P>,
  seed: number,
  armName?: ArmName,
): Promise<{ setup: EpisodeSetup; sim: Simulation; arm: Arm }> {
  const setup = setupEpisode(task, seed, armName);
  const sim = await loadScene(setup.scene);
  const arm = Arm.attach(sim);
  try {
    arm.goHome();
    setJoints(sim, setup.joints);
    arm.wait(SETTLE_BEFORE);
    return { setup, sim, arm };
  } catch (err) {
    arm.dispose();
    sim.dispose();
    throw err;
  }
}

/**
 * The instruction and initial scene state an episode will start from, without running it: what a
 * model is prompted with before its program runs (the episode rebuilds the same scene).
 */
export async function prepareEpisode<P>(
  task: TaskDefinition<P>,
  seed: number,
  armName?: ArmName,
): Promise<{ instruction: string; state: SceneState }> {
  const { setup, sim, arm } = await openEpisodeScene(task, seed, armName);
  try {
    return { instruction: setup.instruction, state: readSceneState(sim, arm) };
  } finally {
    arm.dispose();
    sim.dispose();
  }
}

/** An episode's starting scene for a 3D view: shapes, body poses, and the state a program gets. */
export interface EpisodeView {
  taskId: string;
  seed: number;
  arm: ArmName;
  instruction: string;
  state: SceneState;
  /** The state as the text a model is prompted with. */
  stateText: string;
  geometry: SceneGeometry;
  poses: number[];
}

export async function viewEpisode<P>(
  task: TaskDefinition<P>,
  seed: number,
  armName?: ArmName,
): Promise<EpisodeView> {
  const { setup, sim, arm } = await openEpisodeScene(task, seed, armName);
  try {
    const state = readSceneState(sim, arm);
    return {
      taskId: task.id,
      seed,
      arm: setup.arm,
      instruction: setup.instruction,
      state,
      stateText: formatSceneState(state),
      geometry: sceneGeometry(sim),
      poses: bodyPoses(sim),
    };
  } finally {
    arm.dispose();
    sim.dispose();
  }
}

/** A program that does nothing: every task must fail it. */
export const doNothing: Program = () => {};

function setJoints(sim: Simulation, joints: Record<string, number>): void {
  const qpos = sim.data.qpos;
  for (const [name, value] of Object.entries(joints)) {
    const j = sim.id('joint', name);
    if (j < 0) throw new SimError('bad-input', `task sets joint '${name}', which the scene does not have`);
    qpos[sim.model.jnt_qposadr[j]] = value;
  }
  sim.forward();
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
