// Records an episode's trajectory for replay: the robot's joint positions and every object's pose
// at a fixed rate of simulated time.
import type { Simulation } from '../sim/simulation.ts';
import { bodyPoses } from '../sim/scene-geometry.ts';

export interface TrajectoryFrame {
  /** Simulated seconds. */
  t: number;
  /** Robot joint positions (arm then gripper), radians or metres, in `jointNames` order. */
  joints: number[];
  /** Position [x, y, z] and quaternion [w, x, y, z] of each object, in `objectNames` order. */
  objects: number[][];
  /** Every body's world pose (see bodyPoses), when recorded for a 3D view. */
  poses?: number[];
}

export interface Trajectory {
  hz: number;
  jointNames: string[];
  objectNames: string[];
  frames: TrajectoryFrame[];
}

export const DEFAULT_RECORD_HZ = 30;

export class Recorder {
  readonly trajectory: Trajectory;
  private readonly qposAdr: number[];
  private readonly bodyIds: number[];

  constructor(
    private readonly sim: Simulation,
    jointNames: string[],
    objectNames: string[],
    hz = DEFAULT_RECORD_HZ,
    private readonly withPoses = false,
  ) {
    const { model } = sim;
    this.qposAdr = jointNames.map((name) => model.jnt_qposadr[sim.id('joint', name)]);
    this.bodyIds = objectNames.map((name) => sim.id('body', name));
    this.trajectory = { hz, jointNames, objectNames, frames: [] };
  }

  start(): void {
    this.capture();
    this.sim.sampleEvery(1 / this.trajectory.hz, () => this.capture());
  }

  stop(): Trajectory {
    this.sim.sampleEvery(undefined);
    this.capture();
    return this.trajectory;
  }

  private capture(): void {
    const { data } = this.sim;
    const qpos = data.qpos;
    const xpos = data.xpos;
    const xquat = data.xquat;
    const r = (v: number): number => Math.round(v * 1e5) / 1e5;
    this.trajectory.frames.push({
      t: r(data.time),
      joints: this.qposAdr.map((adr) => r(qpos[adr])),
      objects: this.bodyIds.map((b) =>
        [...xpos.subarray(3 * b, 3 * b + 3), ...xquat.subarray(4 * b, 4 * b + 4)].map(r),
      ),
      ...(this.withPoses ? { poses: bodyPoses(this.sim) } : {}),
    });
  }
}
