// core/robot/lerobot-calibration.ts: an SO-100/SO-101 calibrated with LeRobot works here with the
// angles LeRobot would read, and files LeRobot would not have written for this arm are refused
// naming the field.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CalibrationError,
  jointLimits,
  parseArmCalibration,
  radiansToTicks,
  REFERENCE_POSE,
  ticksToRadians,
  type ArmCalibration,
} from '../../../core/robot/calibration.ts';
import { importLeRobotCalibration, leRobotCalibrationPath } from '../../../core/robot/lerobot-calibration.ts';
import { projectRoot } from '../../../core/paths.ts';

const FIXTURES = join(projectRoot, 'test', 'fixtures', 'robot');
const fixture = (file: string): Record<string, Record<string, number>> =>
  JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));

const BODY = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll'] as const;
/**
 * Written out here, not taken from the code: so101_new_calib.urdf's angle (= LeRobot DEGREES) against
 * ours. Its shoulder_pan axis points down, ours up; its wrist_roll axis points back along the gripper,
 * ours forward; the three pitch axes agree.
 */
const SIGN = { shoulder_pan: -1, shoulder_lift: 1, elbow_flex: 1, wrist_flex: 1, wrist_roll: -1 };
const MIDDLE_POSE = {
  shoulder_pan: 0,
  shoulder_lift: 0,
  elbow_flex: Math.PI / 2,
  wrist_flex: 0,
  wrist_roll: -Math.PI / 2,
};

/** LeRobot's MotorNormMode.DEGREES (motors_bus.py _normalize), for a motor of an STS3215 arm. */
function lerobotDegrees(entry: Record<string, number>, ticks: number): number {
  const mid = (entry.range_min + entry.range_max) / 2;
  return ((ticks - mid) * 360) / 4095;
}

/** LeRobot's MotorNormMode.RANGE_0_100 (the gripper), drive_mode 0. */
function lerobotPercent(entry: Record<string, number>, ticks: number): number {
  const bounded = Math.min(entry.range_max, Math.max(entry.range_min, ticks));
  return ((bounded - entry.range_min) / (entry.range_max - entry.range_min)) * 100;
}

function refusal(json: unknown): CalibrationError {
  try {
    importLeRobotCalibration(json, 'imported');
  } catch (err) {
    if (err instanceof CalibrationError) return err;
    throw err;
  }
  throw new Error('the file was imported');
}

function joint(calibration: ArmCalibration, name: string) {
  const found = calibration.joints.find((j) => j.joint === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe('importing a LeRobot SO-101 follower calibration', () => {
  const file = fixture('so101_follower.json');
  const calibration = importLeRobotCalibration(file, 'so101-follower', new Date('2026-05-04T10:00:00Z'));

  it('keeps the ids, the ranges and the homing offsets, and calls the gripper jaw', () => {
    expect(calibration).toMatchObject({
      version: 1,
      name: 'so101-follower',
      arm: 'so100',
      protocol: 'feetech',
      servoModel: 777,
      source: 'lerobot',
      createdAt: '2026-05-04T10:00:00.000Z',
      homingOffsets: { '1': -1287, '2': 1503, '3': -1102, '4': 1176, '5': -372, '6': 1418 },
    });
    expect(calibration.joints.map((j) => [j.joint, j.id, j.minTicks, j.maxTicks])).toEqual([
      ['shoulder_pan', 1, 941, 3312],
      ['shoulder_lift', 2, 857, 3224],
      ['elbow_flex', 3, 883, 3095],
      ['wrist_flex', 4, 912, 3251],
      ['wrist_roll', 5, 0, 4095],
      ['jaw', 6, 2029, 3461],
    ]);
    // and it is a valid calibration for the store
    expect(parseArmCalibration(JSON.parse(JSON.stringify(calibration)))).toEqual(calibration);
  });

  it('maps the middle pose (LeRobot 0°, the middle of each range) to our middle-pose angles, the gripper closed to jaw 0', () => {
    for (const name of BODY) {
      expect(MIDDLE_POSE[name]).toBe(REFERENCE_POSE[name]); // the pose the wizard asks for, too
      const entry = file[name];
      const mid = (entry.range_min + entry.range_max) / 2;
      expect(lerobotDegrees(entry, mid)).toBe(0);
      expect(ticksToRadians(joint(calibration, name), mid)).toBeCloseTo(MIDDLE_POSE[name], 9);
    }
    expect(ticksToRadians(joint(calibration, 'jaw'), file.gripper.range_min)).toBe(0);
    expect(lerobotPercent(file.gripper, file.gripper.range_min)).toBe(0);
  });

  it("gives LeRobot's DEGREES angles everywhere, shifted by the middle pose", () => {
    let compared = 0;
    for (const name of BODY) {
      const entry = file[name];
      for (let ticks = entry.range_min; ticks <= entry.range_max; ticks += 37) {
        const lerobot = (lerobotDegrees(entry, ticks) * Math.PI) / 180;
        const ours = ticksToRadians(joint(calibration, name), ticks);
        // 360/4095 against 360/4096 per tick: at most 0.05° apart at half a turn
        expect(Math.abs(ours - (MIDDLE_POSE[name] + SIGN[name] * lerobot))).toBeLessThan(0.001);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it("opens the jaw as LeRobot's gripper percentage rises, one servo degree per jaw degree", () => {
    const jaw = joint(calibration, 'jaw');
    const gripper = file.gripper;
    for (const percent of [0, 25, 50, 100]) {
      const ticks = gripper.range_min + (percent / 100) * (gripper.range_max - gripper.range_min);
      expect(lerobotPercent(gripper, ticks)).toBeCloseTo(percent, 9);
      expect(ticksToRadians(jaw, ticks)).toBeCloseTo(((ticks - gripper.range_min) * 2 * Math.PI) / 4096, 9);
    }
    expect(radiansToTicks(jaw, 1.0)).toBe(2029 + 652); // 1 rad (our "open") is 652 ticks past closed
  });

  it('limits each joint to what LeRobot recorded and the model allows', () => {
    const limits = Object.fromEntries(
      jointLimits(calibration, {
        shoulder_pan: [-1.92, 1.92],
        shoulder_lift: [-1.8, 1.8],
        elbow_flex: [-0.3, 2.9],
        wrist_flex: [-1.8, 2.7],
        wrist_roll: [-2.74, 2.74],
        jaw: [0, 1.6],
      }).map((l) => [l.joint, [l.min, l.max]]),
    );
    const tick = (2 * Math.PI) / 4096;
    expect(limits.shoulder_pan[0]).toBeCloseTo(-((3312 - 941) / 2) * tick, 9);
    expect(limits.shoulder_pan[1]).toBeCloseTo(((3312 - 941) / 2) * tick, 9);
    expect(limits.elbow_flex[0]).toBeCloseTo(Math.PI / 2 - ((3095 - 883) / 2) * tick, 9); // -0.13
    expect(limits.elbow_flex[1]).toBe(2.9);
    // wrist_roll's full turn is -π..π around the middle pose's -π/2
    expect(limits.wrist_roll[0]).toBe(-2.74);
    expect(limits.wrist_roll[1]).toBeCloseTo(-Math.PI / 2 + 2047.5 * tick, 9);
    expect(limits.jaw).toEqual([0, 1.6]);
  });
});

describe('other LeRobot SO files', () => {
  it('a leader arm imports the same way (its gripper is the trigger)', () => {
    const file = fixture('so101_leader.json');
    const leader = importLeRobotCalibration(file, 'so101-leader');
    const mid = (file.elbow_flex.range_min + file.elbow_flex.range_max) / 2;
    expect(ticksToRadians(joint(leader, 'elbow_flex'), mid)).toBeCloseTo(Math.PI / 2, 9);
    expect(joint(leader, 'jaw').zeroTicks).toBe(file.gripper.range_min);
  });

  it('drive_mode 1 (a hand edit: LeRobot writes 0 on Feetech arms) turns the joint the other way', () => {
    const file = fixture('so101_follower.json');
    file.wrist_flex.drive_mode = 1;
    file.gripper.drive_mode = 1;
    const calibration = importLeRobotCalibration(file, 'flipped');
    const wrist = joint(calibration, 'wrist_flex');
    expect(wrist.direction).toBe(-1);
    const mid = (912 + 3251) / 2;
    expect(ticksToRadians(wrist, mid)).toBeCloseTo(0, 9);
    expect(ticksToRadians(wrist, mid + 100)).toBeLessThan(0);
    // RANGE_0_100 inverted: 0 (closed) at range_max
    expect(ticksToRadians(joint(calibration, 'jaw'), 3461)).toBe(0);
    expect(ticksToRadians(joint(calibration, 'jaw'), 3000)).toBeGreaterThan(0);
  });

  it('lives where LeRobot keeps it', () => {
    const home = '/home/ada';
    expect(leRobotCalibrationPath('so101_follower', 'lab_arm', { env: {}, home })).toBe(
      '/home/ada/.cache/huggingface/lerobot/calibration/robots/so101_follower/lab_arm.json',
    );
    expect(leRobotCalibrationPath('so100_leader', 'lab_leader', { env: {}, home })).toBe(
      '/home/ada/.cache/huggingface/lerobot/calibration/teleoperators/so100_leader/lab_leader.json',
    );
    expect(leRobotCalibrationPath('so101_follower', 'x', { env: {}, home, version: 'v0.4.3+' })).toBe(
      '/home/ada/.cache/huggingface/lerobot/calibration/robots/so_follower/x.json',
    );
    expect(
      leRobotCalibrationPath('so101_follower', 'x', { env: { HF_LEROBOT_CALIBRATION: '/data/cal' }, home }),
    ).toBe('/data/cal/robots/so101_follower/x.json');
    expect(leRobotCalibrationPath('so101_follower', 'x', { env: { HF_HOME: '/data/hf' }, home })).toBe(
      '/data/hf/lerobot/calibration/robots/so101_follower/x.json',
    );
  });
});

describe('files that are refused', () => {
  it('a homing offset beyond ±2047 is refused with the message LeRobot users know, and what to do', () => {
    const error = refusal(fixture('so101_follower-homing-offset-2114.json'));
    expect(error.kind).toBe('lerobot-file');
    expect(error.message).toMatch(
      /^shoulder_lift\.homing_offset: 2114 cannot be written to the servo's Homing_Offset register/,
    );
    expect(error.message).toContain('"Magnitude 2114 exceeds 2047 (max for sign_bit_index=11)"');
    expect(error.message).toContain('multi-turn mode');
    expect(error.message).toContain('Unplug the arm’s power and USB');
    expect(error.ids).toEqual([2]);
  });

  it('a range recorded beyond 0..4095 (a multi-turn reading) is refused naming the field', () => {
    expect(refusal(fixture('so101_follower-multi-turn-range.json')).message).toMatch(
      /^wrist_flex\.range_max: 4368 is outside the servo's positions 0\.\.4095/,
    );
  });

  it('a field of the wrong type is named', () => {
    const file = fixture('so101_follower.json');
    file.shoulder_lift.homing_offset = 12.5;
    expect(refusal(file).message).toBe('shoulder_lift.homing_offset: expected an integer, found 12.5');
    const text = fixture('so101_follower.json') as Record<string, unknown>;
    (text.elbow_flex as Record<string, unknown>).range_min = '883';
    expect(refusal(text).message).toBe('elbow_flex.range_min: expected an integer, found the text "883"');
    const missing = fixture('so101_follower.json');
    delete (missing.wrist_roll as Partial<Record<string, number>>).range_max;
    expect(refusal(missing).message).toBe('wrist_roll.range_max: missing (expected an integer)');
    const drive = fixture('so101_follower.json');
    drive.gripper.drive_mode = 2;
    expect(refusal(drive).message).toBe('gripper.drive_mode: expected 0 or 1, found 2');
    const notObject = fixture('so101_follower.json') as Record<string, unknown>;
    notObject.wrist_flex = 2047;
    expect(refusal(notObject).message).toBe(
      'wrist_flex: expected an object {id, drive_mode, homing_offset, range_min, range_max}, found 2047',
    );
  });

  it('unknown and missing motors are named', () => {
    const file = fixture('so101_follower.json') as Record<string, unknown>;
    file.wrist_pitch = file.wrist_flex;
    delete file.wrist_flex;
    delete file.gripper;
    expect(refusal(file).message).toBe(
      'not an SO-100/SO-101 calibration: unknown motor wrist_pitch; missing wrist_flex, gripper ' +
        '(an SO-100/SO-101 file has exactly shoulder_pan, shoulder_lift, elbow_flex, wrist_flex, wrist_roll, gripper)',
    );
  });

  it("a Koch arm's file (same motor names, shoulder_pan given a full turn) is refused", () => {
    expect(refusal(fixture('koch_follower.json')).message).toMatch(
      /full turn LeRobot gives a Koch arm’s shoulder_pan/,
    );
  });

  it('a file from LeRobot before its 2025 redesign is refused', () => {
    expect(refusal(fixture('so100_follower-old-format.json')).message).toMatch(
      /format LeRobot used before its June 2025 hardware API redesign/,
    );
  });

  it('ids other than 1..6 in order, equal ends of a range, and non-objects are refused', () => {
    const ids = fixture('so101_follower.json');
    ids.elbow_flex.id = 9;
    expect(refusal(ids).message).toMatch(/^elbow_flex\.id: expected 3 .*found 9$/);
    const flat = fixture('so101_follower.json');
    flat.wrist_flex.range_max = flat.wrist_flex.range_min;
    expect(refusal(flat).message).toBe(
      'wrist_flex.range_max: 912 is not above range_min 912: the joint was not moved while LeRobot recorded',
    );
    expect(refusal([1, 2]).message).toMatch(/found a list/);
    expect(refusal(null).message).toMatch(/found null/);
  });

  it('the name is checked like any calibration name', () => {
    expect(() => importLeRobotCalibration(fixture('so101_follower.json'), '../x')).toThrow(
      /not a calibration name/,
    );
  });
});
