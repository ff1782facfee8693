// A program on the real arm, as the operator runs it: dry run in simulation from the real scene,
// execute on the (emulated) SO-100 primitive by primitive, mark the trial, find it in the dataset
// and in the evaluation tables as real.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { inProcessLab } from '../../api/in-process.ts';
import { disconnectArm } from '../../api/robot-session.ts';
import { disposeResources } from '../../api/resources.ts';
import { saveCalibration } from '../../core/robot/calibration-store.ts';
import { useTempLabHome } from '../helpers.ts';
import {
  radiansOf,
  startEmulatedArmProcess,
  testCalibration,
  type EmulatedArmProcess,
} from '../fixtures/emulated-arm.ts';

const lab = inProcessLab();
const home = useTempLabHome('blazer-robot-run-');
const db = join(home, 'lab.sqlite');
let emulated: EmulatedArmProcess | undefined;

const REACH = {
  kind: 'program',
  format: 'code',
  source: 'move_gripper(objects["target"].position, 0)\n',
} as const;

beforeAll(async () => {
  await saveCalibration(testCalibration('bench-arm'));
});
afterEach(async () => {
  await disconnectArm();
  await emulated?.close();
  emulated = undefined;
});
afterAll(async () => {
  await disposeResources();
});

async function connectWithTorque(): Promise<void> {
  emulated = await startEmulatedArmProcess();
  await lab.call('robot.connect', { port: emulated.pair.app, calibration: 'bench-arm', timeoutMs: 250 });
  await lab.call('robot.torque', { on: true });
}

describe('a program on the real arm', () => {
  it('dry run, execute, and the emulated joints end at the planned pose; the marked trial is stored as real', async () => {
    await connectWithTorque();
    const dry = await lab.call('robot.dryRun', { task: 'reach_target', seed: 3, solver: REACH });
    expect([dry.why, dry.result.reason]).toEqual([undefined, expect.any(String)]);
    expect(dry.result.success).toBe(true);
    expect(dry).toMatchObject({ executable: true, fromArm: true });
    expect(dry.steps.map((s) => [s.primitive, s.status])).toEqual([['move_gripper', 'reached']]);

    const steps: number[] = [];
    const trial = await lab.call(
      'robot.execute',
      { plan: dry.plan },
      { onEvent: (event) => event.type === 'robot.run' && steps.push(event.step) },
    );
    expect(trial).toMatchObject({ status: 'completed', stepsDone: 1, steps: 1 });
    expect(steps).toEqual([1]);
    const planned = dry.result.recording!.frames.at(-1)!.joints;
    const { positions } = await emulated!.dump();
    [1, 2, 3, 4, 5].forEach((id, i) =>
      expect(Math.abs(radiansOf(positions[id]) - planned[i]), `joint ${id}`).toBeLessThan(0.035),
    );
    // The measured trajectory ends where the plan does.
    const measuredEnd = trial.trajectory.frames.at(-1)!.slice(1);
    measuredEnd
      .slice(0, 5)
      .forEach((q, i) => expect(Math.abs(q - planned[i]), `joint ${i + 1}`).toBeLessThan(0.05));

    const stored = await lab.call('robot.markTrial', { trial: trial.trial, success: true, db });
    const page = await lab.call('dataset.list', { db });
    expect(page.rows.find((row) => row.id === stored.episodeId)).toMatchObject({
      real: true,
      success: true,
      task: 'reach_target',
    });
    const episode = await lab.call('dataset.show', { db, id: stored.episodeId });
    expect(episode).toMatchObject({ real: true, program: REACH.source, model: 'operator program' });
    expect(episode.trajectory?.frames.length).toBe(trial.trajectory.frames.length);
    const evaluations = await lab.call('eval.list', { db });
    expect(evaluations.map((e) => [e.label, e.real])).toEqual([['real: operator program', true]]);
    expect(evaluations[0].tasks).toMatchObject([{ task: 'reach_target', attempts: 1, successes: 1 }]);
  });

  it('a dry run that does not reach its goal cannot be executed, and says why', async () => {
    await connectWithTorque();
    const far = { ...REACH, source: 'move_gripper([0.39, 0.0, 0.3], 0)\n' };
    const dry = await lab.call('robot.dryRun', { task: 'reach_target', seed: 3, solver: far });
    expect(dry.executable).toBe(false);
    expect(dry.why).toMatch(/primitive 1 \(move_gripper\) did not reach its goal in simulation/);
    const before = await emulated!.dump();
    await expect(lab.call('robot.execute', { plan: dry.plan })).rejects.toMatchObject({ kind: 'refused' });
    expect((await emulated!.dump()).goals).toEqual(before.goals);
  });

  it('refuses to execute when the arm has moved since the dry run', async () => {
    await connectWithTorque();
    const dry = await lab.call('robot.dryRun', { task: 'reach_target', seed: 3, solver: REACH });
    await lab.call('robot.move', { joints: [0.3, 0.2, 1.5, 1.44, 0, 1.0] });
    await expect(lab.call('robot.execute', { plan: dry.plan })).rejects.toThrow(
      /the arm is not where the dry run started it \(shoulder_pan is 0\.\d+ rad, the dry run 0\.00\)/,
    );
  });

  it('moves the task objects to where they really are before the dry run', async () => {
    const moved = await lab.call('robot.dryRun', {
      task: 'reach_target',
      seed: 3,
      solver: REACH,
      objects: [{ name: 'target', position: [0.15, -0.05, 0.06], yaw: 0 }],
    });
    const target = moved.result.initialState.objects.find((o) => o.name === 'target')!;
    expect(target.position[0]).toBeCloseTo(0.15, 2);
    expect(target.position[1]).toBeCloseTo(-0.05, 2);
    expect(moved.fromArm).toBe(false);
    await expect(
      lab.call('robot.dryRun', {
        task: 'reach_target',
        seed: 3,
        solver: REACH,
        objects: [{ name: 'teapot', position: [0.15, 0, 0.05], yaw: 0 }],
      }),
    ).rejects.toThrow(/the scene has no object named 'teapot'/);
  });
});
