// Import of a LeRobot calibration file for an SO-100 / SO-101, so an arm already calibrated with
// LeRobot works here without calibrating again.
//
// LeRobot (huggingface/lerobot, src/lerobot/robots/robot.py, utils/constants.py) keeps one JSON file
// per arm at $HF_LEROBOT_CALIBRATION, by default ~/.cache/huggingface/lerobot/calibration/, then
//   robots/so100_follower/<id>.json, robots/so101_follower/<id>.json            (v0.3 to v0.4.2)
//   teleoperators/so100_leader/<id>.json, teleoperators/so101_leader/<id>.json (v0.3 to v0.4.2)
//   robots/so_follower/<id>.json, teleoperators/so_leader/<id>.json            (v0.4.3 on)
// holding, per motor name, {"id", "drive_mode", "homing_offset", "range_min", "range_max"}
// (MotorCalibration in motors/motors_bus.py). The motors are shoulder_pan, shoulder_lift,
// elbow_flex, wrist_flex, wrist_roll and gripper, ids 1..6, all STS3215 (robots/so_follower/
// so_follower.py, teleoperators/so_leader/so_leader.py). LeRobot writes homing_offset into each
// servo's Homing_Offset register before use, so the file's offsets are what the registers hold.
//
// The mapping reproduces LeRobot's DEGREES normalization, which is the so101_new_calib.urdf joint
// angle: degrees = (ticks - mid) * 360 / 4095 with mid = (range_min + range_max) / 2. Our angle is
// REFERENCE_POSE + direction * that angle (see calibration.ts), so zeroTicks sits at mid, shifted by
// the reference-pose angle. The gripper (LeRobot's RANGE_0_100: 0 at range_min, closed) maps to our
// jaw with 0 rad at range_min. drive_mode 1 (never written by LeRobot for Feetech arms; a hand edit)
// turns the joint the other way, as LeRobot's range modes do (its DEGREES mode ignores drive_mode).
// A leader arm's file imports the same way; its "gripper" is the trigger.
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  CalibrationError,
  DEFAULT_DIRECTIONS,
  describeIssue,
  describeValue,
  HOMING_OFFSET_LIMIT,
  integer,
  STS3215_MODEL,
  TICKS_PER_TURN,
  validateCalibrationName,
  zeroTicksFromReference,
  type ArmCalibration,
  type JointCalibration,
  type JointName,
} from './calibration.ts';

/** LeRobot's motor names for an SO-100/SO-101, with their ids and our joint names. */
export const LEROBOT_SO_MOTORS: ReadonlyArray<{ motor: string; id: number; joint: JointName }> = [
  { motor: 'shoulder_pan', id: 1, joint: 'shoulder_pan' },
  { motor: 'shoulder_lift', id: 2, joint: 'shoulder_lift' },
  { motor: 'elbow_flex', id: 3, joint: 'elbow_flex' },
  { motor: 'wrist_flex', id: 4, joint: 'wrist_flex' },
  { motor: 'wrist_roll', id: 5, joint: 'wrist_roll' },
  { motor: 'gripper', id: 6, joint: 'jaw' },
];

export type LeRobotSoDevice = 'so100_follower' | 'so101_follower' | 'so100_leader' | 'so101_leader';

/** Where LeRobot keeps the calibration of device `id` (`version` 'v0.4.3+' for the shared folders). */
export function leRobotCalibrationPath(
  device: LeRobotSoDevice,
  id: string,
  options: { version?: 'v0.3' | 'v0.4.3+'; env?: NodeJS.ProcessEnv; home?: string } = {},
): string {
  const env = options.env ?? process.env;
  const hfHome =
    env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(options.home ?? homedir(), '.cache'), 'huggingface');
  const root =
    env.HF_LEROBOT_CALIBRATION ?? join(env.HF_LEROBOT_HOME ?? join(hfHome, 'lerobot'), 'calibration');
  const leader = device.endsWith('_leader');
  const folder = options.version === 'v0.4.3+' ? (leader ? 'so_leader' : 'so_follower') : (device as string);
  return join(root, leader ? 'teleoperators' : 'robots', folder, `${id}.json`);
}

/** The SO-100/SO-101 calibration files LeRobot left on this machine, and the folder it keeps them in. */
export function findLeRobotFiles(options: { env?: NodeJS.ProcessEnv; home?: string } = {}): {
  files: string[];
  folder: string;
} {
  const folders = new Set<string>();
  for (const device of ['so100_follower', 'so101_follower', 'so100_leader', 'so101_leader'] as const) {
    folders.add(dirname(leRobotCalibrationPath(device, 'x', options)));
    folders.add(dirname(leRobotCalibrationPath(device, 'x', { ...options, version: 'v0.4.3+' })));
  }
  const files = [...folders].flatMap((folder) => {
    try {
      return readdirSync(folder)
        .filter((name) => name.endsWith('.json'))
        .map((name) => join(folder, name));
    } catch {
      return []; // LeRobot never wrote this one
    }
  });
  return {
    files: files.sort(),
    folder: dirname(dirname(dirname(leRobotCalibrationPath('so101_follower', 'x', options)))),
  };
}

const motorSchema = z.object(
  {
    id: integer('a servo id (an integer)'),
    drive_mode: z.literal([0, 1], {
      error: (issue) =>
        issue.input === undefined
          ? 'missing (expected 0 or 1)'
          : `expected 0 or 1, found ${describeValue(issue.input)}`,
    }),
    homing_offset: integer(),
    range_min: integer(),
    range_max: integer(),
  },
  {
    error: (issue) =>
      `expected an object {id, drive_mode, homing_offset, range_min, range_max}, found ${describeValue(issue.input)}`,
  },
);

const MULTI_TURN =
  'STS3215 servos left in multi-turn mode report positions beyond 0..4095 (lerobot #1296, #3373). ' +
  'Unplug the arm’s power and USB, plug them back in, and calibrate again (LeRobot 0.6 and later set ' +
  'single-turn mode first), or calibrate here';

function refuse(message: string, ids: number[] = []): never {
  throw new CalibrationError('lerobot-file', message, ids);
}

/**
 * A LeRobot SO-100/SO-101 (follower or leader) calibration, already parsed from JSON, as our
 * calibration named `name`. Refuses, naming the field, anything LeRobot would not have written for
 * this arm.
 */
export function importLeRobotCalibration(json: unknown, name: string, now = new Date()): ArmCalibration {
  validateCalibrationName(name);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    refuse(
      `a LeRobot calibration is an object of motors ({"shoulder_pan": {...}, ...}), found ${json === null ? 'null' : Array.isArray(json) ? 'a list' : typeof json}`,
    );
  }
  const file = json as Record<string, unknown>;
  if ('motor_names' in file || 'calib_mode' in file || 'start_pos' in file) {
    refuse(
      'this is a calibration in the format LeRobot used before its June 2025 hardware API redesign ' +
        '(lerobot #777: lists of homing_offset, drive_mode, start_pos, end_pos, calib_mode and motor_names); ' +
        'its numbers mean something else. ' +
        'Calibrate the arm again, with a current LeRobot or here',
    );
  }
  const known = LEROBOT_SO_MOTORS.map((m) => m.motor);
  const unknown = Object.keys(file).filter((key) => !known.includes(key));
  const missing = known.filter((motor) => !(motor in file));
  if (unknown.length > 0 || missing.length > 0) {
    const parts = [
      unknown.length > 0 ? `unknown ${unknown.length === 1 ? 'motor' : 'motors'} ${unknown.join(', ')}` : '',
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    ].filter(Boolean);
    refuse(
      `not an SO-100/SO-101 calibration: ${parts.join('; ')} (an SO-100/SO-101 file has exactly ${known.join(', ')})`,
    );
  }

  const joints: JointCalibration[] = [];
  const homingOffsets: Record<string, number> = {};
  for (const { motor, id, joint } of LEROBOT_SO_MOTORS) {
    const parsed = motorSchema.safeParse(file[motor]);
    if (!parsed.success) refuse(describeIssue(parsed.error.issues[0], file[motor], motor), [id]);
    const entry = parsed.data;
    if (entry.id !== id) {
      refuse(
        `${motor}.id: expected ${id} (LeRobot's SO-100/SO-101 has ids 1..6, base to gripper), found ${entry.id}`,
        [entry.id],
      );
    }
    if (Math.abs(entry.homing_offset) > HOMING_OFFSET_LIMIT) {
      refuse(
        `${motor}.homing_offset: ${entry.homing_offset} cannot be written to the servo's Homing_Offset register ` +
          `(a sign and 11 bits: -2047..2047). LeRobot stops on the same value with "Magnitude ` +
          `${Math.abs(entry.homing_offset)} exceeds 2047 (max for sign_bit_index=11)". ${MULTI_TURN}`,
        [id],
      );
    }
    for (const field of ['range_min', 'range_max'] as const) {
      if (entry[field] < 0 || entry[field] > TICKS_PER_TURN - 1) {
        refuse(`${motor}.${field}: ${entry[field]} is outside the servo's positions 0..4095. ${MULTI_TURN}`, [
          id,
        ]);
      }
    }
    if (entry.range_min >= entry.range_max) {
      refuse(
        `${motor}.range_max: ${entry.range_max} is not above range_min ${entry.range_min}` +
          (entry.range_min === entry.range_max ? ': the joint was not moved while LeRobot recorded' : ''),
        [id],
      );
    }
    if (motor === 'shoulder_pan' && entry.range_min === 0 && entry.range_max === TICKS_PER_TURN - 1) {
      refuse(
        'shoulder_pan.range_min/range_max: 0..4095 is the full turn LeRobot gives a Koch arm’s shoulder_pan; ' +
          'an SO-100/SO-101 records it. Is this a Koch calibration (same motor names)?',
        [id],
      );
    }
    const direction = (entry.drive_mode === 1 ? -DEFAULT_DIRECTIONS[joint] : DEFAULT_DIRECTIONS[joint]) as
      1 | -1;
    let zeroTicks: number;
    if (joint === 'jaw') {
      // RANGE_0_100: 0 (closed) at range_min, or at range_max when drive_mode inverts it.
      zeroTicks = direction === 1 ? entry.range_min : entry.range_max;
    } else {
      zeroTicks = zeroTicksFromReference(joint, (entry.range_min + entry.range_max) / 2, direction);
    }
    joints.push({ joint, id, direction, zeroTicks, minTicks: entry.range_min, maxTicks: entry.range_max });
    homingOffsets[String(id)] = entry.homing_offset;
  }
  return {
    version: 1,
    name,
    arm: 'so100',
    protocol: 'feetech',
    servoModel: STS3215_MODEL,
    homingOffsets,
    joints,
    source: 'lerobot',
    createdAt: now.toISOString(),
  };
}
