// The SO-100 / SO-101 as the bridge sees it: six servos on one bus, ids 1..6 from the base to the
// gripper, and the simulated arm's joint names for them (the sim calls the gripper 'jaw').
export const SO100_JOINTS = [
  'shoulder_pan',
  'shoulder_lift',
  'elbow_flex',
  'wrist_flex',
  'wrist_roll',
  'jaw',
] as const;
export const SO100_IDS = [1, 2, 3, 4, 5, 6] as const;
export const SO100_BAUD = 1_000_000;
/** Baud rates Feetech servos are set to in practice, the SO-100 default first. */
export const FEETECH_BAUDS = [1_000_000, 500_000, 115_200, 57_600, 38_400];

/** Joint ranges of assets/arms/so100.xml, radians (a test holds them to the MJCF). */
export const SO100_MODEL_RANGES: Record<(typeof SO100_JOINTS)[number], [number, number]> = {
  shoulder_pan: [-1.92, 1.92],
  shoulder_lift: [-1.8, 1.8],
  elbow_flex: [-0.3, 2.9],
  wrist_flex: [-1.8, 2.7],
  wrist_roll: [-2.74, 2.74],
  jaw: [0, 1.6],
};
