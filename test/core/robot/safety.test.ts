import { afterAll, describe, expect, it } from 'vitest';
import { loadScene } from '../../../core/sim/scene.ts';
import { Arm } from '../../../core/sim/arm.ts';
import { so100GripperPosition } from '../../../core/robot/so100-kinematics.ts';
import {
  checkGoal,
  SO100_DEFAULT_LIMITS,
  stepToward,
  type SafetyLimits,
} from '../../../core/robot/safety.ts';
import { SO100_JOINTS, SO100_MODEL_RANGES } from '../../../core/robot/so100.ts';
import { seededRandom } from '../../../core/random.ts';

const limits: SafetyLimits = {
  ...SO100_DEFAULT_LIMITS,
  joints: [
    { joint: 'shoulder_pan', min: -1.9, max: 1.9 },
    { joint: 'shoulder_lift', min: -1.8, max: 1.8 },
    { joint: 'elbow_flex', min: -0.3, max: 2.9 },
    { joint: 'wrist_flex', min: -1.8, max: 2.7 },
    { joint: 'wrist_roll', min: -2.7, max: 2.7 },
    { joint: 'jaw', min: 0, max: 1.6 },
  ],
};
const HOME = [0, 0.2, 1.5, 1.44, 0, 1.0];

describe('SO-100 forward kinematics', () => {
  const opened = loadScene({ arm: 'so100', objects: [] });
  afterAll(async () => (await opened).dispose());

  it("puts the gripper where MuJoCo's own model puts it, for 50 random poses", async () => {
    const sim = await opened;
    const arm = Arm.attach(sim);
    const random = seededRandom(7);
    let worst = 0;
    for (let i = 0; i < 50; i++) {
      const q = limits.joints.slice(0, 5).map(({ min, max }) => min + (max - min) * random());
      arm.setJointPositions(q);
      const ours = so100GripperPosition(q);
      const theirs = arm.pose().position;
      worst = Math.max(worst, Math.hypot(ours[0] - theirs[0], ours[1] - theirs[1], ours[2] - theirs[2]));
    }
    arm.dispose();
    expect(worst).toBeLessThan(1e-6);
  });

  it("uses the MJCF's joint ranges as the model limits", async () => {
    const sim = await opened;
    const ranges = SO100_JOINTS.map((joint) => {
      const j = sim.id('joint', joint);
      return [sim.model.jnt_range[2 * j], sim.model.jnt_range[2 * j + 1]];
    });
    SO100_JOINTS.forEach((joint, i) => {
      expect(SO100_MODEL_RANGES[joint][0], joint).toBeCloseTo(ranges[i][0], 6);
      expect(SO100_MODEL_RANGES[joint][1], joint).toBeCloseTo(ranges[i][1], 6);
    });
  });
});

describe('safety checks on a goal', () => {
  it('accepts the home pose', () => {
    expect(() => checkGoal(HOME, limits)).not.toThrow();
  });

  it('refuses a joint past its limit, naming the joint and the limits', () => {
    expect(() => checkGoal([0, 0.2, 3.2, 1.44, 0, 1], limits)).toThrow(
      /elbow_flex: 183\.3° is outside its limits -17\.2° to 166\.2°/,
    );
  });

  it('refuses a pose that puts the gripper into the table', () => {
    // Leaning forward and down with the wrist pointing down reaches below z = 0.
    expect(() => checkGoal([0, 1.7, 1.2, 0.5, 0, 1], limits)).toThrow(
      /z = -?0\.\d+ m, outside the workspace box .* \(into the table\)/,
    );
  });

  it('refuses NaN and a goal with the wrong number of joints', () => {
    expect(() => checkGoal([0, NaN, 1.5, 1.44, 0, 1], limits)).toThrow(
      /shoulder_lift: NaN is not a finite angle/,
    );
    expect(() => checkGoal([0, 0.2], limits)).toThrow(/needs 6 joint values, got 2/);
  });

  it('steps no joint faster than its velocity limit', () => {
    const step = stepToward(
      [0, 0, 0, 0, 0, 0],
      [1, -1, 0.001, 0, 0, 0],
      0.01,
      SO100_DEFAULT_LIMITS.maxVelocity,
    );
    expect(step[0]).toBeCloseTo(0.015, 9);
    expect(step[1]).toBeCloseTo(-0.015, 9);
    expect(step[2]).toBeCloseTo(0.001, 9); // already within one step: lands exactly
  });
});
