// Scripted drawer handling over the three primitives: grasp the handle bar from above with the
// jaws closing along x, slide it along x in short segments, let go and leave upwards.
import { SAFE_HEIGHT, type Robot } from '../sim/skills.ts';

const SEGMENT = 0.02; // the prompt: slide or drag something in steps of at most 0.02 m
const ACROSS_X = Math.PI / 2; // jaws close along world x to straddle a bar that runs along y

/** Move a drawer handle at `handle` by `dx` metres along x (negative: towards the robot, opening). */
export function pullHandle(robot: Robot, handle: readonly number[], dx: number): void {
  const [x, y, z] = handle;
  robot.open_gripper();
  robot.move_gripper([x, y, z + SAFE_HEIGHT], ACROSS_X);
  robot.move_gripper([x, y, z], ACROSS_X);
  robot.close_gripper();
  const steps = Math.max(1, Math.ceil(Math.abs(dx) / SEGMENT));
  for (let i = 1; i <= steps; i++) robot.move_gripper([x + (dx * i) / steps, y, z], ACROSS_X);
  robot.open_gripper();
  robot.move_gripper([x + dx, y, z + SAFE_HEIGHT], ACROSS_X);
}
