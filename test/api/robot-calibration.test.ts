// Calibrating an SO-100 by hand through the api, against the emulated bus: hold the reference pose,
// move every joint through its range, finish; then the saved calibration maps the reference pose to
// the simulated arm's reference angles. A joint not moved is named, and the operator can go on.
import { afterEach, describe, expect, it } from 'vitest';
import { inProcessLab } from '../../api/in-process.ts';
import type { CalibrationProgress } from '../../api/types.ts';
import { loadCalibration } from '../../core/robot/calibration-store.ts';
import { REFERENCE_POSE, ticksToRadians } from '../../core/robot/calibration.ts';
import { SO100_IDS } from '../../core/robot/so100.ts';
import { useTempLabHome } from '../helpers.ts';
import { startEmulatedArm, until, type EmulatedArm } from '../fixtures/emulated-arm.ts';

const lab = inProcessLab();
useTempLabHome('blazer-calibrate-');
let emulated: EmulatedArm | undefined;

afterEach(async () => {
  await emulated?.close();
  emulated = undefined;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Turn a servo's horn by hand to `raw` ticks and let the wizard's 20 Hz reading see it. */
async function turn(id: number, raw: number): Promise<void> {
  emulated!.bus.moveByHand(id, raw);
  await pause(120);
}

describe('calibrating an arm by hand', () => {
  it('records the reference pose and the ranges, and maps the reference pose to its angles', async () => {
    emulated = await startEmulatedArm();
    const raw = Object.fromEntries(SO100_IDS.map((id) => [id, emulated!.bus.servo(id).rawAngle]));
    const events: CalibrationProgress[] = [];
    const stop = new AbortController();
    const calibrating = lab.call(
      'robot.calibrate',
      { port: emulated.pair.app, name: 'hand-made' },
      {
        signal: stop.signal,
        onEvent: (event) => event.type === 'robot.calibration' && events.push(event.progress),
      },
    );
    await until(() => events.length > 0, 'the first table', 3000);
    expect(events[0].step).toBe('reference-pose');
    expect(events[0].instructions.join(' ')).toMatch(/Upper arm straight up/);

    const marked = await lab.call('robot.calibrationStep', { action: 'reference-pose' });
    expect(marked.step).toBe('ranges');
    // The reference pose now reads about 2047 on every servo (half-turn homing, as LeRobot does).
    marked.joints.forEach((row) => expect(Math.abs(row.ticks - 2047), row.joint).toBeLessThanOrEqual(1));

    // Every arm joint both ways; the jaw only opens from closed.
    for (const id of [1, 2, 3, 4, 5]) {
      await turn(id, raw[id] - 600);
      await turn(id, raw[id] + 700);
      await turn(id, raw[id]);
    }
    await expect(lab.call('robot.calibrationStep', { action: 'finish' })).rejects.toThrow(
      /jaw moved only 0 ticks: move it through its whole range/,
    );
    await turn(6, raw[6] + 900);
    await turn(6, raw[6]);

    const done = await lab.call('robot.calibrationStep', { action: 'finish' });
    expect(done.step).toBe('saved');
    const saved = await calibrating;
    expect(saved).toMatchObject({ name: 'hand-made', source: 'recorded' });

    const calibration = await loadCalibration('hand-made');
    for (const joint of calibration.joints) {
      const reference = REFERENCE_POSE[joint.joint as keyof typeof REFERENCE_POSE];
      expect(ticksToRadians(joint, 2047), joint.joint).toBeCloseTo(reference, 2);
    }
    // The jaw opened to +900 ticks: about 1.38 rad open, never negative.
    const jaw = calibration.joints.find((j) => j.joint === 'jaw')!;
    expect(ticksToRadians(jaw, jaw.maxTicks)).toBeCloseTo((900 * 2 * Math.PI) / 4096, 1);
    // Torque stayed off the whole time.
    expect(SO100_IDS.every((id) => !emulated!.bus.servo(id).torque)).toBe(true);
  });

  it('stopping the calibration saves nothing', async () => {
    emulated = await startEmulatedArm();
    const stop = new AbortController();
    const calibrating = lab.call(
      'robot.calibrate',
      { port: emulated.pair.app, name: 'abandoned' },
      { signal: stop.signal },
    );
    await pause(300);
    stop.abort();
    await expect(calibrating).rejects.toThrow();
    await expect(loadCalibration('abandoned')).rejects.toThrow(/no calibration named "abandoned"/);
  });
});
