// core/robot/calibration.ts and calibration-store.ts: servo ticks as the simulated arm's joint
// angles, the limits that follow, the recording wizard's bookkeeping, the check that a calibration
// belongs to the servos on the bus, and the saved files.
import { beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CalibrationError,
  CalibrationRecorder,
  checkCalibrationFits,
  decodeHomingOffset,
  encodeHomingOffset,
  halfTurnHomingOffset,
  jointLimits,
  jointMapping,
  parseArmCalibration,
  radiansToTicks,
  REFERENCE_POSE,
  ticksToRadians,
  type ArmCalibration,
  type JointCalibration,
} from '../../../core/robot/calibration.ts';
import {
  calibrationPath,
  listCalibrationFiles,
  listCalibrations,
  loadCalibration,
  saveCalibration,
} from '../../../core/robot/calibration-store.ts';
import { so100GripperPosition } from '../../../core/robot/so100-kinematics.ts';
import { projectRoot } from '../../../core/paths.ts';
import { tempDir } from '../../helpers.ts';

const JOINTS = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'jaw'] as const;

/** The joint ranges of assets/arms/so100.xml, read from the file itself. */
function modelRanges(): Record<string, [number, number]> {
  const xml = readFileSync(join(projectRoot, 'assets', 'arms', 'so100.xml'), 'utf8');
  const ranges: Record<string, [number, number]> = {};
  for (const m of xml.matchAll(/<joint name="(\w+)"[^>]*range="([-\d.]+) ([-\d.]+)"/g)) {
    ranges[m[1]] = [Number(m[2]), Number(m[3])];
  }
  return ranges;
}

function caught(action: () => unknown): CalibrationError {
  try {
    action();
  } catch (err) {
    if (err instanceof CalibrationError) return err;
    throw err;
  }
  throw new Error('nothing was refused');
}

async function caughtAsync(action: () => Promise<unknown>): Promise<CalibrationError> {
  try {
    await action();
  } catch (err) {
    if (err instanceof CalibrationError) return err;
    throw err;
  }
  throw new Error('nothing was refused');
}

const TICK = (2 * Math.PI) / 4096;

/** A calibration as the recorder would make it, for tests that need one. */
function sampleCalibration(name = 'bench-arm'): ArmCalibration {
  const joints: JointCalibration[] = [
    { joint: 'shoulder_pan', id: 1, direction: -1, zeroTicks: 2047, minTicks: 900, maxTicks: 3200 },
    { joint: 'shoulder_lift', id: 2, direction: 1, zeroTicks: 2047, minTicks: 850, maxTicks: 3250 },
    { joint: 'elbow_flex', id: 3, direction: 1, zeroTicks: 1023, minTicks: 900, maxTicks: 3100 },
    { joint: 'wrist_flex', id: 4, direction: 1, zeroTicks: 2047, minTicks: 950, maxTicks: 3150 },
    { joint: 'wrist_roll', id: 5, direction: -1, zeroTicks: 1023, minTicks: 200, maxTicks: 3900 },
    { joint: 'jaw', id: 6, direction: 1, zeroTicks: 2040, minTicks: 2020, maxTicks: 3400 },
  ];
  return {
    version: 1,
    name,
    arm: 'so100',
    protocol: 'feetech',
    servoModel: 777,
    homingOffsets: { '1': -1200, '2': 1500, '3': -1100, '4': 1170, '5': -370, '6': 1410 },
    joints,
    source: 'recorded',
    createdAt: '2026-05-04T10:00:00.000Z',
  };
}

describe('ticks as joint angles', () => {
  const elbow: JointCalibration = {
    joint: 'elbow_flex',
    id: 3,
    direction: 1,
    zeroTicks: 1023,
    minTicks: 900,
    maxTicks: 3100,
  };
  const pan: JointCalibration = { ...elbow, joint: 'shoulder_pan', id: 1, direction: -1, zeroTicks: 2047 };

  it('a quarter turn of the servo (1024 ticks) is π/2, signed by the direction', () => {
    expect(ticksToRadians(elbow, 1023)).toBe(0);
    expect(ticksToRadians(elbow, 2047)).toBeCloseTo(Math.PI / 2, 12);
    expect(ticksToRadians(pan, 2047 + 1024)).toBeCloseTo(-Math.PI / 2, 12);
    expect(ticksToRadians(pan, 2047 - 512)).toBeCloseTo(Math.PI / 4, 12);
  });

  it('angles go back to whole ticks, and every tick survives the round trip', () => {
    expect(radiansToTicks(elbow, Math.PI / 2)).toBe(2047);
    expect(radiansToTicks(pan, Math.PI / 4)).toBe(2047 - 512);
    expect(radiansToTicks(elbow, 0.0007)).toBe(1023); // less than half a tick
    expect(radiansToTicks(elbow, 0.001)).toBe(1024);
    for (let ticks = 0; ticks < 4096; ticks += 7) {
      expect(radiansToTicks(pan, ticksToRadians(pan, ticks))).toBe(ticks);
    }
  });

  it('an angle the servo cannot reach (beyond 0..4095) is refused naming the joint', () => {
    const error = caught(() => radiansToTicks(elbow, 5));
    expect(error.kind).toBe('out-of-range');
    expect(error.message).toMatch(
      /^elbow_flex: 5\.000 rad is servo position 4282, outside the servo's 0\.\.4095/,
    );
    expect(caught(() => radiansToTicks(elbow, NaN)).message).toContain('elbow_flex');
    expect(caught(() => ticksToRadians(elbow, Infinity)).message).toContain('elbow_flex');
  });

  it('the controller mapping works by joint index in the SO-100 order', () => {
    const mapping = jointMapping(sampleCalibration());
    expect(mapping.joints).toEqual([...JOINTS]);
    expect(mapping.toRadians(2, 2047)).toBeCloseTo(Math.PI / 2, 12);
    expect(mapping.toTicks(4, -Math.PI / 2)).toBe(2047);
  });
});

describe('the reference pose', () => {
  it("is LeRobot's middle pose: upper arm straight up, forearm and gripper level, pointing forward", () => {
    const q = JOINTS.slice(0, 5).map((j) => REFERENCE_POSE[j]);
    const [x, y, z] = so100GripperPosition(q);
    // base 0.05 + shoulder 0.054 + upper arm 0.1126 high; 0.028 + forearm 0.1349 + wrist 0.061 + site 0.074 ahead
    expect(x).toBeCloseTo(0.028 + 0.1349 + 0.061 + 0.074, 6);
    expect(y).toBeCloseTo(0, 9);
    expect(z).toBeCloseTo(0.05 + 0.054 + 0.1126, 6);
  });

  it('has the moving jaw on top: the fixed jaw (gripper +y) points down, as in so101_new_calib.urdf', () => {
    // gripper body orientation = Ry(shoulder_lift + elbow_flex + wrist_flex) · Rz(wrist_roll)
    const pitch = REFERENCE_POSE.shoulder_lift + REFERENCE_POSE.elbow_flex + REFERENCE_POSE.wrist_flex;
    const roll = REFERENCE_POSE.wrist_roll;
    const yLocal = [-Math.sin(roll), Math.cos(roll), 0];
    const yWorld = [
      Math.cos(pitch) * yLocal[0] + Math.sin(pitch) * yLocal[2],
      yLocal[1],
      -Math.sin(pitch) * yLocal[0] + Math.cos(pitch) * yLocal[2],
    ];
    expect(yWorld[0]).toBeCloseTo(0, 9);
    expect(yWorld[1]).toBeCloseTo(0, 9);
    expect(yWorld[2]).toBeCloseTo(-1, 9);
    expect(REFERENCE_POSE.jaw).toBe(0); // closed
  });

  it('lies inside every joint range of the model', () => {
    const ranges = modelRanges();
    for (const joint of JOINTS) {
      expect(REFERENCE_POSE[joint]).toBeGreaterThanOrEqual(ranges[joint][0]);
      expect(REFERENCE_POSE[joint]).toBeLessThanOrEqual(ranges[joint][1]);
    }
  });
});

describe('joint limits', () => {
  it('are the calibrated range intersected with the model range, per joint', () => {
    const limits = jointLimits(sampleCalibration(), modelRanges());
    expect(limits.map((l) => l.joint)).toEqual([...JOINTS]);
    const byJoint = Object.fromEntries(limits.map((l) => [l.joint, l]));
    // shoulder_pan: ticks 900..3200 around 2047, reversed: -(3200-2047)..(2047-900) ticks, inside ±1.92
    expect(byJoint.shoulder_pan.min).toBeCloseTo(-(3200 - 2047) * TICK, 9);
    expect(byJoint.shoulder_pan.max).toBeCloseTo((2047 - 900) * TICK, 9);
    // shoulder_lift: (850-2047)·tick = -1.836 and (3250-2047)·tick = 1.845 are cut to the model's ±1.8
    expect(byJoint.shoulder_lift.min).toBe(-1.8);
    expect(byJoint.shoulder_lift.max).toBe(1.8);
    // elbow_flex: calibrated (900-1023)·tick = -0.19 .. 3.19; the model stops at 2.9
    expect(byJoint.elbow_flex.min).toBeCloseTo((900 - 1023) * TICK, 9);
    expect(byJoint.elbow_flex.max).toBe(2.9);
    // jaw: 0 is closed; the servo went 20 ticks past closed, the model stops at 0
    expect(byJoint.jaw.min).toBe(0);
    expect(byJoint.jaw.max).toBe(1.6);
  });

  it('a calibration whose range does not overlap the model is refused naming the joint', () => {
    const calibration = sampleCalibration();
    // elbow recorded with the arm reversed: its whole range lies below -0.3 rad
    calibration.joints[2] = { ...calibration.joints[2], direction: -1, zeroTicks: 300 };
    const error = caught(() => jointLimits(calibration, modelRanges()));
    expect(error.kind).toBe('out-of-range');
    expect(error.message).toMatch(
      /^elbow_flex: the calibrated range -4\.30\.\.-0\.92 rad does not overlap the model's -0\.3\.\.2\.9 rad/,
    );
    expect(error.ids).toEqual([3]);
  });

  it('a model without one of the joints is refused naming it', () => {
    const ranges = modelRanges();
    delete ranges.jaw;
    expect(caught(() => jointLimits(sampleCalibration(), ranges)).message).toMatch(/no range for joint jaw/);
  });
});

describe('the homing offset register', () => {
  it('is sign-magnitude with the sign in bit 11', () => {
    expect(encodeHomingOffset(5)).toBe(5);
    expect(encodeHomingOffset(-5)).toBe(0x805);
    expect(encodeHomingOffset(-2047)).toBe(0xfff);
    expect(decodeHomingOffset(0x805)).toBe(-5);
    expect(decodeHomingOffset(0x7ff)).toBe(2047);
    expect(caught(() => encodeHomingOffset(2114)).message).toMatch(/2114 does not fit .* -2047\.\.2047/);
  });

  it('half-turn homing makes the present pose read 2047, as LeRobot does', () => {
    // present = raw - offset; raw = present + current offset
    const offset = halfTurnHomingOffset(3000, 0);
    expect(offset).toBe(953);
    expect(3000 - offset).toBe(2047);
    const again = halfTurnHomingOffset(100, 2000); // raw 2100
    expect(2100 - again).toBe(2047);
    expect(halfTurnHomingOffset(4000, 500)).toBe(404 - 2047); // raw wraps to 404
    expect(halfTurnHomingOffset(4095, 0)).toBe(2047); // raw 4095 would need 2048: the register stops at 2047
  });
});

/** A simulated SO-100 with its servos' ticks for the sim angles, the way the real one is built. */
const TRUE_ARM = {
  zero: { 1: 2047, 2: 2047, 3: 1023, 4: 2047, 5: 1023, 6: 2040 } as Record<number, number>,
  direction: { 1: -1, 2: 1, 3: 1, 4: 1, 5: -1, 6: 1 } as Record<number, number>,
};
const anglesToTicks = (q: readonly number[]): Record<number, number> =>
  Object.fromEntries(
    q.map((angle, i) => [
      i + 1,
      Math.round(TRUE_ARM.zero[i + 1] + (TRUE_ARM.direction[i + 1] * angle) / TICK),
    ]),
  );
const REFERENCE = JOINTS.map((j) => REFERENCE_POSE[j]);
const OFFSETS = { 1: -1200, 2: 1500, 3: -1100, 4: 1170, 5: -370, 6: 1410 };

/** The operator holds the reference pose, then swings each joint from one end of `sweep` to the other. */
function record(
  sweep: Record<string, [number, number]>,
  reference: readonly number[] = REFERENCE,
  recorder = new CalibrationRecorder(),
  zeroPose: readonly number[] = reference,
): CalibrationRecorder {
  recorder.setZeroPose(anglesToTicks(zeroPose));
  JOINTS.forEach((joint, i) => {
    const [low, high] = sweep[joint];
    // out to one end, back, out to the other end, back to the reference pose
    for (const end of [high, low]) {
      for (const t of [0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0]) {
        const q = [...reference];
        q[i] = t * end + (1 - t) * reference[i];
        recorder.observe(anglesToTicks(q));
      }
    }
  });
  return recorder;
}

const FULL_SWEEP: Record<string, [number, number]> = {
  shoulder_pan: [-1.8, 1.8],
  shoulder_lift: [-1.7, 1.7],
  elbow_flex: [-0.2, 2.8],
  wrist_flex: [-1.6, 1.7],
  wrist_roll: [-2.6, 1.5], // the reference pose (-π/2) reads about 2047: 0..4095 is -4.71..1.57 rad
  jaw: [-0.02, 1.5], // squeezed a little past closed
};

describe('recording a calibration by hand', () => {
  it('gives a calibration that reads the sim angles the arm was held at', () => {
    const calibration = record(FULL_SWEEP).finish('lab-arm-1', OFFSETS, new Date('2026-05-04T10:00:00Z'));
    expect(calibration).toMatchObject({
      version: 1,
      name: 'lab-arm-1',
      arm: 'so100',
      protocol: 'feetech',
      servoModel: 777,
      source: 'recorded',
      createdAt: '2026-05-04T10:00:00.000Z',
      homingOffsets: { '1': -1200, '2': 1500, '3': -1100, '4': 1170, '5': -370, '6': 1410 },
    });
    const mapping = jointMapping(calibration);
    const pose = [0.7, -0.4, 1.9, 0.5, 1.2, 0.8];
    const ticks = anglesToTicks(pose);
    // to within the half tick the servo rounds to
    pose.forEach((angle, i) =>
      expect(Math.abs(mapping.toRadians(i, ticks[i + 1]) - angle)).toBeLessThanOrEqual(TICK / 2),
    );
    // the recorded ranges are the sweep, as ticks
    const elbow = calibration.joints[2];
    expect(elbow.minTicks).toBe(anglesToTicks([0, 0, -0.2, 0, 0, 0])[3]);
    expect(elbow.maxTicks).toBe(anglesToTicks([0, 0, 2.8, 0, 0, 0])[3]);
    // and the limits follow them
    const limits = jointLimits(calibration, modelRanges());
    expect(Math.abs(limits[2].min - -0.2)).toBeLessThanOrEqual(TICK / 2);
    expect(Math.abs(limits[2].max - 2.8)).toBeLessThanOrEqual(TICK / 2);
    expect(parseArmCalibration(JSON.parse(JSON.stringify(calibration)))).toEqual(calibration);
  });

  it('a joint that hardly moved is named, with what to do', () => {
    const sweep = { ...FULL_SWEEP, wrist_roll: [-1.5708, -1.5708 + 35 * TICK] as [number, number] };
    const error = caught(() => record(sweep).finish('lab-arm-1', OFFSETS));
    expect(error.kind).toBe('recording');
    expect(error.message).toBe('wrist_roll moved only 35 ticks: move it through its whole range');
    expect(error.ids).toEqual([5]);
  });

  it('a reference pose outside the recorded range is refused naming the joint', () => {
    // the operator let the elbow drop right after the reference pose was taken, and never raised it
    const dropped = [...REFERENCE];
    dropped[2] = 2.4;
    const sweep = { ...FULL_SWEEP, elbow_flex: [2.0, 2.8] as [number, number] };
    const error = caught(() =>
      record(sweep, dropped, new CalibrationRecorder(), REFERENCE).finish('lab-arm-1', OFFSETS),
    );
    expect(error.message).toBe(
      'elbow_flex: the reference pose (2047) lies outside the recorded range 2327..2848: the arm moved before ' +
        'it was recorded, or the joint was not moved both ways from it. Record again',
    );
    expect(error.ids).toEqual([3]);
  });

  it('a joint whose reading wrapped past 4095 is refused: min and max would be the wrong side of the turn', () => {
    const recorder = record(FULL_SWEEP);
    recorder.observe({ 1: 4090 });
    recorder.observe({ 1: 5 });
    const error = caught(() => recorder.finish('lab-arm-1', OFFSETS));
    expect(error.message).toMatch(
      /^shoulder_pan jumped from 4090 to 5 ticks: it crossed the servo's 0\/4095 wrap point/,
    );
  });

  it('every problem is listed at once', () => {
    const sweep = {
      ...FULL_SWEEP,
      wrist_roll: [-1.5708, -1.5708 + 35 * TICK] as [number, number],
      shoulder_pan: [0, 0.01] as [number, number],
    };
    const error = caught(() => record(sweep).finish('lab-arm-1', OFFSETS));
    expect(error.message).toMatch(/^shoulder_pan moved only \d+ ticks.*; wrist_roll moved only 35 ticks/);
    expect(error.ids).toEqual([1, 5]);
  });

  it("infers the jaw's direction from the side it opened to", () => {
    TRUE_ARM.direction[6] = -1;
    try {
      const calibration = record(FULL_SWEEP).finish('lab-arm-1', OFFSETS);
      expect(calibration.joints[5].direction).toBe(-1);
      expect(ticksToRadians(calibration.joints[5], anglesToTicks([0, 0, 0, 0, 0, 1])[6])).toBeCloseTo(1, 3);
    } finally {
      TRUE_ARM.direction[6] = 1;
    }
  });

  it('a gripper held open in the reference pose is refused', () => {
    const open = [...REFERENCE];
    open[5] = 0.7;
    const error = caught(() => record(FULL_SWEEP, open).finish('lab-arm-1', OFFSETS));
    // 0.7 rad is 469 ticks from the most closed (squeezed to -0.02 rad), 0.8 rad from the most open (1.5)
    expect(error.message).toBe(
      'jaw: the reference pose is 469 ticks from the closed end of its range: close the gripper in the reference pose and record again',
    );
  });

  it('readings are checked: every servo in the reference pose, positions 0..4095, SO-100 ids only', () => {
    const recorder = new CalibrationRecorder();
    expect(caught(() => recorder.observe({ 1: 2000 })).message).toMatch(/reference pose .* before moving/);
    const partial = caught(() => recorder.setZeroPose({ 1: 2047, 2: 2047 }));
    expect(partial.message).toBe(
      'the reference pose needs a position from every servo; missing elbow_flex (id 3), wrist_flex (id 4), wrist_roll (id 5), jaw (id 6)',
    );
    expect(partial.ids).toEqual([3, 4, 5, 6]);
    recorder.setZeroPose(anglesToTicks(REFERENCE));
    expect(caught(() => recorder.observe({ 4: 4368 })).message).toMatch(
      /^wrist_flex \(id 4\) read 4368, outside 0\.\.4095: the servo is in multi-turn mode/,
    );
    expect(caught(() => recorder.observe({ 7: 2000 })).message).toMatch(
      /servo id 7, which is not on an SO-100/,
    );
  });

  it('the homing offsets must be all there and fit the register', () => {
    const recorder = record(FULL_SWEEP);
    expect(caught(() => recorder.finish('lab-arm-1', { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 })).message).toMatch(
      /homing offsets of jaw \(id 6\) are missing/,
    );
    expect(caught(() => recorder.finish('lab-arm-1', { ...OFFSETS, 2: 2114 })).message).toMatch(
      /shoulder_lift \(id 2\) homing offset: 2114 does not fit/,
    );
    expect(caught(() => recorder.finish('../arm', OFFSETS)).message).toMatch(/not a calibration name/);
  });

  it('progress shows min, last and max per joint for the live table', () => {
    const recorder = new CalibrationRecorder();
    recorder.setZeroPose(anglesToTicks(REFERENCE));
    recorder.observe({ ...anglesToTicks(REFERENCE), 3: 1500 });
    recorder.observe({ ...anglesToTicks(REFERENCE), 3: 2600 });
    const elbow = recorder.progress()[2];
    expect(elbow).toMatchObject({
      joint: 'elbow_flex',
      id: 3,
      zero: 2047,
      min: 1500,
      max: 2600,
      last: 2600,
      travel: 1100,
    });
  });
});

describe('does the calibration fit the servos on the bus?', () => {
  const allThere = [1, 2, 3, 4, 5, 6].map((id) => ({ id, model: 777 }));

  it('six STS3215s with ids 1..6 fit', () => {
    expect(() => checkCalibrationFits(sampleCalibration(), allThere)).not.toThrow();
  });

  it('an extra servo beside the six is named', () => {
    const error = caught(() =>
      checkCalibrationFits(sampleCalibration(), [...allThere, { id: 7, model: 777 }]),
    );
    expect(error.message).toContain('id 7 answered but is not in this calibration (ids 1, 2, 3, 4, 5, 6)');
    expect(error.ids).toEqual([7]);
  });

  it('missing ids are named with their joints and the cable to check', () => {
    const error = caught(() => checkCalibrationFits(sampleCalibration(), allThere.slice(0, 2)));
    expect(error.kind).toBe('does-not-fit');
    expect(error.message).toContain(
      'servos id 3 (elbow_flex), id 4 (wrist_flex), id 5 (wrist_roll), id 6 (jaw) of this calibration did not answer',
    );
    expect(error.message).toContain('check the cable from servo 2 (shoulder_lift) to servo 3 (elbow_flex)');
    expect(error.ids).toEqual([3, 4, 5, 6]);
  });

  it('a calibration for the other arm of a pair (ids 7..12) is refused naming the missing ids and the extra ones', () => {
    const otherArm = [7, 8, 9, 10, 11, 12].map((id) => ({ id, model: 777 }));
    const error = caught(() => checkCalibrationFits(sampleCalibration(), otherArm));
    expect(error.message).toBe(
      'calibration "bench-arm" does not fit the servos on this bus: none of this calibration\'s servos answered ' +
        '(id 1 (shoulder_pan), id 2 (shoulder_lift), id 3 (elbow_flex), id 4 (wrist_flex), id 5 (wrist_roll), ' +
        'id 6 (jaw)), but id 7, id 8, id 9, id 10, id 11, id 12 did: this calibration is for another arm, or ' +
        "this arm's servos were given other ids",
    );
    expect(error.ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("a Koch arm's Dynamixel servos on ids 1..6 are refused naming the models", () => {
    const koch = [1060, 1060, 1200, 1200, 1200, 1200].map((model, i) => ({ id: i + 1, model }));
    const error = caught(() => checkCalibrationFits(sampleCalibration(), koch));
    expect(error.message).toContain(
      'id 1 (shoulder_pan) is a model 1060 (Dynamixel XL430-W250) servo; this calibration is for model 777 (Feetech STS3215)',
    );
    expect(error.message).toContain('id 3 (elbow_flex) is a model 1200 (Dynamixel XL330-M288) servo');
    expect(error.ids).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a servo holding another homing offset than the calibration was recorded with is named', () => {
    const found = allThere.map((s) => ({
      ...s,
      homingOffset: sampleCalibration().homingOffsets[String(s.id)],
    }));
    expect(() => checkCalibrationFits(sampleCalibration(), found)).not.toThrow();
    found[3].homingOffset = 0;
    expect(caught(() => checkCalibrationFits(sampleCalibration(), found)).message).toContain(
      'id 4 (wrist_flex) holds homing offset 0, but this calibration was recorded with 1170',
    );
  });
});

describe('saved calibrations', () => {
  let home: string;
  beforeEach(() => {
    home = tempDir();
    process.env.BLAZER_LAB_HOME = home;
  });

  it('are saved in <lab home>/arms/<name>.json and load back the same, listed by name', async () => {
    const path = await saveCalibration(sampleCalibration('zeta'));
    expect(path).toBe(join(home, 'arms', 'zeta.json'));
    await saveCalibration(sampleCalibration('alpha'));
    expect(await loadCalibration('zeta')).toEqual(sampleCalibration('zeta'));
    expect(await listCalibrations()).toEqual(['alpha', 'zeta']);
    expect(readdirSync(join(home, 'arms')).sort()).toEqual(['alpha.json', 'zeta.json']); // no temporary files
    const changed = {
      ...sampleCalibration('zeta'),
      homingOffsets: { ...sampleCalibration().homingOffsets, '1': 7 },
    };
    await saveCalibration(changed);
    expect((await loadCalibration('zeta')).homingOffsets['1']).toBe(7);
  });

  it('with nothing saved, the list is empty and a load says so', async () => {
    expect(await listCalibrations()).toEqual([]);
    const error = await caughtAsync(() => loadCalibration('lab-arm'));
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain(
      `no calibration named "lab-arm" (looked for ${join(home, 'arms', 'lab-arm.json')})`,
    );
    await saveCalibration(sampleCalibration('bench'));
    expect((await caughtAsync(() => loadCalibration('lab-arm'))).message).toContain(
      'saved calibrations: bench',
    );
  });

  it('names with path separators or dots are refused, and nothing is written', async () => {
    for (const name of ['../escape', 'a/b', 'a\\b', '', '.hidden', 'x..y', 'with space']) {
      expect((await caughtAsync(() => saveCalibration(sampleCalibration(name)))).message).toMatch(
        /not a calibration name/,
      );
      expect((await caughtAsync(() => loadCalibration(name))).message).toMatch(/not a calibration name/);
    }
    expect(existsSync(join(home, 'escape.json'))).toBe(false);
  });

  it('a file that is not JSON is refused naming the file', async () => {
    mkdirSync(join(home, 'arms'));
    writeFileSync(join(home, 'arms', 'broken.json'), '{"version": 1,');
    const error = await caughtAsync(() => loadCalibration('broken'));
    expect(error.kind).toBe('corrupt');
    expect(error.message).toContain(`${join(home, 'arms', 'broken.json')} is not valid JSON`);
  });

  it('a hand-edited file is refused naming the file and the field', async () => {
    const path = await saveCalibration(sampleCalibration('edited'));
    const edit = async (change: (data: Record<string, unknown>) => void): Promise<string> => {
      const data = JSON.parse(JSON.stringify(sampleCalibration('edited')));
      change(data);
      writeFileSync(path, JSON.stringify(data));
      return (await caughtAsync(() => loadCalibration('edited'))).message;
    };
    expect(await edit((d) => ((d.joints as JointCalibration[])[2].minTicks = 'abc' as never))).toBe(
      `${path}: joints[2] (elbow_flex).minTicks: expected an integer, found the text "abc" (fix the file, or delete it and calibrate again)`,
    );
    expect(await edit((d) => ((d.joints as JointCalibration[])[4].direction = 2 as never))).toContain(
      'joints[4] (wrist_roll).direction: expected 1 or -1, found 2',
    );
    expect(await edit((d) => ((d.joints as JointCalibration[])[1].maxTicks = 800))).toContain(
      'joints[1] (shoulder_lift).maxTicks: 800 is not above minTicks 850',
    );
    expect(await edit((d) => ((d.joints as JointCalibration[])[0].joint = 'waist'))).toContain(
      'joints[0].joint: unknown joint "waist"',
    );
    expect(await edit((d) => (d.joints as unknown[]).pop())).toContain('joints: jaw is missing');
    expect(await edit((d) => ((d.homingOffsets as Record<string, number>)['3'] = 2114))).toContain(
      'homingOffsets.3: 2114 does not fit',
    );
    expect(await edit((d) => delete (d.homingOffsets as Record<string, number>)['6'])).toContain(
      'homingOffsets: servo ids 6 have no homing offset',
    );
    expect(await edit((d) => (d.zeroTick = 3))).toContain('unexpected field "zeroTick"');
    expect(await edit((d) => (d.version = 2))).toContain('version: this file is version 2');
    expect(await edit((d) => (d.servoModel = undefined))).toContain(
      'servoModel: missing (expected a servo model number)',
    );
    expect(await edit((d) => (d.name = 'other'))).toContain(
      'name: the file says "other" but is named edited.json',
    );
  });

  it('the listing with problems shows every file, the broken ones with the reason', async () => {
    await saveCalibration(sampleCalibration('good'));
    writeFileSync(join(home, 'arms', 'bad.json'), '[]');
    const entries = await listCalibrationFiles();
    expect(entries.map((e) => [e.name, Boolean(e.calibration), e.problem?.split(': ')[1]])).toEqual([
      [
        'bad',
        false,
        'expected a calibration object, found a list (fix the file, or delete it and calibrate again)',
      ],
      ['good', true, undefined],
    ]);
  });

  it('an invalid calibration is not saved', async () => {
    const bad = sampleCalibration('bad');
    bad.joints[0] = { ...bad.joints[0], minTicks: 4000, maxTicks: 5000 };
    const error = await caughtAsync(() => saveCalibration(bad));
    expect(error.message).toBe(
      "calibration not saved: joints[0] (shoulder_pan).maxTicks: 5000 is outside the servo's positions 0..4095",
    );
    expect(existsSync(calibrationPath('bad'))).toBe(false);
  });
});
