// Small 3D rotation helpers on row-major 3x3 matrices (MuJoCo's xmat layout), plain arrays.

export type Mat3 = number[]; // 9 entries, row-major

/** The gripper pointing straight down, turned by `yaw` about world z: Rz(yaw) * Rx(pi). */
export function downwardGripperMatrix(yaw: number): Mat3 {
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  return [c, s, 0, s, -c, 0, 0, 0, -1];
}

/** Yaw of a frame's x axis about world z. */
export function yawOf(m: ArrayLike<number>): number {
  return Math.atan2(m[3], m[0]);
}

/** Angle (rad) between a frame's z axis and straight down. */
export function tiltFromDown(m: ArrayLike<number>): number {
  return Math.acos(Math.min(1, Math.max(-1, -m[8])));
}

/** Angle (rad) of the rotation taking `a` to `b`. */
export function angleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // trace(a^T b) = 1 + 2 cos(angle)
  let trace = 0;
  for (let i = 0; i < 9; i++) trace += a[i] * b[i];
  return Math.acos(Math.min(1, Math.max(-1, (trace - 1) / 2)));
}

/**
 * Orientation error (world frame) that drives `current` towards `target`: half the sum of the
 * cross products of matching columns. Zero only when aligned; smooth, no log-map singularity.
 */
export function orientationError(
  current: ArrayLike<number>,
  target: ArrayLike<number>,
  out: Float64Array,
  offset = 0,
): void {
  let ex = 0;
  let ey = 0;
  let ez = 0;
  for (let c = 0; c < 3; c++) {
    const ax = current[c];
    const ay = current[3 + c];
    const az = current[6 + c];
    const bx = target[c];
    const by = target[3 + c];
    const bz = target[6 + c];
    ex += ay * bz - az * by;
    ey += az * bx - ax * bz;
    ez += ax * by - ay * bx;
  }
  out[offset] = ex / 2;
  out[offset + 1] = ey / 2;
  out[offset + 2] = ez / 2;
}

/** Wrap an angle to (-pi, pi]. */
export function wrapAngle(angle: number): number {
  const wrapped = angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
  return wrapped === -Math.PI ? Math.PI : wrapped;
}

/** A parallel gripper looks the same turned by pi: wrap its yaw to [-pi/2, pi/2). */
export function wrapGripperYaw(yaw: number): number {
  return yaw - Math.PI * Math.floor((yaw + Math.PI / 2) / Math.PI);
}

/** Yaw of a body from its quaternion (w, x, y, z), about world z. */
export function yawFromQuat(w: number, x: number, y: number, z: number): number {
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}
