// Jogging the gripper in space and teaching by demonstration, through the api, against an emulated
// SO-100 in its own process (the gripper jog loads the simulator in the test's thread).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inProcessLab } from '../../api/in-process.ts';
import { disconnectArm } from '../../api/robot-session.ts';
import { saveCalibration } from '../../core/robot/calibration-store.ts';
import { so100GripperPosition } from '../../core/robot/so100-kinematics.ts';
import { useTempLabHome } from '../helpers.ts';
import {
  HOME,
  radiansOf,
  startEmulatedArmProcess,
  testCalibration,
  ticksOf,
  type EmulatedArmProcess,
} from '../fixtures/emulated-arm.ts';

const lab = inProcessLab();
useTempLabHome('blazer-robot-teach-');
let emulated: EmulatedArmProcess | undefined;

beforeAll(async () => {
  await saveCalibration(testCalibration('bench-arm'));
});
afterEach(async () => {
  await disconnectArm();
  await emulated?.close();
  emulated = undefined;
});

async function connect(): Promise<void> {
  emulated = await startEmulatedArmProcess();
  await lab.call('robot.connect', { port: emulated.pair.app, calibration: 'bench-arm', timeoutMs: 250 });
}

async function emulatedJoints(): Promise<number[]> {
  const { positions } = await emulated!.dump();
  return [1, 2, 3, 4, 5, 6].map((id) => radiansOf(positions[id]));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('jogging the gripper and teaching', () => {
  it('a 2 cm gripper jog up moves the real gripper 2 cm up and nowhere else', async () => {
    await connect();
    await lab.call('robot.torque', { on: true });
    const before = so100GripperPosition((await emulatedJoints()).slice(0, 5));
    await lab.call('robot.jogGripper', { move: [0, 0, 0.02] });
    await pause(200);
    const after = so100GripperPosition((await emulatedJoints()).slice(0, 5));
    expect(after[2] - before[2]).toBeCloseTo(0.02, 2);
    expect(Math.hypot(after[0] - before[0], after[1] - before[1])).toBeLessThan(0.004);
    await expect(lab.call('robot.jogGripper', { move: [0, 0, 0.5] })).rejects.toThrow(/at most 10 cm/);
  });

  it('records a motion made by hand and replays it to the same end pose', async () => {
    await connect();
    await lab.call('robot.teach', { action: 'start' });
    const home = ticksOf(HOME);
    for (const step of [100, 200, 300]) {
      await emulated!.moveByHand(1, home[0] + step); // the base turned by hand
      await emulated!.moveByHand(3, home[2] - step / 2);
      await pause(150);
    }
    const saved = await lab.call('robot.teach', { action: 'stop', name: 'wave' });
    expect(saved.frames).toBeGreaterThanOrEqual(3);
    expect(await lab.call('robot.trajectories', {})).toEqual(['wave']);
    const taughtEnd = await emulatedJoints();

    await lab.call('robot.torque', { on: true });
    await lab.call('robot.move', { joints: HOME });
    const replayed = await lab.call('robot.replay', { name: 'wave' });
    replayed.joints
      .slice(0, 5)
      .forEach((q, i) => expect(Math.abs(q - taughtEnd[i]), `joint ${i + 1}`).toBeLessThan(0.035));
    await expect(lab.call('robot.replay', { name: 'nothing-here' })).rejects.toThrow(
      /no taught trajectory named "nothing-here"/,
    );
  });
});
