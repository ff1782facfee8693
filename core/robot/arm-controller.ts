// The arm's control loop, at a fixed rate: read every joint, step the goal toward the commanded
// target no faster than the velocity limits, check the step, write it. Around it the safety rules
// the servos lack (notes/serial.md: Feetech servos have no watchdog of their own):
// - a goal outside the limits or the workspace box is refused before it is queued, and every step is
//   checked again before it is written;
// - a moving arm with no fresh command for `watchdogMs` holds where it is;
// - three failed reads in a row is a fault: torque off, reported;
// - a servo over its temperature limit is a fault; one pushing past its load limit is eased off;
// - e-stop reads the arm and sets every goal to where it is, ahead of anything queued.
import type { RobotState, RobotTelemetry, ServoTelemetry } from '../../api/types.ts';
import { LabError } from '../errors.ts';
import type { ArmIo, ServoReading } from './arm-io.ts';
import { checkGoal, SafetyRefusal, stepToward, type SafetyLimits } from './safety.ts';

/** Ticks ↔ radians for each joint, in joint order (from the arm's calibration). */
export interface JointMapping {
  joints: readonly string[];
  toRadians(index: number, ticks: number): number;
  toTicks(index: number, radians: number): number;
}

export interface ControllerOptions {
  rateHz?: number;
  watchdogMs?: number;
  /** Failed reads in a row that make a fault. */
  faultAfter?: number;
  /** Load, temperature and voltage are read every this many cycles (they change slowly). */
  servoReadEvery?: number;
  /** A motion is done when every joint is this close to its target, radians. */
  arrivalTolerance?: number;
}

export class RobotError extends LabError {}

/** How far ahead of the measured arm the goal may lead, in seconds of travel at the joint's limit. */
const LEAD_SECONDS = 0.2;
/** No progress toward the target for this long is a stall (a hand, an obstacle, a block in the jaw). */
const STALL_MS = 1500;
const PROGRESS_EPSILON = 0.005; // rad

type Listener = (telemetry: RobotTelemetry) => void;

export class ArmController {
  private state: RobotState = 'off';
  private measured: number[] = [];
  private measuredTicks: number[] = [];
  private goal: number[] | undefined;
  private target: number[] | undefined;
  /** A jog is kept alive only by more jogs; a move also by the app's heartbeat. */
  private motion: 'jog' | 'move' = 'jog';
  private lastCommandAt = 0;
  private failedReads = 0;
  private cycle = 0;
  private servos: ServoReading[] = [];
  private overloadSince = new Map<number, number>();
  /** The motion's closest approach so far, and when it was made: no progress for long is a stall. */
  private progress: { left: number; at: number } | undefined;
  private message: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private cycleInFlight: Promise<void> = Promise.resolve();
  private readonly startedAt = Date.now();
  private readonly listeners = new Set<Listener>();
  private readonly arrivals = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  readonly rateHz: number;
  private readonly watchdogMs: number;
  private readonly faultAfter: number;
  private readonly servoReadEvery: number;
  private readonly arrivalTolerance: number;

  constructor(
    private readonly io: ArmIo,
    private readonly mapping: JointMapping,
    readonly limits: SafetyLimits,
    options: ControllerOptions = {},
  ) {
    this.rateHz = options.rateHz ?? 100;
    this.watchdogMs = options.watchdogMs ?? 300;
    this.faultAfter = options.faultAfter ?? 3;
    this.servoReadEvery = options.servoReadEvery ?? 10;
    this.arrivalTolerance = options.arrivalTolerance ?? 0.03;
  }

  onTelemetry(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get status(): RobotState {
    return this.state;
  }

  /** Read the arm once and start the loop (torque stays as it is: off after connect). */
  async start(): Promise<void> {
    await this.readPositionsRetrying();
    this.running = true;
    this.schedule(Date.now());
  }

  /** Stop the loop and turn torque off: the last thing the bridge does on disconnect. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.cycleInFlight;
    this.failArrivals(new RobotError('stopped', 'the bridge disconnected'));
    await this.io.setTorque(false).catch(() => undefined);
    this.state = 'off';
  }

  async torqueOn(): Promise<void> {
    this.requireNot('estopped', 'fault');
    this.failArrivals(new RobotError('superseded', 'torque on: holding the present pose'));
    this.target = undefined;
    await this.io.setTorque(true);
    await this.readPositionsRetrying();
    if (this.state === 'estopped' || this.state === 'fault') return; // stopped meanwhile: that wins
    this.goal = [...this.measured];
    this.setState('holding', 'torque on: holding the present pose');
  }

  async torqueOff(): Promise<void> {
    // No goal may be written after the torque-off write: clear them before it goes out.
    this.goal = undefined;
    this.target = undefined;
    this.failArrivals(new RobotError('stopped', 'torque was turned off'));
    if (this.state !== 'estopped') this.setState('off', 'torque off');
    await this.io.setTorque(false);
  }

  /**
   * Move toward `target` (radians, every joint and the jaw). Refused before anything is queued if
   * it breaks a limit. Resolves when the arm is there; rejects on e-stop, fault or the watchdog.
   */
  moveTo(target: readonly number[]): Promise<void> {
    this.command(target, 'move');
    return new Promise((resolve, reject) => this.arrivals.add({ resolve, reject }));
  }

  /** Go through poses in order. Every pose is checked before the first one moves. */
  async followPath(poses: ReadonlyArray<readonly number[]>): Promise<void> {
    this.requireNot('estopped', 'fault', 'off');
    poses.forEach((pose, i) => {
      try {
        checkGoal(pose, this.limits);
      } catch (error) {
        if (error instanceof SafetyRefusal)
          throw new SafetyRefusal(`pose ${i + 1} of ${poses.length}: ${error.message}`);
        throw error;
      }
    });
    for (const pose of poses) await this.moveTo(pose);
  }

  /** Set a new target without waiting (jogging): the watchdog holds the arm unless jogs keep coming. */
  command(target: readonly number[], motion: 'jog' | 'move' = 'jog'): void {
    checkGoal(target, this.limits); // first: a pose outside the limits is refused for that, whatever the state
    this.requireNot('estopped', 'fault', 'off');
    this.failArrivals(new RobotError('superseded', 'a newer command replaced this motion'));
    this.target = [...target];
    this.progress = undefined;
    this.motion = motion;
    this.lastCommandAt = Date.now();
    this.setState('moving');
  }

  /** The app is still there: a move in progress may go on (a jog needs fresh jogs). */
  keepAlive(): void {
    if (this.motion === 'move') this.lastCommandAt = Date.now();
  }

  /**
   * Stop now: set every goal to where the arm is, ahead of the next cycle. Nothing moves again
   * until `resume`. If the arm cannot be read, torque goes off instead.
   */
  async estop(): Promise<void> {
    this.state = 'estopped';
    this.target = undefined;
    this.failArrivals(new RobotError('estopped', 'e-stop'));
    try {
      await this.readPositionsRetrying();
      if (this.goal) {
        this.goal = [...this.measured];
        await this.io.writeGoals(this.toTicks(this.goal));
      }
      this.setState('estopped', 'e-stop: holding where the arm stopped');
    } catch (error) {
      await this.io.setTorque(false).catch(() => undefined);
      this.goal = undefined;
      this.setState('estopped', `e-stop: the arm did not answer (${describe(error)}); torque off sent`);
    }
  }

  /** Leave e-stop or a fault: holding (torque still on) or off, as the servos are. */
  async resume(): Promise<void> {
    if (this.state !== 'estopped' && this.state !== 'fault') return;
    this.failedReads = 0;
    await this.readPositionsRetrying();
    if (this.goal) {
      this.goal = [...this.measured];
      this.setState('holding', 'resumed: holding the present pose');
    } else {
      this.setState('off', 'resumed with torque off');
    }
  }

  /** Control cycles started since connect. */
  get cycles(): number {
    return this.cycle;
  }

  /** The last measured joint angles, radians. */
  get joints(): number[] {
    return [...this.measured];
  }

  private schedule(due: number): void {
    if (!this.running) return;
    this.timer = setTimeout(
      () => {
        this.cycleInFlight = this.runCycle()
          .catch((error: unknown) => this.fault(`the control loop failed: ${describe(error)}`))
          .finally(() => {
            const next = due + 1000 / this.rateHz;
            this.schedule(Math.max(next, Date.now())); // an overrun starts the next cycle at once, never a pile-up
          });
      },
      Math.max(0, due - Date.now()),
    );
  }

  private async runCycle(): Promise<void> {
    this.cycle++;
    if (!(await this.readOrFault())) return this.emit();
    if (this.state === 'moving' || this.state === 'holding') {
      this.checkWatchdog();
      await this.stepGoal();
    }
    if (this.cycle % this.servoReadEvery === 0) await this.readServos();
    this.settleArrivals();
    this.emit();
  }

  private async readOrFault(): Promise<boolean> {
    try {
      await this.readPositions();
      this.failedReads = 0;
      return true;
    } catch (error) {
      this.failedReads++;
      if (this.failedReads >= this.faultAfter && this.state !== 'fault') {
        await this.fault(`${this.failedReads} reads in a row failed (${describe(error)})`);
      }
      return false;
    }
  }

  private checkWatchdog(): void {
    if (this.state !== 'moving' || Date.now() - this.lastCommandAt <= this.watchdogMs) return;
    this.target = undefined;
    this.failArrivals(new RobotError('watchdog', `no fresh command for ${this.watchdogMs} ms: holding`));
    this.setState('holding', `watchdog: no fresh command for ${this.watchdogMs} ms, holding`);
  }

  private async stepGoal(): Promise<void> {
    if (!this.goal) return;
    const next = this.target
      ? stepToward(this.leashed(this.goal), this.target, 1 / this.rateHz, this.limits.maxVelocity)
      : this.goal;
    try {
      checkGoal(next, this.limits);
    } catch (error) {
      if (!(error instanceof SafetyRefusal)) throw error;
      // The straight line in joint space between two safe poses can leave the box: stop at the edge.
      this.target = undefined;
      this.failArrivals(error);
      this.setState('holding', `stopped at the last safe step: ${error.message}`);
      return;
    }
    this.goal = next;
    await this.io.writeGoals(this.toTicks(next)).catch((error) => {
      this.message = `a goal write failed: ${describe(error)}`;
    });
  }

  /**
   * The goal kept within LEAD_SECONDS of travel from where the arm is: if a hand or an obstacle holds
   * the arm, the goal must not run on to the target, or the servo would swing there at its own full
   * speed once freed.
   */
  private leashed(goal: readonly number[]): number[] {
    return goal.map((value, i) => {
      const lead = this.limits.maxVelocity[i] * LEAD_SECONDS;
      const measured = this.measured[i];
      return Math.min(measured + lead, Math.max(measured - lead, value));
    });
  }

  private async readServos(): Promise<void> {
    try {
      this.servos = await this.io.readServos();
    } catch {
      return; // positions are what matter each cycle; a missed slow read is retried next time
    }
    const hot = this.servos.find((servo) => servo.temperature > this.limits.maxTemperature);
    if (hot) {
      await this.fault(
        `servo ${hot.id} (${this.jointOf(hot.id)}) is at ${hot.temperature} °C, over the ${this.limits.maxTemperature} °C limit: let it cool`,
      );
      return;
    }
    await this.easeOverloads();
  }

  /** A joint pushing past its load limit for a while (a gripper squeezing a block) is eased off. */
  private async easeOverloads(): Promise<void> {
    const now = Date.now();
    for (const [index, servo] of this.servos.entries()) {
      if (Math.abs(servo.load) <= this.limits.maxLoad) {
        this.overloadSince.delete(servo.id);
        continue;
      }
      const since = this.overloadSince.get(servo.id) ?? now;
      this.overloadSince.set(servo.id, since);
      if (now - since < this.limits.overloadMs || !this.goal) continue;
      this.goal[index] = this.measured[index];
      if (this.target) this.target[index] = this.measured[index];
      this.overloadSince.delete(servo.id);
      this.message = `servo ${servo.id} (${this.jointOf(servo.id)}) pushed at ${Math.abs(servo.load / 10)}% load for ${this.limits.overloadMs} ms: eased to where it is`;
    }
  }

  private async fault(reason: string): Promise<void> {
    this.target = undefined;
    this.goal = undefined;
    this.failArrivals(new RobotError('fault', reason));
    await this.io.setTorque(false).catch(() => undefined);
    this.setState('fault', `fault: ${reason}; torque off sent`);
  }

  private settleArrivals(): void {
    if (this.state !== 'moving' || !this.target) return;
    const off = this.target
      .map((value, i) => ({ i, error: Math.abs(value - this.measured[i]) }))
      .filter(({ error }) => error > this.arrivalTolerance);
    if (off.length > 0) {
      // No progress for a while: a hand or an obstacle holds the arm, or the jaw is closed on a block.
      const left = Math.max(...off.map(({ error }) => error));
      const now = Date.now();
      if (this.progress === undefined || left < this.progress.left - PROGRESS_EPSILON) {
        this.progress = { left, at: now };
        return;
      }
      if (now - this.progress.at < STALL_MS) return;
      const jawIndex = this.mapping.joints.indexOf('jaw');
      if (!off.every(({ i }) => i === jawIndex)) {
        const names = off
          .map(({ i, error }) => `${this.mapping.joints[i]} ${error.toFixed(2)} rad short`)
          .join(', ');
        this.target = undefined;
        this.progress = undefined;
        this.failArrivals(
          new RobotError('stalled', `the arm stopped short of its goal: ${names} (blocked?): holding`),
        );
        this.setState('holding', `stalled: ${names}; holding`);
        return;
      }
      // Only the jaw is short: it is closed on an object, which is what closing is for.
    }
    this.target = undefined;
    this.progress = undefined;
    this.setState('holding');
    for (const arrival of this.arrivals) arrival.resolve();
    this.arrivals.clear();
  }

  private failArrivals(error: Error): void {
    for (const arrival of this.arrivals) arrival.reject(error);
    this.arrivals.clear();
  }

  /** Outside the loop (start, torque on, e-stop, resume) one lost reply must not fail the call. */
  private async readPositionsRetrying(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.readPositions();
      } catch (error) {
        if (attempt >= this.faultAfter) throw error;
      }
    }
  }

  private async readPositions(): Promise<void> {
    const ticks = await this.io.readPositions();
    this.measuredTicks = ticks;
    this.measured = ticks.map((value, i) => this.mapping.toRadians(i, value));
  }

  private toTicks(radians: readonly number[]): number[] {
    return radians.map((value, i) => this.mapping.toTicks(i, value));
  }

  private requireNot(...states: RobotState[]): void {
    if (!states.includes(this.state)) return;
    const why: Record<RobotState, string> = {
      estopped: 'the arm is e-stopped: resume first',
      fault: `the arm is in a fault (${this.message ?? 'see telemetry'}): resume first`,
      off: 'torque is off: turn it on first',
      holding: '',
      moving: '',
    };
    throw new RobotError(this.state, why[this.state]);
  }

  private setState(state: RobotState, message?: string): void {
    this.state = state;
    if (message) this.message = message;
  }

  private jointOf(id: number): string {
    return this.mapping.joints[this.io.ids.indexOf(id)] ?? `id ${id}`;
  }

  private emit(): void {
    const servos: ServoTelemetry[] = this.io.ids.map((id, i) => {
      const reading = this.servos.find((servo) => servo.id === id);
      return {
        id,
        joint: this.mapping.joints[i],
        ticks: this.measuredTicks[i],
        load: reading?.load,
        temperature: reading?.temperature,
        voltage: reading?.voltage,
        errors: reading?.errors ?? [],
      };
    });
    const telemetry: RobotTelemetry = {
      t: Date.now() - this.startedAt,
      cycle: this.cycle,
      state: this.state,
      joints: [...this.measured],
      goal: this.goal ? [...this.goal] : undefined,
      servos,
      message: this.message,
    };
    for (const listener of this.listeners) listener(telemetry);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
