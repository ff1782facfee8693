// From a dry run in simulation to what the real arm does: each primitive the program called becomes
// a short list of joint-space waypoints, taken from the simulated arm's recorded motion during that
// primitive. The real arm follows them primitive by primitive, through the same safety checks as
// any other goal. A dry run whose primitives did not all reach their goal is not executable.
import type { EpisodeResult, PrimitiveName, RecordingFrame } from '../../api/types.ts';

export interface PlanStep {
  primitive: PrimitiveName;
  status: string;
  message: string;
  /** Poses (radians: 5 arm joints, then the jaw) to pass through, the last one the primitive's end. */
  waypoints: number[][];
}

export interface ArmPlan {
  /** The simulated arm's pose when the program started: the real arm must be there too. */
  start: number[];
  steps: PlanStep[];
  executable: boolean;
  /** Why not, when not executable. */
  why?: string;
}

/** Waypoints per second of motion: enough to keep the real arm on the simulated path. */
const WAYPOINT_HZ = 10;
/**
 * How much further than the simulated jaw stopped the real jaw is told to close: the simulated jaw
 * stops at the block; the real servo must keep a grip on it (its load limit eases it off if it
 * pushes too hard).
 */
export const GRIP_SQUEEZE = 0.12; // rad

export function planFromDryRun(result: EpisodeResult): ArmPlan {
  const recording = result.recording;
  if (!recording || recording.frames.length === 0) {
    return { start: [], steps: [], executable: false, why: 'the dry run was not recorded' };
  }
  const frames = recording.frames;
  const start = frames[0].joints;
  if (start.length !== 6) {
    return {
      start,
      steps: [],
      executable: false,
      why: `the dry run's arm has ${start.length} joints, not the SO-100's 6`,
    };
  }
  const every = Math.max(1, Math.round(recording.hz / WAYPOINT_HZ));
  let t = frames[0].t;
  const steps = result.trace.map((primitive): PlanStep => {
    const from = t;
    t += primitive.duration;
    let inside = frames.filter((frame) => frame.t > from && frame.t <= t + 1e-9);
    // A primitive over within one frame (the gripper already open) still ends somewhere.
    if (inside.length === 0) inside = [nearest(frames, t)];
    const waypoints = sample(inside, every).map((frame) => [...frame.joints]);
    if (primitive.primitive === 'close_gripper' && waypoints.length > 0) {
      const last = waypoints.at(-1)!;
      last[5] = Math.max(0, last[5] - GRIP_SQUEEZE);
    }
    return {
      primitive: primitive.primitive,
      status: primitive.status,
      message: primitive.message,
      waypoints,
    };
  });
  const failed = steps.findIndex((step) => step.status !== 'reached');
  if (failed >= 0) {
    const step = steps[failed];
    return {
      start,
      steps,
      executable: false,
      why: `primitive ${failed + 1} (${step.primitive}) did not reach its goal in simulation: ${step.message}`,
    };
  }
  if (steps.length === 0) return { start, steps, executable: false, why: 'the program called no primitive' };
  if (result.stopped) return { start, steps, executable: false, why: result.stopped };
  return { start, steps, executable: true };
}

/** Every `every`-th frame, and always the last: the primitive's end is where the arm must be. */
function sample(frames: RecordingFrame[], every: number): RecordingFrame[] {
  const picked = frames.filter((_, i) => (i + 1) % every === 0);
  const last = frames.at(-1);
  if (last && picked.at(-1) !== last) picked.push(last);
  return picked;
}

function nearest(frames: RecordingFrame[], t: number): RecordingFrame {
  return frames.reduce((best, frame) => (Math.abs(frame.t - t) < Math.abs(best.t - t) ? frame : best));
}
