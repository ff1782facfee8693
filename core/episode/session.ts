// One episode, start to end: open the task's seeded scene once (the arm at home, objects settled),
// then look at it (the state a program gets, the shapes for a 3D view), run a program on it once
// (the scripted solver, a person's or a model's program, or nothing), optionally recording it, and
// ask the task's verifier. Every way the lab starts an episode goes through here.
import { loadScene } from '../sim/scene.ts';
import { episodeSetup, type EpisodeSetup } from './setup.ts';
import { Arm } from '../sim/arm.ts';
import { formatSceneState, readSceneState } from '../sim/scene-state.ts';
import { SimError } from '../sim/errors.ts';
import type { Simulation } from '../sim/simulation.ts';
import type { Robot, TaskDefinition, TaskMemory } from '../tasks/types.ts';
import { WorldView } from '../tasks/world.ts';
import { Recorder } from './recorder.ts';
import { bodyPoses, sceneGeometry } from '../sim/scene-geometry.ts';
import type {
  ArmName,
  EpisodeResult,
  EpisodeView,
  PrimitiveResult,
  ProgramOutcome,
  SceneState,
  Vec3,
} from '../../api/types.ts';

export const DEFAULT_LIMITS = { primitives: 60, simSeconds: 180 };
export const DEFAULT_RECORD_HZ = 30;
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

/** A program that does nothing: every task must fail it. */
export const doNothing: Program = () => {};

export interface RunOptions {
  /** Record the episode at this rate (Hz); with poses, every body's pose too, for a 3D view. */
  record?: { hz: number; poses?: boolean };
}

class EpisodeStop extends Error {}

/** Where things really are, for a dry run before the real arm moves. */
export interface RealScene {
  /** Objects of the task's scene, by name, moved to their real place (centre, metres) and yaw. */
  objects?: Array<{ name: string; position: Vec3; yaw: number }>;
  /** The arm's real joints (radians), and whether its gripper is open. */
  armJoints?: number[];
  gripper?: 'open' | 'closed';
}

export class EpisodeSession<P = unknown> {
  /** The state an LLM program is given: read once the scene has settled. */
  readonly initialState: SceneState;
  private used = false;
  private disposed = false;

  private constructor(
    readonly task: TaskDefinition<P>,
    readonly setup: EpisodeSetup,
    private readonly sim: Simulation,
    private readonly robotArm: Arm,
    private readonly openedAt: number,
  ) {
    this.initialState = readSceneState(sim, robotArm);
  }

  /**
   * Build the task's scene for a seed, the arm at home, objects settled: how every episode starts.
   * A real scene can be given instead: objects moved to where they really are, and the arm at its
   * real joints (a dry run before the real arm moves).
   */
  static async open<P>(
    task: TaskDefinition<P>,
    seed: number,
    arm?: ArmName,
    real: RealScene = {},
  ): Promise<EpisodeSession<P>> {
    const openedAt = performance.now();
    const setup = episodeSetup(task, seed, arm);
    const sim = await loadScene(setup.scene);
    let robotArm: Arm | undefined;
    try {
      robotArm = Arm.attach(sim);
      robotArm.goHome();
      setJoints(sim, setup.joints);
      if (real.objects) placeObjects(sim, real.objects);
      if (real.armJoints) robotArm.setJointPositions(real.armJoints, real.gripper ?? 'open');
      robotArm.wait(SETTLE_BEFORE);
      return new EpisodeSession(task, setup, sim, robotArm, openedAt);
    } catch (err) {
      robotArm?.dispose();
      sim.dispose();
      throw err;
    }
  }

  get arm(): ArmName {
    return this.setup.arm;
  }

  get instruction(): string {
    return this.setup.instruction;
  }

  /** The starting scene for a 3D view: shapes, every body's pose, and the state a program gets. */
  view(): EpisodeView {
    this.checkOpen();
    return {
      taskId: this.task.id,
      seed: this.setup.seed,
      arm: this.setup.arm,
      instruction: this.setup.instruction,
      state: this.initialState,
      stateText: formatSceneState(this.initialState),
      geometry: sceneGeometry(this.sim),
      poses: bodyPoses(this.sim),
    };
  }

  /** Run a program (default: the task's scripted solution) and ask the verifier; then the session is closed. */
  async run(program?: Program, options: RunOptions = {}): Promise<EpisodeResult> {
    this.checkOpen();
    if (this.used) throw new Error('an episode session runs once');
    this.used = true;
    try {
      return await this.runOnce(program, options);
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.robotArm.dispose();
    this.sim.dispose();
  }

  private async runOnce(program: Program | undefined, options: RunOptions): Promise<EpisodeResult> {
    const { sim, task, setup } = this;
    const arm = this.robotArm;
    const params = setup.params as P;
    const simStart = sim.time;
    const world = new WorldView(sim, arm);
    const memory: TaskMemory = {};
    const limits = { ...DEFAULT_LIMITS, ...task.limits };
    const trace: PrimitiveResult[] = [];

    const recorder = options.record
      ? new Recorder(
          sim,
          [...arm.spec.joints, ...arm.spec.gripperJoints],
          this.initialState.objects.map((o) => o.name),
          options.record.hz,
          options.record.poses,
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

    const act = program ?? ((r: Robot, state: SceneState) => task.solve(r, state, params));
    let stopped: string | undefined;
    let outcome: ProgramOutcome | undefined;
    try {
      outcome = (await act(robot, this.initialState, setup.instruction)) ?? undefined;
    } catch (err) {
      if (!(err instanceof EpisodeStop)) throw err;
      stopped = err.message;
    }
    arm.wait(SETTLE_AFTER);
    const recording = recorder?.stop();
    const verdict = task.verify(world, params, memory);
    return {
      taskId: task.id,
      split: task.split,
      seed: setup.seed,
      arm: setup.arm,
      instruction: setup.instruction,
      success: verdict.success,
      reason: verdict.reason,
      ...(stopped ? { stopped } : {}),
      ...(outcome ? { program: outcome } : {}),
      primitiveCalls: trace.length,
      trace,
      simSeconds: Math.round((sim.time - simStart) * 1000) / 1000,
      wallSeconds: Math.round(performance.now() - this.openedAt) / 1000,
      initialState: this.initialState,
      finalState: readSceneState(sim, arm),
      ...(recording ? { recording } : {}),
    };
  }

  private checkOpen(): void {
    if (this.disposed) throw new Error('the episode session is closed');
  }
}

/** Open a task's episode and run a program on it (default: the scripted solution), in one step. */
export async function runEpisode<P>(
  task: TaskDefinition<P>,
  seed: number,
  options: { arm?: ArmName; program?: Program } & RunOptions = {},
): Promise<EpisodeResult> {
  const session = await EpisodeSession.open(task, seed, options.arm);
  return session.run(options.program, options);
}

function placeObjects(sim: Simulation, objects: NonNullable<RealScene['objects']>): void {
  const qpos = sim.data.qpos;
  for (const { name, position, yaw } of objects) {
    const body = sim.id('body', name);
    if (body < 0) throw new SimError('bad-input', `the scene has no object named '${name}'`);
    const quat = [Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)];
    const joint = sim.model.body_jntadr[body];
    if (joint >= 0 && sim.model.jnt_type[joint] === 0) {
      qpos.set([...position, ...quat], sim.model.jnt_qposadr[joint]); // a free object
    } else if (joint < 0 && sim.model.body_parentid[body] === 0) {
      sim.model.body_pos.set(position, 3 * body); // a fixed marker on the world (a reach target)
      sim.model.body_quat.set(quat, 4 * body);
    } else {
      throw new SimError(
        'bad-input',
        `'${name}' is part of a fixture in the scene: it cannot be moved on its own`,
      );
    }
  }
  sim.forward();
}

function setJoints(sim: Simulation, joints: Record<string, number>): void {
  const qpos = sim.data.qpos;
  for (const [name, value] of Object.entries(joints)) {
    const j = sim.id('joint', name);
    if (j < 0) throw new SimError('bad-input', `task sets joint '${name}', which the scene does not have`);
    qpos[sim.model.jnt_qposadr[j]] = value;
  }
  sim.forward();
}
