// What the control loop needs from an arm's servos, in servo ticks and servo ids: read positions,
// write goals, torque, and the slower readings (load, temperature, voltage). One implementation per
// servo family; the loop above never sees a register address.

export interface ServoReading {
  id: number;
  /** Signed, 0..1000 = 0..100% of the servo's maximum torque. */
  load: number;
  /** °C */
  temperature: number;
  /** V */
  voltage: number;
  /** The servo's status error bits, by name (e.g. 'overload'); empty when all is well. */
  errors: string[];
}

export interface ArmIo {
  /** Servo ids, in joint order (arm joints from the base, then the gripper). */
  readonly ids: readonly number[];
  readPositions(): Promise<number[]>;
  writeGoals(ticks: readonly number[]): Promise<void>;
  /** Torque on sets every goal to the present position first, so the arm does not jump. */
  setTorque(on: boolean): Promise<void>;
  readServos(): Promise<ServoReading[]>;
  close(): Promise<void>;
}
