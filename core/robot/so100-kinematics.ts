// Forward kinematics of the SO-100-like arm (assets/arms/so100.xml), without MuJoCo: the safety
// check runs every control cycle in the bridge process, which must not wait for a WASM engine. A
// test holds these numbers to MuJoCo's own site position for the same joint angles.
import type { Vec3 } from '../../api/types.ts';

type Axis = 'y' | 'z';
/** Each joint: where its body sits in the parent's frame, and its axis. From so100.xml. */
const CHAIN: Array<{ offset: Vec3; axis: Axis }> = [
  { offset: [0, 0, 0.05], axis: 'z' }, // shoulder_pan
  { offset: [0, 0, 0.054], axis: 'y' }, // shoulder_lift
  { offset: [0.028, 0, 0.1126], axis: 'y' }, // elbow_flex
  { offset: [0, 0, 0.1349], axis: 'y' }, // wrist_flex
  { offset: [0, 0, 0.061], axis: 'z' }, // wrist_roll (gripper_body)
];
/** The gripper site in the gripper body's frame. */
const SITE: Vec3 = [0, 0, 0.074];

type Mat3 = number[]; // row-major 3x3

/** Where the gripper site (between the jaws) is, in the arm base's frame, for the 5 arm joints. */
export function so100GripperPosition(joints: readonly number[]): Vec3 {
  let rotation: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  let position: Vec3 = [0, 0, 0];
  CHAIN.forEach(({ offset, axis }, i) => {
    position = add(position, apply(rotation, offset));
    rotation = multiply(rotation, axisRotation(axis, joints[i]));
  });
  return add(position, apply(rotation, SITE));
}

function axisRotation(axis: Axis, angle: number): Mat3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return axis === 'z' ? [c, -s, 0, s, c, 0, 0, 0, 1] : [c, 0, s, 0, 1, 0, -s, 0, c];
}

function multiply(a: Mat3, b: Mat3): Mat3 {
  const out: Mat3 = new Array(9).fill(0);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return out;
}

function apply(m: Mat3, v: Vec3): Vec3 {
  return [0, 1, 2].map((r) => m[3 * r] * v[0] + m[3 * r + 1] * v[1] + m[3 * r + 2] * v[2]) as Vec3;
}

function add(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}
