// The servo bus is not Feetech-only: the same ServoBus drives an emulated chain of Dynamixel
// X-series servos over a pty (ping with model numbers, reads, sync read, sync write), and the same
// faults come back as the same typed errors.
import { afterEach, describe, expect, it } from 'vitest';
import { dynamixel, int32le, readInt32le, X_SERIES } from '../../../core/robot/dynamixel.ts';
import { openSerialLink, ServoBus } from '../../../core/robot/servo-bus.ts';
import { scanBus } from '../../../core/robot/scan.ts';
import { openPtyPair, type PtyPair } from '../../fixtures/pty-pair.ts';
import { DynamixelBusEmulator } from '../../fixtures/dynamixel-bus-emulator.ts';
import { until } from '../../fixtures/emulated-arm.ts';

let pair: PtyPair | undefined;
let emulator: DynamixelBusEmulator | undefined;
let bus: ServoBus | undefined;

afterEach(async () => {
  await bus?.close();
  await emulator?.stop();
  await pair?.close();
  bus = emulator = pair = undefined;
});

async function start(ids = [1, 2, 3]): Promise<{ bus: ServoBus; emulator: DynamixelBusEmulator }> {
  pair = await openPtyPair();
  emulator = new DynamixelBusEmulator({ path: pair.bus, ids, positions: { 1: 1000, 2: 2000, 3: 3000 } });
  await emulator.start();
  bus = new ServoBus(await openSerialLink(pair.app, 1_000_000), dynamixel, { timeoutMs: 250 });
  return { bus, emulator };
}

describe('ServoBus on a Dynamixel X-series chain', () => {
  it('pings with the model number, reads and sync-reads positions', async () => {
    const { bus } = await start();
    const ping = await bus.ping(2);
    expect(ping.params.readUInt16LE(0)).toBe(1200); // XL330-M288
    expect(readInt32le(await bus.read(3, X_SERIES.presentPosition))).toBe(3000);
    const { values } = await bus.syncRead([1, 2, 3], X_SERIES.presentPosition);
    expect([1, 2, 3].map((id) => readInt32le(values.get(id)!))).toEqual([1000, 2000, 3000]);
  });

  it('scans a Koch-style chain and names the Dynamixel model of each servo', async () => {
    const { bus } = await start();
    const scan = await scanBus(bus, { ids: [1, 2, 3, 4], joints: ['a', 'b', 'c', 'd'] });
    expect(scan.found.map((s) => s.modelName)).toEqual([
      'Dynamixel XL330-M288',
      'Dynamixel XL330-M288',
      'Dynamixel XL330-M288',
    ]);
    expect(scan.missing).toEqual([{ id: 4, joint: 'd' }]);
    expect(scan.hint).toMatch(/check the cable from servo 3 \(c\) to servo 4 \(d\)/);
  });

  it('sync-writes goals that move the servos once torque is on', async () => {
    const { bus, emulator } = await start();
    await bus.syncWrite(
      X_SERIES.torqueEnable,
      [1, 2, 3].map((id) => ({ id, data: Buffer.from([1]) })),
    );
    await bus.syncWrite(
      X_SERIES.goalPosition,
      [1, 2, 3].map((id) => ({ id, data: int32le(2048) })),
    );
    await until(
      () => [1, 2, 3].every((id) => Math.abs(emulator.servo(id).position - 2048) <= 2),
      'the servos at 2048',
      5000,
    );
  });

  it('turns silence, a bad CRC and garbage into typed errors, never a crash', async () => {
    const { bus, emulator } = await start();
    emulator.inject({ kind: 'silent', ids: [2] });
    await expect(bus.syncRead([1, 2, 3], X_SERIES.presentPosition)).rejects.toMatchObject({
      kind: 'timeout',
      ids: [2],
    });
    emulator.clearFaults();
    emulator.inject({ kind: 'bad-checksum', count: 1 });
    await expect(bus.read(1, X_SERIES.presentPosition)).rejects.toMatchObject({ kind: 'checksum' });
    emulator.inject({ kind: 'garbage', bytes: 9 });
    expect(readInt32le(await bus.read(1, X_SERIES.presentPosition))).toBe(1000);
    expect(bus.stats.garbageBytes).toBeGreaterThan(0);
  });
});
