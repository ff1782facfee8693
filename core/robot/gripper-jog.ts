// Jogging the gripper in space rather than joint by joint: the simulated SO-100's inverse kinematics
// turn "2 cm forward" into joint angles, which then go through the same safety checks as any goal.
// The solver keeps the gripper pointing down, as the primitives do; from a pose far from that, a
// small jog would swing the wrist, so such a jog is refused with what to do instead.
import type { Vec3 } from '../../api/types.ts';
import { Arm } from '../sim/arm.ts';
import { loadScene } from '../sim/scene.ts';
import { RobotError } from './arm-controller.ts';

/** No joint may turn further than this for one gripper jog. */
const MAX_JOINT_CHANGE = 0.35; // rad
const REACH_TOLERANCE = 0.004; // m

let kinematics: Promise<Arm> | undefined;

function so100(): Promise<Arm> {
  kinematics ??= loadScene({ arm: 'so100', objects: [] }).then((sim) => Arm.attach(sim));
  return kinematics;
}

export interface GripperJog {
  /** Metres, in the arm base's frame (x forward, y left, z up). */
  move: Vec3;
  /** Radians about z. */
  turn?: number;
}

/** Joint angles (5 joints and the unchanged jaw) that move the gripper by `jog` from `joints`. */
export async function gripperJogTarget(joints: readonly number[], jog: GripperJog): Promise<number[]> {
  const arm = await so100();
  arm.setJointPositions(joints.slice(0, 5));
  const now = arm.pose();
  const target: Vec3 = [
    now.position[0] + jog.move[0],
    now.position[1] + jog.move[1],
    now.position[2] + jog.move[2],
  ];
  const solution = arm.solve(target, now.yaw + (jog.turn ?? 0));
  if (!solution.converged || solution.positionError > REACH_TOLERANCE) {
    throw new RobotError(
      'refused',
      `the gripper cannot reach [${target.map((v) => v.toFixed(3)).join(', ')}] m pointing down: jog back, or use the joints`,
    );
  }
  const next = [...solution.q, joints[5]];
  const swing = next.slice(0, 5).findIndex((q, i) => Math.abs(q - joints[i]) > MAX_JOINT_CHANGE);
  if (swing >= 0) {
    throw new RobotError(
      'refused',
      `that jog would turn ${arm.spec.joints[swing]} by ${Math.abs(next[swing] - joints[swing]).toFixed(2)} rad at once: ` +
        'the gripper jog keeps the gripper pointing down; point it down with the joint jog first',
    );
  }
  return next;
}
