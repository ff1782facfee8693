// The bridge end to end over a pty pair, against six emulated STS3215 servos: connect, move, e-stop,
// refusals, the watchdog, faults, bad bytes and disconnect, as an operator would meet them.
import { afterEach, describe, expect, it } from 'vitest';
import { connectArm, type ConnectedArm } from '../../../core/robot/bridge.ts';
import { STS3215 } from '../../../core/robot/feetech.ts';
import type { RobotTelemetry } from '../../../api/types.ts';
import {
  HOME,
  radiansOf,
  startEmulatedArm,
  testCalibration,
  ticksOf,
  until,
  type EmulatedArm,
} from '../../fixtures/emulated-arm.ts';

let emulated: EmulatedArm | undefined;
let arm: ConnectedArm | undefined;

afterEach(async () => {
  await arm?.disconnect().catch(() => undefined);
  await emulated?.close();
  arm = emulated = undefined;
});

async function connect(options: { watchdogMs?: number; rateHz?: number } = {}): Promise<ConnectedArm> {
  emulated = await startEmulatedArm();
  arm = await connectArm({
    port: emulated.pair.app,
    calibration: testCalibration(),
    timeoutMs: BUSY_MACHINE_TIMEOUT,
    ...options,
  });
  return arm;
}

/** The test machine runs other tests at once: a reply can wait on a busy event loop. */
const BUSY_MACHINE_TIMEOUT = 250;
const goalWrites = () => emulated!.bus.writes.filter((w) => w.address === STS3215.goalPosition.address);
const torqueOf = (id: number) => emulated!.bus.servo(id).torque;
const REACHABLE = [0.3, 0.5, 1.2, 1.2, 0.4, 0.5]; // a pose over the table, well inside every limit

describe('connecting to an SO-100 on the emulated bus', () => {
  it('finds all six servos, leaves torque off and reads the home pose', async () => {
    const { scan, controller } = await connect();
    expect(scan.found.map((s) => [s.id, s.model, s.joint])).toEqual([
      [1, 777, 'shoulder_pan'],
      [2, 777, 'shoulder_lift'],
      [3, 777, 'elbow_flex'],
      [4, 777, 'wrist_flex'],
      [5, 777, 'wrist_roll'],
      [6, 777, 'jaw'],
    ]);
    expect(controller.status).toBe('off');
    expect([1, 2, 3, 4, 5, 6].map(torqueOf)).toEqual([false, false, false, false, false, false]);
    controller.joints.forEach((q, i) => expect(q).toBeCloseTo(HOME[i], 2));
  });

  it('refuses to connect when servos are missing, naming them and the cable to check', async () => {
    emulated = await startEmulatedArm();
    emulated.bus.inject({ kind: 'missing', ids: [4, 5, 6] });
    await expect(
      connectArm({
        port: emulated.pair.app,
        calibration: testCalibration(),
        timeoutMs: BUSY_MACHINE_TIMEOUT,
      }),
    ).rejects.toThrow(
      /servos 4 \(wrist_flex\), 5 \(wrist_roll\), 6 \(jaw\) did not answer.*check the cable from servo 3 \(elbow_flex\) to servo 4 \(wrist_flex\)/s,
    );
  });

  it('refuses a calibration made for another arm (other ids), before anything is written', async () => {
    emulated = await startEmulatedArm({ ids: [11, 12, 13, 14, 15, 16] });
    await expect(
      connectArm({
        port: emulated.pair.app,
        calibration: testCalibration(),
        timeoutMs: BUSY_MACHINE_TIMEOUT,
      }),
    ).rejects.toThrow(/did not answer/);
    expect(emulated.bus.writes).toEqual([]);
  });
});

describe('moving the arm', () => {
  it('runs a move and the emulated joints end at the planned pose within a degree', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    const keepAlive = setInterval(() => controller.keepAlive(), 50);
    try {
      await controller.moveTo(REACHABLE);
    } finally {
      clearInterval(keepAlive);
    }
    await until(() => !emulated!.bus.servo(1).moving, 'the servos to settle', 2000);
    const ends = [1, 2, 3, 4, 5, 6].map((id) => radiansOf(emulated!.bus.servo(id).position));
    ends.forEach((q, i) =>
      expect(Math.abs(q - REACHABLE[i]), `joint ${i + 1}`).toBeLessThan((1 * Math.PI) / 180),
    );
    expect(controller.status).toBe('holding');
  });

  it('never steps a joint faster than its velocity limit', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    const keepAlive = setInterval(() => controller.keepAlive(), 50);
    const start = goalWrites().length;
    try {
      await controller.moveTo(REACHABLE);
    } finally {
      clearInterval(keepAlive);
    }
    const pan = goalWrites()
      .slice(start)
      .filter((w) => w.id === 1)
      .map((w) => radiansOf(w.data[0] | (w.data[1] << 8)));
    const biggestStep = Math.max(...pan.slice(1).map((q, i) => Math.abs(q - pan[i])));
    // 1.5 rad/s at 100 Hz is 0.015 rad per cycle, plus a tick of rounding.
    expect(biggestStep).toBeLessThan(0.015 + 2 / 651.9);
    expect(pan.length).toBeGreaterThan(10);
  });

  it('refuses a goal outside the limits: the error names the joint, and no such goal reaches the bus', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    const before = emulated!.bus.writes.length;
    expect(() => controller.command([0, 0.2, 3.1, 1.44, 0, 1])).toThrow(
      /elbow_flex: 177\.6° is outside its limits/,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const elbowGoals = goalWrites()
      .slice(before)
      .filter((w) => w.id === 3)
      .map((w) => w.data[0] | (w.data[1] << 8));
    expect(Math.max(...elbowGoals)).toBeLessThanOrEqual(ticksOf(HOME)[2] + 1);
    expect(controller.status).toBe('holding');
  });

  it('refuses a pose that would put the gripper into the table', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    expect(() => controller.command([0, 1.7, 1.2, 0.5, 0, 1])).toThrow(/into the table/);
  });

  it('e-stop stops the motion within one control cycle', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    const keepAlive = setInterval(() => controller.keepAlive(), 50); // the app's heartbeat
    const move = controller.moveTo([1.5, 0.2, 1.5, 1.44, 0, 1]);
    move.catch(() => undefined).finally(() => clearInterval(keepAlive));
    await until(() => Math.abs(radiansOf(emulated!.bus.servo(1).position)) > 0.3, 'the base to be turning');
    const cycleAtStop = controller.cycles;
    const writesAtStop = emulated!.bus.writes.length;
    await controller.estop();
    await expect(move).rejects.toThrow(/e-stop/);
    const cyclesDuringStop = controller.cycles - cycleAtStop;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const hold = emulated!.bus.servo(1).goal;
    expect(controller.status).toBe('estopped');
    // At most one cycle began while stopping, and at most one motion step (from a cycle already
    // under way) reached the base after the e-stop: then the hold goal, and nothing after it.
    expect(cyclesDuringStop).toBeLessThanOrEqual(1);
    const baseGoalsAfter = emulated!.bus.writes
      .slice(writesAtStop)
      .filter((w) => w.id === 1 && w.address === STS3215.goalPosition.address)
      .map((w) => w.data[0] | (w.data[1] << 8));
    expect(baseGoalsAfter.filter((goal) => goal !== hold).length).toBeLessThanOrEqual(1);
    expect(emulated!.bus.servo(1).goal).toBe(hold);
    expect(Math.abs(emulated!.bus.servo(1).position - hold)).toBeLessThanOrEqual(1);
    expect(() => controller.command(REACHABLE)).toThrow(/e-stopped: resume first/);
  });

  it('the watchdog holds a move when the app stops sending its heartbeat', async () => {
    const { controller } = await connect({ watchdogMs: 150 });
    await controller.torqueOn();
    const move = controller.moveTo([1.5, 0.2, 1.5, 1.44, 0, 1]); // a long move, and no keepAlive
    await expect(move).rejects.toThrow(/no fresh command for 150 ms: holding/);
    expect(controller.status).toBe('holding');
    expect(radiansOf(emulated!.bus.servo(1).goal)).toBeLessThan(0.6); // far short of 1.5
  });

  it('the watchdog holds a jog that is not refreshed', async () => {
    const { controller } = await connect({ watchdogMs: 150 });
    await controller.torqueOn();
    controller.command([0.6, 0.2, 1.5, 1.44, 0, 1]); // a jog, then silence
    await until(() => controller.status === 'holding', 'the watchdog', 2000);
    const held = emulated!.bus.servo(1).goal;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(emulated!.bus.servo(1).goal).toBe(held);
    expect(radiansOf(held)).toBeLessThan(0.4); // stopped well short of the jog's target
  });
});

describe('an arm that cannot keep up', () => {
  it('the goal never runs far ahead of a slow arm, so it cannot swing to catch up when freed', async () => {
    emulated = await startEmulatedArm({ maxSpeed: 100 }); // ~0.15 rad/s: far slower than the 1.5 rad/s limit
    arm = await connectArm({
      port: emulated.pair.app,
      calibration: testCalibration(),
      timeoutMs: BUSY_MACHINE_TIMEOUT,
    });
    const { controller } = arm;
    await controller.torqueOn();
    const keepAlive = setInterval(() => controller.keepAlive(), 50);
    const move = controller.moveTo([1.2, 0.2, 1.5, 1.44, 0, 1]);
    move.catch(() => undefined);
    let widest = 0;
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const base = emulated.bus.servo(1);
      widest = Math.max(widest, Math.abs(radiansOf(base.goal) - radiansOf(base.position)));
    }
    clearInterval(keepAlive);
    await controller.estop();
    // At most 0.2 s of travel at the limit (0.3 rad) plus a step; without the leash it reaches 0.7 rad.
    expect(widest).toBeLessThan(0.35);
  });

  it('a move that makes no progress is a stall: held, and the joint named', async () => {
    emulated = await startEmulatedArm({ maxSpeed: 0.001 }); // a servo that does not move: blocked
    arm = await connectArm({
      port: emulated.pair.app,
      calibration: testCalibration(),
      timeoutMs: BUSY_MACHINE_TIMEOUT,
    });
    const { controller } = arm;
    await controller.torqueOn();
    const keepAlive = setInterval(() => controller.keepAlive(), 50);
    try {
      await expect(controller.moveTo([0.5, 0.2, 1.5, 1.44, 0, 1])).rejects.toThrow(
        /the arm stopped short of its goal: shoulder_pan 0\.5\d rad short \(blocked\?\): holding/,
      );
    } finally {
      clearInterval(keepAlive);
    }
    expect(controller.status).toBe('holding');
  });
});

describe('faults on the bus', () => {
  it('a silent bus is a fault: torque off is sent and the operator is told why', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    const telemetry: RobotTelemetry[] = [];
    controller.onTelemetry((t) => telemetry.push(t));
    emulated!.bus.inject({ kind: 'silent' });
    await until(() => controller.status === 'fault', 'the fault', 2000);
    expect(telemetry.at(-1)!.message).toMatch(
      /fault: 3 reads in a row failed \(no reply from servos 1, 2, 3, 4, 5, 6 within \d+ ms\); torque off sent/,
    );
    // The torque-off write was sent even though nobody answered; it is what reached the servos.
    await until(() => [1, 2, 3, 4, 5, 6].every((id) => !torqueOf(id)), 'torque off on every servo', 1000);
    const torqueWrites = emulated!.bus.writes.filter((w) => w.address === STS3215.torqueEnable.address);
    expect(torqueWrites.at(-1)!.data).toEqual([0]);
  });

  it('garbage, truncated, bad-checksum and wrong-id replies are survived without a fault', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    for (const fault of [
      { kind: 'garbage', bytes: 7 },
      { kind: 'truncate', count: 1 },
      { kind: 'bad-checksum', count: 1 },
      { kind: 'wrong-id', count: 1 },
    ] as const) {
      emulated!.bus.inject(fault);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const keepAlive = setInterval(() => controller.keepAlive(), 50);
    try {
      await controller.moveTo(REACHABLE);
    } finally {
      clearInterval(keepAlive);
    }
    expect(controller.status).toBe('holding');
  });

  it('an overheating servo is a fault that turns torque off and names the servo', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    const telemetry: RobotTelemetry[] = [];
    controller.onTelemetry((t) => telemetry.push(t));
    emulated!.bus.inject({ kind: 'temperature', id: 6, celsius: 72 });
    await until(() => controller.status === 'fault', 'the overheat fault', 2000);
    expect(telemetry.at(-1)!.message).toMatch(/servo 6 \(jaw\) is at 72 °C, over the 60 °C limit/);
    await until(() => !torqueOf(6), 'torque off on the hot servo', 1000);
  });
});

describe('disconnecting', () => {
  it('turns torque off on every servo', async () => {
    const { controller } = await connect();
    await controller.torqueOn();
    expect([1, 2, 3, 4, 5, 6].map(torqueOf)).toEqual([true, true, true, true, true, true]);
    await arm!.disconnect();
    arm = undefined;
    await until(() => [1, 2, 3, 4, 5, 6].every((id) => !torqueOf(id)), 'torque off on every servo', 1000);
  });
});
