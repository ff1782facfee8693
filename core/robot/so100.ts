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
