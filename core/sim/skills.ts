// Scripted building blocks over the three primitives, following the paper's prompt conventions:
// approach and leave 0.1 m above, grasp at the object's centre with its yaw, release 0.02 m above
// the destination's top. Reference solutions and demos are written with these.
import type { ObjectState } from '../../api/types.ts';
import type { PrimitiveResult } from '../../api/types.ts';

/** The robot as a program sees it: the paper's three primitives. */
export interface Robot {
  open_gripper(): PrimitiveResult;
  close_gripper(): PrimitiveResult;
  move_gripper(position: readonly number[], yaw: number): PrimitiveResult;
}

export const SAFE_HEIGHT = 0.1;
export const RELEASE_CLEARANCE = 0.02;
/** Tall objects are grasped this far below their top rather than at the centre. */
export const TALL_GRASP_DEPTH = 0.025;

/** Where the gripper closes on an object: its centre, or near the top of a tall one. */
export function graspHeight(object: ObjectState): number {
  const [, , z] = object.position;
  const top = z + object.size[2] / 2;
  return Math.max(z, top - TALL_GRASP_DEPTH);
}

export function pick(robot: Robot, object: ObjectState, yaw = object.yaw): void {
  const [x, y] = object.position;
  const z = graspHeight(object);
  robot.open_gripper();
  robot.move_gripper([x, y, z + SAFE_HEIGHT], yaw);
  robot.move_gripper([x, y, z], yaw);
  robot.close_gripper();
  robot.move_gripper([x, y, z + SAFE_HEIGHT], yaw);
}

/**
 * Put a held object down with its bottom on a surface at height `surfaceZ` (centre at x, y),
 * released RELEASE_CLEARANCE above it, then leave upwards.
 */
export function place(
  robot: Robot,
  object: ObjectState,
  at: readonly [number, number],
  surfaceZ: number,
  yaw = object.yaw,
): void {
  const holdOffset = graspHeight(object) - (object.position[2] - object.size[2] / 2); // gripper above the object's bottom
  const release = surfaceZ + holdOffset + RELEASE_CLEARANCE;
  robot.move_gripper([at[0], at[1], release + SAFE_HEIGHT], yaw);
  robot.move_gripper([at[0], at[1], release], yaw);
  robot.open_gripper();
  robot.move_gripper([at[0], at[1], release + SAFE_HEIGHT], yaw);
}

export function pickAndPlace(
  robot: Robot,
  object: ObjectState,
  at: readonly [number, number],
  surfaceZ: number,
): void {
  pick(robot, object);
  place(robot, object, at, surfaceZ);
}

/**
 * Push an object along the table from where it is to `to` as the prompt says: the gripper closed,
 * held `height` above the table, yaw = push angle + pi/2, in straight steps of at most `segment`.
 */
export function push(
  robot: Robot,
  object: ObjectState,
  to: readonly [number, number],
  height = 0.015,
  segment = 0.02,
): void {
  const [x, y] = object.position;
  const dx = to[0] - x;
  const dy = to[1] - y;
  const distance = Math.hypot(dx, dy);
  const ux = dx / distance;
  const uy = dy / distance;
  // Jaws closing along the push: the closed fingers, one behind the other, give a narrow front
  // and the hand's long side stays in line with the path instead of sweeping across it.
  const yaw = Math.atan2(uy, ux) + Math.PI / 2;
  const half = Math.max(object.size[0], object.size[1]) / 2;
  const back = half + 0.03;
  const start: [number, number] = [x - ux * back, y - uy * back];
  // Push until the gripper is where the object's near side is once it sits at the target.
  const travel = distance + back - half;
  robot.close_gripper();
  robot.move_gripper([start[0], start[1], height + SAFE_HEIGHT], yaw);
  robot.move_gripper([start[0], start[1], height], yaw);
  const steps = Math.max(1, Math.ceil(travel / segment));
  for (let i = 1; i <= steps; i++) {
    const s = (travel * i) / steps;
    robot.move_gripper([start[0] + ux * s, start[1] + uy * s, height], yaw);
  }
  const end = [start[0] + ux * travel, start[1] + uy * travel];
  robot.move_gripper([end[0] - ux * 0.03, end[1] - uy * 0.03, height + SAFE_HEIGHT], yaw);
}

/** How far the closed fingertips reach below the gripper point (the point move_gripper places). */
export const FINGERTIP_BELOW_GRIPPER = 0.01;
/** About how tall the fingers are (the prompt's figure): the hand starts this far above their tips. */
export const FINGER_HEIGHT = 0.05;

/** Press straight down on a point (the top of a button) so the fingertips go `depth` below it. */
export function press(robot: Robot, top: readonly [number, number, number], depth: number): void {
  const [x, y, z] = top;
  const touching = z + FINGERTIP_BELOW_GRIPPER;
  robot.close_gripper();
  robot.move_gripper([x, y, touching + SAFE_HEIGHT], 0);
  robot.move_gripper([x, y, touching + 0.01], 0);
  robot.move_gripper([x, y, touching - depth], 0);
  robot.move_gripper([x, y, touching + SAFE_HEIGHT], 0);
}
