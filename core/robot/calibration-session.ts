// Calibrating an arm by hand, as LeRobot users know it, with torque off throughout:
// 1. the operator holds the reference pose; the servos' homing offsets are set so that pose reads
//    about 2047 (no joint's travel then crosses the 0/4095 wrap), and the pose is recorded;
// 2. the operator moves every joint through its whole range while positions are read 20 times a
//    second; the live table shows min / now / max per joint;
// 3. finish: the calibration is checked (enough travel, the reference inside the range) and saved.
import type { CalibrationProgress } from '../../api/types.ts';
import {
  CalibrationRecorder,
  halfTurnHomingOffset,
  MIN_TRAVEL_TICKS,
  REFERENCE_POSE_STEPS,
} from './calibration.ts';
import { saveCalibration } from './calibration-store.ts';
import { RobotError } from './arm-controller.ts';
import { feetech } from './feetech.ts';
import { FeetechArmIo } from './feetech-arm-io.ts';
import { scanBus } from './scan.ts';
import { openSerialLink, ServoBus } from './servo-bus.ts';
import { SO100_BAUD, SO100_IDS, SO100_JOINTS } from './so100.ts';

const READ_HZ = 20;
const RANGE_STEPS = [
  'Move every joint, one at a time, slowly to both ends of its range, and back.',
  'Open the gripper fully, then close it again.',
  'Press Finish when every row says "enough".',
];

export class CalibrationSession {
  private readonly recorder = new CalibrationRecorder();
  private step: CalibrationProgress['step'] = 'reference-pose';
  private ticks = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private lastError: string | undefined;

  private constructor(
    private readonly io: FeetechArmIo,
    readonly port: string,
  ) {}

  /** Open the port, find all six servos, torque off, and start reading. */
  static async open(port: string, baudRate = SO100_BAUD, timeoutMs?: number): Promise<CalibrationSession> {
    const bus = new ServoBus(await openSerialLink(port, baudRate), feetech, { timeoutMs });
    try {
      const scan = await scanBus(bus, { ids: SO100_IDS, joints: SO100_JOINTS });
      if (scan.missing.length > 0) {
        const missing = scan.missing.map(({ id, joint }) => `${id} (${joint})`).join(', ');
        throw new RobotError(
          'missing-servos',
          `servos ${missing} did not answer on ${port}. ${scan.hint ?? ''}`.trim(),
        );
      }
      const io = new FeetechArmIo(bus, SO100_IDS);
      await io.setTorque(false); // the operator moves the arm by hand
      const session = new CalibrationSession(io, port);
      await session.readOnce();
      session.timer = setInterval(() => session.tick(), 1000 / READ_HZ);
      return session;
    } catch (error) {
      await bus.close();
      throw error;
    }
  }

  /** The operator holds the reference pose: centre the servos' readings on it, and record it. */
  async markReferencePose(): Promise<CalibrationProgress> {
    await this.exclusive(async () => {
      const present = await this.io.readPositions();
      const current = await this.io.readHomingOffsets();
      const centred = new Map(
        SO100_IDS.map((id, i) => [id, halfTurnHomingOffset(present[i], current.get(id)!)]),
      );
      await this.io.applyHomingOffsets(centred);
      await this.readPositions();
      this.recorder.setZeroPose(Object.fromEntries(this.ticks));
      this.step = 'ranges';
    });
    return this.progress();
  }

  /** Check and save; the port is closed afterwards. */
  async finish(name: string): Promise<{ file: string; progress: CalibrationProgress }> {
    const offsets = await this.exclusive(() => this.io.readHomingOffsets());
    const calibration = this.recorder.finish(name, Object.fromEntries(offsets));
    const file = await saveCalibration(calibration);
    this.step = 'saved';
    const progress = this.progress();
    await this.close();
    return { file, progress };
  }

  progress(): CalibrationProgress {
    const recorded = this.recorder.progress();
    return {
      step: this.step,
      instructions:
        this.step === 'reference-pose'
          ? [...REFERENCE_POSE_STEPS]
          : this.step === 'ranges'
            ? RANGE_STEPS
            : [],
      joints: recorded.map((row) => ({
        joint: row.joint,
        id: row.id,
        ticks: this.ticks.get(row.id) ?? NaN,
        ...(row.min !== undefined ? { min: row.min } : {}),
        ...(row.max !== undefined ? { max: row.max } : {}),
        travel: row.travel,
        enough: row.travel >= MIN_TRAVEL_TICKS,
      })),
      ...(this.lastError ? { problem: this.lastError } : {}),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reading;
    await this.io.close();
  }

  private tick(): void {
    this.reading = this.exclusive(() => this.readOnce()).catch(() => undefined);
  }

  private async readOnce(): Promise<void> {
    try {
      await this.readPositions();
      if (this.step === 'ranges') this.recorder.observe(Object.fromEntries(this.ticks));
      this.lastError = undefined;
    } catch (error) {
      this.lastError = `reading the servos failed: ${(error as Error).message}`;
    }
  }

  private async readPositions(): Promise<void> {
    const ticks = await this.io.readPositions();
    this.ticks = new Map(SO100_IDS.map((id, i) => [id, ticks[i]]));
  }

  /** One thing at a time: a reading must not land between the offsets' write and the pose's record. */
  private queue: Promise<unknown> = Promise.resolve();
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
