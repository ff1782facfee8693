// Minimum-jerk interpolation between two joint configurations: zero velocity and acceleration at
// both ends, so the position actuators track it without jolting a held object.

export interface JointTrajectory {
  from: Float64Array;
  to: Float64Array;
  duration: number; // seconds
}

/** Peak speed of a min-jerk profile is 1.875 * distance / duration. */
const MIN_JERK_PEAK = 1.875;
const MIN_DURATION = 0.3;

export function planJointMove(
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  jointSpeed: number,
): JointTrajectory {
  let largest = 0;
  for (let i = 0; i < from.length; i++) largest = Math.max(largest, Math.abs(to[i] - from[i]));
  return {
    from: Float64Array.from(from),
    to: Float64Array.from(to),
    duration: Math.max(MIN_DURATION, (MIN_JERK_PEAK * largest) / jointSpeed),
  };
}

/** Write the configuration at time t (seconds from the start) into `out`. */
export function sampleTrajectory(trajectory: JointTrajectory, t: number, out: Float64Array): void {
  const s = Math.min(1, Math.max(0, t / trajectory.duration));
  const blend = s * s * s * (10 - 15 * s + 6 * s * s);
  const { from, to } = trajectory;
  for (let i = 0; i < from.length; i++) out[i] = from[i] + (to[i] - from[i]) * blend;
}
