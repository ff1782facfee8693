// Records what happens in an episode, for replay: the robot's joint positions and every object's
// pose at a fixed rate of simulated time (a recording, not the planned path of core/sim/trajectory).
import type { Simulation } from '../sim/simulation.ts';
import { bodyPoses } from '../sim/scene-geometry.ts';
import type { Recording } from '../../api/types.ts';

export const DEFAULT_RECORD_HZ = 30;

export class Recorder {
  readonly recording: Recording;
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
    this.recording = { hz, jointNames, objectNames, frames: [] };
  }

  start(): void {
    this.capture();
    this.sim.sampleEvery(1 / this.recording.hz, () => this.capture());
  }

  stop(): Recording {
    this.sim.sampleEvery(undefined);
    this.capture();
    return this.recording;
  }

  private capture(): void {
    const { data } = this.sim;
    const qpos = data.qpos;
    const xpos = data.xpos;
    const xquat = data.xquat;
    const r = (v: number): number => Math.round(v * 1e5) / 1e5;
    this.recording.frames.push({
      t: r(data.time),
      joints: this.qposAdr.map((adr) => r(qpos[adr])),
      objects: this.bodyIds.map((b) =>
        [...xpos.subarray(3 * b, 3 * b + 3), ...xquat.subarray(4 * b, 4 * b + 4)].map(r),
      ),
      ...(this.withPoses ? { poses: bodyPoses(this.sim) } : {}),
    });
  }
}
