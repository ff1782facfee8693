// What the bridge checks before anything moves, in plain functions: every goal against the joint
// limits (the calibration's recorded range intersected with the model's), the gripper against a
// workspace box, and the speed of every step. A goal that fails is refused with the reason and never
// reaches the bus.
import type { Vec3 } from '../../api/types.ts';
import { LabError } from '../errors.ts';
import { so100GripperPosition } from './so100-kinematics.ts';

export interface JointRange {
  joint: string;
  min: number;
  max: number;
}

export interface SafetyLimits {
  /** Per joint, arm joints then the jaw, radians. */
  joints: JointRange[];
  /** rad/s per joint: the bridge never commands a faster step, whatever the goal. */
  maxVelocity: number[];
  /** The gripper site must stay inside this box (metres, arm base frame): the table is below z = 0. */
  workspace: { x: [number, number]; y: [number, number]; z: [number, number] };
  /** °C: a servo this hot gets its torque off. STS3215s shut down at 70 by default. */
  maxTemperature: number;
  /** Present load magnitude (0..1000 = 0..100% of max torque) held for `overloadMs` is a fault. */
  maxLoad: number;
  overloadMs: number;
}

export const SO100_DEFAULT_LIMITS: Omit<SafetyLimits, 'joints'> = {
  // About a third of the STS3215's no-load speed: slow enough to stop by hand in a classroom.
  maxVelocity: [1.5, 1.5, 1.5, 2, 3, 3],
  workspace: { x: [-0.1, 0.4], y: [-0.4, 0.4], z: [0.005, 0.45] },
  maxTemperature: 60,
  maxLoad: 800,
  overloadMs: 1500,
};

export class SafetyRefusal extends LabError {
  constructor(message: string) {
    super('refused', message);
  }
}

/** Throws SafetyRefusal naming the first joint or bound a goal breaks; returns the gripper position. */
export function checkGoal(goal: readonly number[], limits: SafetyLimits): Vec3 {
  if (goal.length !== limits.joints.length) {
    throw new SafetyRefusal(`a goal needs ${limits.joints.length} joint values, got ${goal.length}`);
  }
  goal.forEach((value, i) => {
    const { joint, min, max } = limits.joints[i];
    if (!Number.isFinite(value)) throw new SafetyRefusal(`${joint}: ${value} is not a finite angle`);
    if (value < min - 1e-9 || value > max + 1e-9) {
      throw new SafetyRefusal(
        `${joint}: ${degrees(value)} is outside its limits ${degrees(min)} to ${degrees(max)} (calibrated range and model limits)`,
      );
    }
  });
  const position = so100GripperPosition(goal.slice(0, 5));
  const axes = ['x', 'y', 'z'] as const;
  axes.forEach((axis, i) => {
    const [low, high] = limits.workspace[axis];
    if (position[i] < low || position[i] > high) {
      throw new SafetyRefusal(
        `the gripper would be at ${axis} = ${position[i].toFixed(3)} m, outside the workspace box ${low} to ${high} m` +
          (axis === 'z' && position[i] < low ? ' (into the table)' : ''),
      );
    }
  });
  return position;
}

/** One control cycle's step from `from` toward `to`, each joint no faster than its limit. */
export function stepToward(
  from: readonly number[],
  to: readonly number[],
  dtSeconds: number,
  maxVelocity: readonly number[],
): number[] {
  return to.map((target, i) => {
    const most = maxVelocity[i] * dtSeconds;
    const delta = target - from[i];
    return Math.abs(delta) <= most ? target : from[i] + Math.sign(delta) * most;
  });
}

function degrees(radians: number): string {
  return `${((radians * 180) / Math.PI).toFixed(1)}°`;
}
