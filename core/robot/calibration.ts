// Calibration of an SO-100 / SO-101 arm: what a servo's present-position ticks mean as the simulated
// arm's joint angles (assets/arms/so100.xml), the limits that follow from the range each joint was
// moved through, the recording wizard's bookkeeping, and the check that a calibration belongs to the
// servos on the bus. Everything here is plain data and pure functions; the bus and the files are
// elsewhere (core/robot/servo-bus.ts, calibration-store.ts, lerobot-calibration.ts).
//
// How LeRobot does it (huggingface/lerobot, src/lerobot/motors/motors_bus.py, motors/feetech/feetech.py,
// robots/so_follower/so_follower.py; robots/so100_follower and so101_follower before v0.4.3):
// - Torque off; the operator holds the arm "in the middle of its range of motion"; LeRobot zeroes
//   each servo's Homing_Offset (register 31, sign-magnitude with the sign in bit 11, so -2047..2047),
//   reads the raw position and writes Homing_Offset = raw - 2047. The servo reports
//   Present_Position = raw - Homing_Offset, so that pose now reads 2047 and a joint's travel cannot
//   cross the 0/4095 wrap.
// - The operator moves each joint through its whole range; range_min/range_max are the extreme
//   present positions seen (wrist_roll is given the full 0..4095 since v0.4.3, and on the SO-100
//   before that). The file holds {id, drive_mode (always 0 on Feetech arms), homing_offset,
//   range_min, range_max} per motor.
// - DEGREES mode reads (ticks - mid) * 360 / 4095 with mid = (range_min + range_max) / 2 (drive_mode
//   ignored); RANGE_M100_100 maps the range to -100..100 and RANGE_0_100 (the gripper) to 0..100,
//   both inverted by drive_mode 1.
// - The SO-ARM100 repository's Simulation/SO101/so101_new_calib.urdf puts every joint's zero at that
//   middle pose, and LeRobot feeds its DEGREES readings to that URDF as joint angles
//   (lerobot src/lerobot/model/kinematics.py, examples/phone_to_so100): its zero pose and its axes
//   tell what the middle pose is and which way the ticks run.
//
// Our calibration stores, per joint, the ticks at which the sim joint is at 0 rad and the direction:
// angle = direction * (ticks - zeroTicks) * 2π / 4096 (4096 positions per turn; LeRobot divides by
// 4095, 0.02% less, which is ignored).
import { z } from 'zod';
import { LabError } from '../errors.ts';
import type { JointMapping } from './arm-controller.ts';
import type { Register } from './protocol.ts';
import type { JointRange } from './safety.ts';
import { hintFor } from './scan.ts';
import { SO100_IDS, SO100_JOINTS } from './so100.ts';

export type JointName = (typeof SO100_JOINTS)[number];

export interface JointCalibration {
  joint: string;
  id: number;
  direction: 1 | -1;
  /** Present-position ticks when the sim joint is at 0 rad (may be fractional, or outside 0..4095). */
  zeroTicks: number;
  /** The range the joint was moved through, present-position ticks (integers, 0..4095). */
  minTicks: number;
  maxTicks: number;
}

export interface ArmCalibration {
  version: 1;
  name: string;
  arm: 'so100';
  protocol: 'feetech';
  /** The servos' model number: 777 = Feetech STS3215. */
  servoModel: number;
  /**
   * By servo id: what the servo's Homing_Offset register (31) held when these ticks were recorded.
   * The ticks mean what they say only while the register holds this value.
   */
  homingOffsets: Record<string, number>;
  /** The five arm joints from the base, then 'jaw' (the gripper). */
  joints: JointCalibration[];
  source: 'recorded' | 'lerobot';
  createdAt: string;
}

export const TICKS_PER_TURN = 4096;
export const STS3215_MODEL = 777;
/** Homing_Offset on the STS3215: 2 bytes, sign-magnitude with the sign in bit 11. */
export const HOMING_OFFSET_REGISTER: Register = { address: 31, size: 2 };
export const HOMING_OFFSET_LIMIT = 2047;
/** A joint moved less than this while recording was not moved through its range. */
export const MIN_TRAVEL_TICKS = 200;

const RADIANS_PER_TICK = (2 * Math.PI) / TICKS_PER_TURN;

/**
 * The reference pose, in the sim's joint angles: LeRobot's SO-100/SO-101 "middle of its range of
 * motion" pose, which is the zero pose of so101_new_calib.urdf. Worked out from that URDF's zero-pose
 * geometry: the upper arm stands straight up with the same 28 mm forward offset as ours (our
 * shoulder_lift 0), the forearm and the wrist are level, pointing forward (our elbow_flex +π/2,
 * wrist_flex 0), and the gripper's hinge axis is horizontal with the moving jaw above the roll axis,
 * so the jaws open up and down (our wrist_roll -π/2: at 0 our jaws open sideways). The jaw is
 * closed: LeRobot's gripper reads 0 closed, its range_min; users' files have range_min near the
 * 2047 of the middle pose, so they hold it closed there too.
 */
export const REFERENCE_POSE: Readonly<Record<JointName, number>> = {
  shoulder_pan: 0,
  shoulder_lift: 0,
  elbow_flex: Math.PI / 2,
  wrist_flex: 0,
  wrist_roll: -Math.PI / 2,
  jaw: 0,
};

/** What the wizard tells the operator to hold, torque off. */
export const REFERENCE_POSE_STEPS: readonly string[] = [
  'Turn the base so that the arm faces straight ahead.',
  'Upper arm straight up.',
  'Forearm level, pointing forward: the elbow at a right angle.',
  'Wrist straight: the gripper continues the line of the forearm, level.',
  'Gripper rolled so that the moving jaw is on top (the jaws open up and down).',
  'Gripper closed.',
];

/**
 * Which way the ticks run against the sim's angles, on an SO-100/SO-101 as built from the
 * SO-ARM100 instructions (servo horns as in the assembly guide). From so101_new_calib.urdf, whose
 * angles increase with the ticks: its shoulder_pan axis points down where ours points up (-1); its
 * shoulder_lift, elbow_flex and wrist_flex axes point to the arm's left like ours (+1); its
 * wrist_roll axis points back along the gripper where ours points forward (-1); its gripper opens
 * with increasing ticks, as our jaw opens with increasing angle (+1). The SO-100 is assumed to
 * match the SO-101 (LeRobot drives both with the same code and points SO-100 users to this URDF).
 * The recorder infers the jaw's direction from the recording instead (closed is its zero).
 */
export const DEFAULT_DIRECTIONS: Readonly<Record<JointName, 1 | -1>> = {
  shoulder_pan: -1,
  shoulder_lift: 1,
  elbow_flex: 1,
  wrist_flex: 1,
  wrist_roll: -1,
  jaw: 1,
};

const MODEL_NAMES: Record<number, string> = {
  777: 'Feetech STS3215',
  2825: 'Feetech STS3250',
  1284: 'Feetech SCS0009',
  11272: 'Feetech SM8512BL',
  1060: 'Dynamixel XL430-W250',
  1190: 'Dynamixel XL330-M077',
  1200: 'Dynamixel XL330-M288',
  1020: 'Dynamixel XM430-W350',
  1070: 'Dynamixel XC430-W150',
};

export type CalibrationErrorKind =
  | 'invalid' // a calibration (or the data for one) is malformed: the message names the field
  | 'recording' // the recorded motion cannot make a calibration: the message says what to redo
  | 'lerobot-file' // a LeRobot calibration file cannot be imported
  | 'out-of-range' // an angle or tick value the servo cannot take, or ranges that do not overlap
  | 'does-not-fit' // the calibration is not for the servos on the bus
  | 'not-found' // no saved calibration by that name
  | 'corrupt'; // a saved calibration file is unreadable or was edited into something invalid

export class CalibrationError extends LabError {
  constructor(
    kind: CalibrationErrorKind,
    message: string,
    /** Servo ids the problem concerns, when it concerns some. */
    readonly ids: number[] = [],
    options?: { cause?: unknown },
  ) {
    super(kind, message, options);
  }
}

// ---- mapping -------------------------------------------------------------------------------------

export function ticksToRadians(joint: JointCalibration, ticks: number): number {
  if (!Number.isFinite(ticks)) {
    throw new CalibrationError('out-of-range', `${joint.joint}: ${ticks} is not a tick count`, [joint.id]);
  }
  return joint.direction * (ticks - joint.zeroTicks) * RADIANS_PER_TICK + 0; // + 0: never -0
}

/** Rounded to whole ticks; refused if the servo cannot reach that position (outside 0..4095). */
export function radiansToTicks(joint: JointCalibration, radians: number): number {
  if (!Number.isFinite(radians)) {
    throw new CalibrationError('out-of-range', `${joint.joint}: ${radians} is not an angle`, [joint.id]);
  }
  const ticks = Math.round(joint.zeroTicks + (joint.direction * radians) / RADIANS_PER_TICK);
  if (ticks < 0 || ticks > TICKS_PER_TURN - 1) {
    throw new CalibrationError(
      'out-of-range',
      `${joint.joint}: ${radians.toFixed(3)} rad is servo position ${ticks}, outside the servo's 0..4095`,
      [joint.id],
    );
  }
  return ticks;
}

/** The calibrated range of a joint as radians, lower first. */
export function calibratedRange(joint: JointCalibration): [number, number] {
  const a = ticksToRadians(joint, joint.minTicks);
  const b = ticksToRadians(joint, joint.maxTicks);
  return a <= b ? [a, b] : [b, a];
}

/**
 * Per joint, in the calibration's order: the intersection of the range the joint was calibrated
 * through and the model's joint range (radians). The shape the safety checks take (SafetyLimits.joints).
 */
export function jointLimits(
  calibration: ArmCalibration,
  modelRanges: Readonly<Record<string, readonly [number, number]>>,
): JointRange[] {
  return calibration.joints.map((joint) => {
    const model = modelRanges[joint.joint];
    if (!model) {
      throw new CalibrationError(
        'invalid',
        `the model has no range for joint ${joint.joint} (it has ${Object.keys(modelRanges).join(', ') || 'none'})`,
        [joint.id],
      );
    }
    const [low, high] = calibratedRange(joint);
    const min = Math.max(low, model[0]);
    const max = Math.min(high, model[1]);
    if (min > max) {
      throw new CalibrationError(
        'out-of-range',
        `${joint.joint}: the calibrated range ${low.toFixed(2)}..${high.toFixed(2)} rad does not overlap the model's ` +
          `${model[0]}..${model[1]} rad: the calibration was made in another reference pose, or the joint turns ` +
          `the other way on this arm. Calibrate again.`,
        [joint.id],
      );
    }
    return { joint: joint.joint, min, max };
  });
}

/** Ticks ↔ radians by joint index, in the calibration's joint order, for the arm controller. */
export function jointMapping(calibration: ArmCalibration): JointMapping {
  const joints = calibration.joints;
  return {
    joints: joints.map((j) => j.joint),
    toRadians: (index, ticks) => ticksToRadians(joints[index], ticks),
    toTicks: (index, radians) => radiansToTicks(joints[index], radians),
  };
}

// ---- the homing offset register -------------------------------------------------------------------

/** The register's raw value for a homing offset (sign-magnitude, sign in bit 11). */
export function encodeHomingOffset(offset: number): number {
  checkHomingOffset(offset, 'homing offset');
  return offset < 0 ? (1 << 11) | -offset : offset;
}

export function decodeHomingOffset(raw: number): number {
  const magnitude = raw & 0x7ff;
  return raw & (1 << 11) ? -magnitude : magnitude;
}

/**
 * The homing offset that makes the present pose read 2047 (LeRobot's half-turn homing), from what
 * the servo reads now and the offset it holds now. The servo reports raw - offset, so the raw
 * position is present + current (mod 4096) and the new offset raw - 2047 (at most 2047: a raw 4095
 * would need 2048, so that pose reads 2048). Write it to HOMING_OFFSET_REGISTER (EEPROM: lock off).
 */
export function halfTurnHomingOffset(presentTicks: number, currentOffset: number): number {
  const raw = (((presentTicks + currentOffset) % TICKS_PER_TURN) + TICKS_PER_TURN) % TICKS_PER_TURN;
  return Math.min(raw - 2047, HOMING_OFFSET_LIMIT);
}

function checkHomingOffset(offset: number, what: string): void {
  if (!Number.isInteger(offset) || Math.abs(offset) > HOMING_OFFSET_LIMIT) {
    throw new CalibrationError(
      'out-of-range',
      `${what}: ${offset} does not fit the servo's Homing_Offset register (a sign and 11 bits: -2047..2047)`,
    );
  }
}

// ---- the reference pose ---------------------------------------------------------------------------

/** zeroTicks for a joint that reads `ticks` when at its reference-pose angle. */
export function zeroTicksFromReference(joint: JointName, ticks: number, direction: 1 | -1): number {
  return ticks - (direction * REFERENCE_POSE[joint]) / RADIANS_PER_TICK;
}

function jointOfId(id: number): JointName | undefined {
  const index = (SO100_IDS as readonly number[]).indexOf(id);
  return index >= 0 ? SO100_JOINTS[index] : undefined;
}

function label(id: number): string {
  const joint = jointOfId(id);
  return joint ? `${joint} (id ${id})` : `id ${id}`;
}

// ---- recording -----------------------------------------------------------------------------------

export interface RecorderOptions {
  /** Override DEFAULT_DIRECTIONS for an arm whose servos are mounted the other way. */
  directions?: Partial<Record<JointName, 1 | -1>>;
  minTravel?: number;
}

export interface RecordingProgress {
  joint: JointName;
  id: number;
  zero: number;
  /** Undefined until the joint has been observed. */
  min?: number;
  max?: number;
  last?: number;
  travel: number;
}

/**
 * The calibration wizard's bookkeeping, torque off, the operator moving the arm by hand:
 * 1. (recommended) with the arm in the reference pose, write halfTurnHomingOffset() to each servo so
 *    that pose reads about 2047 and no joint's travel crosses the servo's 0/4095 wrap;
 * 2. setZeroPose() with the positions read while the operator holds REFERENCE_POSE_STEPS;
 * 3. observe() every reading while the operator moves each joint through its whole range;
 * 4. finish() with the homing offsets the servos hold (read back from register 31).
 * setZeroPose() again starts over.
 */
export class CalibrationRecorder {
  private readonly directions: Record<JointName, 1 | -1>;
  private readonly minTravel: number;
  private zero: Map<number, number> | undefined;
  private min = new Map<number, number>();
  private max = new Map<number, number>();
  private last = new Map<number, number>();
  private wraps = new Map<number, [number, number]>();

  constructor(options: RecorderOptions = {}) {
    this.directions = { ...DEFAULT_DIRECTIONS, ...options.directions };
    this.minTravel = options.minTravel ?? MIN_TRAVEL_TICKS;
  }

  /** Positions (by servo id) read while the operator holds the reference pose. */
  setZeroPose(ticksById: Readonly<Record<number, number>>): void {
    const readings = this.readings(ticksById);
    const missing = SO100_IDS.filter((id) => !readings.has(id));
    if (missing.length > 0) {
      throw new CalibrationError(
        'recording',
        `the reference pose needs a position from every servo; missing ${missing.map(label).join(', ')}`,
        [...missing],
      );
    }
    this.zero = readings;
    this.min = new Map();
    this.max = new Map();
    this.last = new Map(readings);
    this.wraps = new Map();
  }

  /** One reading of some or all servos, while the operator moves the joints. */
  observe(ticksById: Readonly<Record<number, number>>): void {
    if (!this.zero) {
      throw new CalibrationError(
        'recording',
        'hold the arm in the reference pose and record it (setZeroPose) before moving the joints',
      );
    }
    for (const [id, ticks] of this.readings(ticksById)) {
      const previous = this.last.get(id);
      // A hand cannot move a joint half a turn between two readings: a jump that big is the reading
      // wrapping from 4095 to 0 (or back), and min/max would then describe the wrong side of the turn.
      if (previous !== undefined && Math.abs(ticks - previous) > TICKS_PER_TURN / 2 && !this.wraps.has(id)) {
        this.wraps.set(id, [previous, ticks]);
      }
      this.last.set(id, ticks);
      this.min.set(id, Math.min(this.min.get(id) ?? ticks, ticks));
      this.max.set(id, Math.max(this.max.get(id) ?? ticks, ticks));
    }
  }

  /** What has been recorded so far, per joint (for a live table like LeRobot's MIN / POS / MAX). */
  progress(): RecordingProgress[] {
    return SO100_JOINTS.map((joint, i) => {
      const id = SO100_IDS[i];
      const min = this.min.get(id);
      const max = this.max.get(id);
      return {
        joint,
        id,
        zero: this.zero?.get(id) ?? NaN,
        min,
        max,
        last: this.last.get(id),
        travel: min === undefined || max === undefined ? 0 : max - min,
      };
    });
  }

  finish(name: string, homingOffsets: Readonly<Record<number, number>>, now = new Date()): ArmCalibration {
    validateCalibrationName(name);
    const zero = this.zero;
    if (!zero) {
      throw new CalibrationError('recording', 'nothing recorded yet: start with the reference pose');
    }
    const problems: string[] = [];
    const problemIds: number[] = [];
    const joints: JointCalibration[] = [];
    SO100_JOINTS.forEach((joint, i) => {
      const id = SO100_IDS[i];
      const reference = zero.get(id) as number;
      const min = this.min.get(id) ?? reference;
      const max = this.max.get(id) ?? reference;
      const problem = (text: string): void => {
        problems.push(text);
        problemIds.push(id);
      };
      const wrap = this.wraps.get(id);
      if (wrap) {
        return problem(
          `${joint} jumped from ${wrap[0]} to ${wrap[1]} ticks: it crossed the servo's 0/4095 wrap point. ` +
            `Set the homing offsets so the reference pose reads about 2047, then record again`,
        );
      }
      if (max - min < this.minTravel) {
        return problem(`${joint} moved only ${max - min} ticks: move it through its whole range`);
      }
      if (reference < min || reference > max) {
        return problem(
          `${joint}: the reference pose (${reference}) lies outside the recorded range ${min}..${max}: ` +
            `the arm moved before it was recorded, or the joint was not moved both ways from it. Record again`,
        );
      }
      let direction = this.directions[joint];
      if (joint === 'jaw') {
        // Closed is the jaw's zero and it only opens from there: the side it opened to tells which
        // way its ticks run, whatever way the servo was mounted.
        const below = reference - min;
        const above = max - reference;
        direction = above >= below ? 1 : -1;
        const towardClosed = Math.min(below, above);
        if (towardClosed > Math.max(100, 0.2 * (max - min))) {
          return problem(
            `jaw: the reference pose is ${towardClosed} ticks from the closed end of its range: ` +
              `close the gripper in the reference pose and record again`,
          );
        }
      }
      joints.push({
        joint,
        id,
        direction,
        zeroTicks: zeroTicksFromReference(joint, reference, direction),
        minTicks: min,
        maxTicks: max,
      });
    });
    if (problems.length > 0) throw new CalibrationError('recording', problems.join('; '), problemIds);
    const offsets = homingOffsetsFor(
      joints.map((j) => j.id),
      homingOffsets,
    );
    return {
      version: 1,
      name,
      arm: 'so100',
      protocol: 'feetech',
      servoModel: STS3215_MODEL,
      homingOffsets: offsets,
      joints,
      source: 'recorded',
      createdAt: now.toISOString(),
    };
  }

  private readings(ticksById: Readonly<Record<number, number>>): Map<number, number> {
    const readings = new Map<number, number>();
    for (const [key, ticks] of Object.entries(ticksById)) {
      const id = Number(key);
      if (!jointOfId(id)) {
        throw new CalibrationError(
          'recording',
          `a reading from servo id ${key}, which is not on an SO-100 (ids 1..6)`,
          [id],
        );
      }
      if (!Number.isInteger(ticks) || ticks < 0 || ticks > TICKS_PER_TURN - 1) {
        throw new CalibrationError(
          'recording',
          `${label(id)} read ${ticks}, outside 0..4095: the servo is in multi-turn mode (bit 4 of its ` +
            `Phase register, 18) or the reading is corrupt. Set single-turn mode and record again`,
          [id],
        );
      }
      readings.set(id, ticks);
    }
    return readings;
  }
}

function homingOffsetsFor(
  ids: readonly number[],
  offsets: Readonly<Record<number, number>>,
): Record<string, number> {
  const result: Record<string, number> = {};
  const missing = ids.filter((id) => offsets[id] === undefined);
  if (missing.length > 0) {
    throw new CalibrationError(
      'recording',
      `the homing offsets of ${missing.map(label).join(', ')} are missing: read register 31 of every servo`,
      missing,
    );
  }
  for (const id of ids) {
    checkHomingOffset(offsets[id], `${label(id)} homing offset`);
    result[String(id)] = offsets[id];
  }
  return result;
}

// ---- does it fit the bus? -------------------------------------------------------------------------

export interface FoundServo {
  id: number;
  model: number;
  /** What the servo's Homing_Offset register holds now, when it was read. */
  homingOffset?: number;
}

function modelLabel(model: number): string {
  return MODEL_NAMES[model] ? `${model} (${MODEL_NAMES[model]})` : `${model}`;
}

/**
 * Refuses, naming the ids and joints, a calibration that is not for the servos on the bus: ids that
 * did not answer (with what to check), ids that are not in the calibration, servos of another model,
 * and servos whose homing offset differs from the one the calibration was recorded with.
 */
export function checkCalibrationFits(calibration: ArmCalibration, found: ReadonlyArray<FoundServo>): void {
  const expected = {
    ids: calibration.joints.map((j) => j.id),
    joints: calibration.joints.map((j) => j.joint),
  };
  const jointOf = (id: number): string | undefined => expected.joints[expected.ids.indexOf(id)];
  const named = (id: number): string => (jointOf(id) ? `id ${id} (${jointOf(id)})` : `id ${id}`);
  const problems: string[] = [];
  const ids = new Set<number>();

  const missing = calibration.joints.filter((j) => !found.some((s) => s.id === j.id));
  const extra = found.filter((s) => !expected.ids.includes(s.id));
  if (missing.length === expected.ids.length && extra.length > 0) {
    problems.push(
      `none of this calibration's servos answered (${missing.map((j) => named(j.id)).join(', ')}), but ` +
        `${extra.map((s) => `id ${s.id}`).join(', ')} did: this calibration is for another arm, or this arm's ` +
        `servos were given other ids`,
    );
    [...missing.map((j) => j.id), ...extra.map((s) => s.id)].forEach((id) => ids.add(id));
  } else if (missing.length > 0) {
    const hint = hintFor(
      found
        .filter((s) => expected.ids.includes(s.id))
        .map((s) => ({ id: s.id, model: s.model, joint: jointOf(s.id) })),
      missing.map((j) => ({ id: j.id, joint: j.joint })),
      [],
      expected,
    );
    problems.push(
      `${missing.length === 1 ? 'servo' : 'servos'} ${missing.map((j) => named(j.id)).join(', ')} of this ` +
        `calibration did not answer.${hint ? ` ${hint}` : ''}`,
    );
    missing.forEach((j) => ids.add(j.id));
  }
  if (extra.length > 0 && missing.length < expected.ids.length) {
    problems.push(
      `${extra.map((s) => `id ${s.id}`).join(', ')} answered but ${extra.length === 1 ? 'is' : 'are'} not in ` +
        `this calibration (ids ${expected.ids.join(', ')}): another arm on the same bus, or a servo with the wrong id`,
    );
    extra.forEach((s) => ids.add(s.id));
  }
  for (const servo of found) {
    if (!jointOf(servo.id)) continue;
    if (servo.model !== calibration.servoModel) {
      problems.push(
        `${named(servo.id)} is a model ${modelLabel(servo.model)} servo; this calibration is for model ` +
          `${modelLabel(calibration.servoModel)}`,
      );
      ids.add(servo.id);
      continue;
    }
    const recorded = calibration.homingOffsets[String(servo.id)];
    if (servo.homingOffset !== undefined && recorded !== undefined && servo.homingOffset !== recorded) {
      problems.push(
        `${named(servo.id)} holds homing offset ${servo.homingOffset}, but this calibration was recorded with ` +
          `${recorded}: its positions would mean other angles. Write the calibration's offsets to the servos ` +
          `(as LeRobot does when you keep a calibration file) or calibrate again`,
      );
      ids.add(servo.id);
    }
  }
  if (problems.length > 0) {
    throw new CalibrationError(
      'does-not-fit',
      `calibration "${calibration.name}" does not fit the servos on this bus: ${problems.join('; ')}`,
      [...ids].sort((a, b) => a - b),
    );
  }
}

// ---- validation of stored calibrations -------------------------------------------------------------

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A calibration's name is a file name: letters, digits, '.', '_' and '-', no path separators. */
export function validateCalibrationName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name.includes('..')) {
    throw new CalibrationError(
      'invalid',
      `${JSON.stringify(name)} is not a calibration name: use 1 to 64 letters, digits, '.', '_' or '-', ` +
        `starting with a letter or digit (it names a file, so no '/', '\\' or '..')`,
    );
  }
  return name;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? `missing (expected ${what})`
    : `expected ${what}, found ${describeValue(issue.input)}`;

export function integer(what = 'an integer') {
  return z.number({ error: expected(what) }).int({ error: expected(what) });
}

const jointSchema = z.strictObject(
  {
    joint: z.string({ error: expected('a joint name') }),
    id: integer('a servo id (an integer)'),
    direction: z.literal([1, -1], { error: expected('1 or -1') }),
    zeroTicks: z
      .number({ error: expected('a number') })
      .refine(Number.isFinite, { error: expected('a number') }),
    minTicks: integer(),
    maxTicks: integer(),
  },
  { error: expected('an object {joint, id, direction, zeroTicks, minTicks, maxTicks}') },
);

const armSchema = z.strictObject(
  {
    version: z.literal(1, {
      error: (issue) =>
        typeof issue.input === 'number'
          ? `this file is version ${issue.input}; this BLAZER Lab reads version 1 (was it written by a newer one?)`
          : expected('1')(issue),
    }),
    name: z.string({ error: expected('a name') }),
    arm: z.literal('so100', { error: expected('"so100"') }),
    protocol: z.literal('feetech', { error: expected('"feetech"') }),
    servoModel: integer('a servo model number'),
    homingOffsets: z.record(z.string(), integer(), {
      error: expected('an object of homing offsets by servo id'),
    }),
    joints: z.array(jointSchema, { error: expected('a list of joints') }),
    source: z.enum(['recorded', 'lerobot'], { error: expected('"recorded" or "lerobot"') }),
    createdAt: z.string({ error: expected('a date') }),
  },
  { error: expected('a calibration object') },
);

/** `joints[2] (elbow_flex).minTicks` for a path into the data, the joint named when it has one. */
export function formatPath(path: ReadonlyArray<PropertyKey>, data: unknown): string {
  let text = '';
  let node: unknown = data;
  for (const key of path) {
    if (typeof key === 'number') {
      text += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      const joint = (node as { joint?: unknown } | undefined)?.joint;
      if (typeof joint === 'string') text += ` (${joint})`;
    } else {
      text += text ? `.${String(key)}` : String(key);
      node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    }
  }
  return text;
}

/** The first problem zod found, as "field: what is wrong". */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown, root = ''): string {
  const path = formatPath(issue.path, data);
  const where = root && path && !path.startsWith('[') ? `${root}.${path}` : root + path;
  const message =
    issue.code === 'unrecognized_keys'
      ? `unexpected ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : issue.message;
  return where ? `${where}: ${message}` : message;
}

/**
 * Check data that claims to be an ArmCalibration (a file read back, a calibration about to be
 * saved); throws CalibrationError('invalid') naming the field at fault. Joints come back in the
 * SO-100's order.
 */
export function parseArmCalibration(data: unknown): ArmCalibration {
  const parsed = armSchema.safeParse(data);
  if (!parsed.success) {
    throw new CalibrationError('invalid', describeIssue(parsed.error.issues[0], data));
  }
  const calibration = parsed.data as ArmCalibration;
  const fail = (message: string): never => {
    throw new CalibrationError('invalid', message);
  };
  try {
    validateCalibrationName(calibration.name);
  } catch (err) {
    fail(`name: ${(err as Error).message}`);
  }
  if (Number.isNaN(Date.parse(calibration.createdAt))) {
    fail(`createdAt: expected a date, found ${describeValue(calibration.createdAt)}`);
  }
  const seen = new Map<string, number>();
  const ids = new Set<number>();
  calibration.joints.forEach((joint, i) => {
    const where = `joints[${i}] (${joint.joint})`;
    if (!(SO100_JOINTS as readonly string[]).includes(joint.joint)) {
      fail(`joints[${i}].joint: unknown joint "${joint.joint}"; an SO-100 has ${SO100_JOINTS.join(', ')}`);
    }
    if (seen.has(joint.joint))
      fail(`${where}: ${joint.joint} appears twice (also joints[${seen.get(joint.joint)}])`);
    seen.set(joint.joint, i);
    if (joint.id < 1 || joint.id > 252) fail(`${where}.id: ${joint.id} is not a servo id (1..252)`);
    if (ids.has(joint.id)) fail(`${where}.id: servo id ${joint.id} is used by two joints`);
    ids.add(joint.id);
    for (const field of ['minTicks', 'maxTicks'] as const) {
      if (joint[field] < 0 || joint[field] > TICKS_PER_TURN - 1) {
        fail(`${where}.${field}: ${joint[field]} is outside the servo's positions 0..4095`);
      }
    }
    if (joint.minTicks >= joint.maxTicks) {
      fail(`${where}.maxTicks: ${joint.maxTicks} is not above minTicks ${joint.minTicks}`);
    }
  });
  const missing = SO100_JOINTS.filter((j) => !seen.has(j));
  if (missing.length > 0)
    fail(`joints: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
  const offsetKeys = Object.keys(calibration.homingOffsets);
  for (const key of offsetKeys) {
    if (!ids.has(Number(key)) || String(Number(key)) !== key) {
      fail(`homingOffsets.${key}: no joint has servo id ${key} (ids ${[...ids].join(', ')})`);
    }
    const offset = calibration.homingOffsets[key];
    if (Math.abs(offset) > HOMING_OFFSET_LIMIT) {
      fail(`homingOffsets.${key}: ${offset} does not fit the servo's Homing_Offset register (-2047..2047)`);
    }
  }
  const withoutOffset = [...ids].filter((id) => !offsetKeys.includes(String(id)));
  if (withoutOffset.length > 0)
    fail(`homingOffsets: servo ids ${withoutOffset.join(', ')} have no homing offset`);
  const order = (name: string) => (SO100_JOINTS as readonly string[]).indexOf(name);
  return { ...calibration, joints: [...calibration.joints].sort((a, b) => order(a.joint) - order(b.joint)) };
}
