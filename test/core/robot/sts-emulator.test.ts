// The emulated STS3215 chain over a real pty pair: serialport on the app side, core/robot/feetech.ts
// building requests and reading replies. Each test gets a fresh pair, emulator and port, closed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  STS3215,
  STS3215_MODEL,
  action,
  decodeSignMagnitude,
  decodeU16,
  encodeSignMagnitude,
  encodeU16,
  feetech,
  regWrite,
} from '../../../core/robot/feetech.ts';
import { isFrameProblem, type FrameProblem, type StatusPacket } from '../../../core/robot/protocol.ts';
import { openPtyPair, type PtyPair } from '../../fixtures/pty-pair.ts';
import { StsBusEmulator, type StsBusEmulatorOptions } from '../../fixtures/sts-bus-emulator.ts';

type Item = StatusPacket | FrameProblem;
const ALL = [1, 2, 3, 4, 5, 6];
const QUIET_MS = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds or `ms` pass; motion takes real time and a loaded machine is slower. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  }
}

/** The app's end of the bus: sends a request and gathers what the reader makes of the reply bytes. */
class AppSide {
  readonly reader = feetech.reader();
  items: Item[] = [];
  /** Raw bytes since the last request, to see what a truncated reply left behind. */
  raw = Buffer.alloc(0);
  private wake: (() => void) | undefined;

  private constructor(readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.raw = Buffer.concat([this.raw, chunk]);
      this.reader.push(chunk);
      for (let item = this.reader.next(); item; item = this.reader.next()) this.items.push(item);
      this.wake?.();
    });
  }

  static async open(path: string): Promise<AppSide> {
    const port = new SerialPort({ path, baudRate: 1_000_000, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    return new AppSide(port);
  }

  /**
   * Sends `packet` and waits until `packets` status packets came or `timeoutMs` passed (a silent bus just
   * times out). Starts from a clean reader unless `keepPending`, as the bus does after a timeout.
   */
  async transact(
    packet: Buffer,
    { packets = 1, timeoutMs = 1000, keepPending = false } = {},
  ): Promise<Item[]> {
    if (!keepPending) this.reader.reset();
    this.items = [];
    this.raw = Buffer.alloc(0);
    this.port.write(packet);
    const deadline = Date.now() + timeoutMs;
    while (this.packets().length < packets && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
    }
    return this.items;
  }

  /**
   * Sends a request that gets no reply (sync write, broadcast), then pings `barrier`: the servos handle
   * requests in order, so once the ping is answered the request has been applied.
   */
  async send(packet: Buffer, barrier = 1): Promise<void> {
    this.port.write(packet);
    await this.transact(feetech.ping(barrier));
    if (this.packets().length !== 1)
      throw new Error(`servo ${barrier} did not answer the ping after a request`);
  }

  packets(): StatusPacket[] {
    return this.items.filter((item): item is StatusPacket => !isFrameProblem(item));
  }

  async readWord(id: number, register: { address: number }): Promise<number> {
    const [reply] = await this.transact(feetech.read(id, register.address, 2));
    if (!reply || isFrameProblem(reply))
      throw new Error(`no word from servo ${id}: ${JSON.stringify(reply)}`);
    return decodeU16(reply.params);
  }

  async positions(ids: number[]): Promise<number[]> {
    await this.transact(feetech.syncRead(ids, STS3215.presentPosition.address, 2), { packets: ids.length });
    return this.packets().map((packet) => decodeU16(packet.params));
  }

  async writeByte(id: number, register: { address: number }, value: number): Promise<StatusPacket[]> {
    await this.transact(feetech.write(id, register.address, Buffer.from([value])));
    return this.packets();
  }

  async writeWord(id: number, register: { address: number }, value: number): Promise<StatusPacket[]> {
    await this.transact(feetech.write(id, register.address, encodeU16(value)));
    return this.packets();
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

let pair: PtyPair | undefined;
let emulator: StsBusEmulator | undefined;
let app: AppSide | undefined;

async function setUp(options: Omit<StsBusEmulatorOptions, 'path'> = {}) {
  pair = await openPtyPair();
  emulator = new StsBusEmulator({ path: pair.bus, ...options });
  await emulator.start();
  app = await AppSide.open(pair.app);
  return { bus: emulator, app };
}

afterEach(async () => {
  await app?.close();
  await emulator?.stop();
  await pair?.close();
  app = emulator = pair = undefined;
});

const goals = (entries: Array<[number, number]>) =>
  feetech.syncWrite(
    STS3215.goalPosition.address,
    2,
    entries.map(([id, ticks]) => ({ id, data: encodeU16(ticks) })),
  );

describe('emulated STS3215 bus: requests', () => {
  it('answers a ping from each servo, and nothing for an id that is not there', async () => {
    const { app } = await setUp();
    for (const id of ALL) {
      expect(await app.transact(feetech.ping(id))).toEqual([{ id, error: 0, params: Buffer.alloc(0) }]);
    }
    expect(await app.transact(feetech.ping(7), { timeoutMs: QUIET_MS })).toEqual([]);
    await app.transact(feetech.ping(feetech.broadcastId), { packets: 6 });
    expect(app.packets().map((packet) => packet.id)).toEqual(ALL);
  });

  it('replies to a position read with exactly the bytes a real STS3215 sends', async () => {
    const { app } = await setUp();
    await app.transact(feetech.read(2, STS3215.presentPosition.address, 2));
    expect(app.raw.toString('hex')).toBe('ffff0204000008f1');
    expect(await app.readWord(3, STS3215.modelNumber)).toBe(STS3215_MODEL);
  });

  it('sync-reads six positions, one status packet per servo, in the order asked', async () => {
    const positions = { 1: 100, 2: 1000, 3: 2048, 4: 3000, 5: 4000, 6: 4095 };
    const { app } = await setUp({ positions });
    expect(await app.positions(ALL)).toEqual([100, 1000, 2048, 3000, 4000, 4095]);
    await app.transact(feetech.syncRead([6, 1, 3], STS3215.presentPosition.address, 2), { packets: 3 });
    expect(app.packets().map((packet) => [packet.id, decodeU16(packet.params)])).toEqual([
      [6, 4095],
      [1, 100],
      [3, 2048],
    ]);
  });
});

describe('emulated STS3215 bus: motion', () => {
  it('moves to sync-written goals at a bounded speed with torque on', async () => {
    const { bus, app } = await setUp({ maxSpeed: 3000 });
    await app.send(feetech.write(feetech.broadcastId, STS3215.torqueEnable.address, Buffer.from([1])));
    const targets = [1048, 3048, 2548, 1548, 2048, 2148];
    const sentAt = performance.now();
    await app.send(goals(ALL.map((id, i) => [id, targets[i]])));

    const early = await app.positions([1]);
    const elapsed = (performance.now() - sentAt) / 1000;
    expect(2048 - early[0]).toBeLessThanOrEqual(3000 * elapsed + 20); // no faster than maxSpeed
    // 1000 ticks at 3000 ticks/s take a third of a second: not there yet unless this machine stalled.
    if (elapsed < 0.25) expect(early[0]).toBeGreaterThan(1048);

    const arrived = async () =>
      (await app.positions(ALL)).every((ticks, i) => Math.abs(ticks - targets[i]) <= 3);
    await until(arrived, 'every servo within 3 ticks of its goal', 2000);
    await until(() => !bus.servo(1).moving, 'servo 1 to stop');
    expect(bus.servo(1)).toMatchObject({ moving: false, speed: 0, load: 0 });
  });

  it('reports speed, load and moving while on its way', async () => {
    const { bus, app } = await setUp({ maxSpeed: 1000 });
    await app.writeByte(1, STS3215.torqueEnable, 1);
    await app.writeWord(1, STS3215.goalPosition, 3048);
    await sleep(50);
    const [moving] = await app.transact(feetech.read(1, STS3215.presentPosition.address, 16));
    const params = (moving as StatusPacket).params;
    const field = (register: { address: number }) => register.address - STS3215.presentPosition.address;
    expect(decodeSignMagnitude(decodeU16(params, field(STS3215.presentSpeed)), 15)).toBeGreaterThan(500);
    expect(decodeSignMagnitude(decodeU16(params, field(STS3215.presentLoad)), 10)).toBeGreaterThan(500);
    expect(params[field(STS3215.moving)]).toBe(1);
    expect(params[field(STS3215.presentVoltage)]).toBe(120);
    expect(params[field(STS3215.presentTemperature)]).toBe(30);
    expect(bus.servo(1).speed).toBeGreaterThan(0);
  });

  it('honours a goal speed slower than the maximum', async () => {
    const { app } = await setUp({ maxSpeed: 3000 });
    await app.writeWord(1, STS3215.goalSpeed, 500);
    await app.writeByte(1, STS3215.torqueEnable, 1);
    const sentAt = performance.now();
    await app.writeWord(1, STS3215.goalPosition, 3048);
    await sleep(200);
    const [position] = await app.positions([1]);
    const seconds = (performance.now() - sentAt) / 1000;
    expect(position).toBeGreaterThan(2048);
    expect(position - 2048).toBeLessThanOrEqual(500 * seconds + 10); // 500 ticks/s, not the 3000 maximum
  });

  it('does not move with torque off', async () => {
    const { bus, app } = await setUp();
    await app.send(goals(ALL.map((id) => [id, 3000])));
    await sleep(300);
    expect(await app.positions(ALL)).toEqual(ALL.map(() => 2048));
    expect(bus.servo(1)).toMatchObject({ goal: 3000, torque: false, position: 2048 });
  });

  it('clamps goals to the position limits and never wraps through zero', async () => {
    const { app } = await setUp({ positions: { 1: 100 }, maxSpeed: 20000 });
    await app.writeByte(1, STS3215.torqueEnable, 1);
    await app.writeWord(1, STS3215.goalPosition, 4000);
    await sleep(60);
    const [halfway] = await app.positions([1]);
    expect(halfway).toBeGreaterThan(100); // went up through the middle, not down through 0
    await app.writeWord(1, STS3215.maxPositionLimit, 3000);
    await until(async () => (await app.positions([1]))[0] === 3000, 'servo 1 to stop at its limit of 3000');
    await sleep(100);
    expect(await app.positions([1])).toEqual([3000]);
  });

  it('holds a REG_WRITE until ACTION', async () => {
    const { bus, app } = await setUp({ maxSpeed: 20000 });
    await app.send(feetech.write(feetech.broadcastId, STS3215.torqueEnable.address, Buffer.from([1])));
    for (const id of [1, 2]) await app.transact(regWrite(id, STS3215.goalPosition.address, encodeU16(2500)));
    await sleep(100);
    expect(await app.positions([1, 2])).toEqual([2048, 2048]);
    await app.send(action());
    await until(async () => (await app.positions([1, 2])).every((ticks) => ticks === 2500), 'both at 2500');
    expect(bus.writes.filter((write) => write.via === 'reg-write').map((write) => write.id)).toEqual([1, 2]);
  });
});

describe('emulated STS3215 bus: write log', () => {
  it('records a sync write once per servo, and a broadcast write for every servo', async () => {
    const { bus, app } = await setUp();
    await app.send(
      goals([
        [1, 1000],
        [2, 2000],
        [3, 3000],
        [4, 1500],
        [5, 2500],
        [6, 3500],
      ]),
    );
    const synced = bus.writes.filter((write) => write.via === 'sync-write');
    expect(synced.map(({ id, address, data }) => ({ id, address, data }))).toEqual([
      { id: 1, address: 42, data: [0xe8, 0x03] },
      { id: 2, address: 42, data: [0xd0, 0x07] },
      { id: 3, address: 42, data: [0xb8, 0x0b] },
      { id: 4, address: 42, data: [0xdc, 0x05] },
      { id: 5, address: 42, data: [0xc4, 0x09] },
      { id: 6, address: 42, data: [0xac, 0x0d] },
    ]);
    expect(synced.every((write) => write.t >= 0)).toBe(true);
    expect(bus.requests['sync-write']).toBe(1);

    const before = bus.writes.length;
    await app.send(feetech.write(feetech.broadcastId, STS3215.torqueEnable.address, Buffer.from([0])));
    expect(bus.writes.slice(before).map((write) => [write.id, write.via])).toEqual(
      ALL.map((id) => [id, 'write']),
    );
  });

  it('logs nothing for a request the servo ignored', async () => {
    const { bus, app } = await setUp();
    const corrupt = feetech.write(1, STS3215.goalPosition.address, encodeU16(3000));
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(await app.transact(corrupt, { timeoutMs: QUIET_MS })).toEqual([]);
    expect(bus.writes).toEqual([]);
    expect(bus.ignoredRequests).toBe(1);
    expect(bus.servo(1).goal).toBe(2048);
  });
});

describe('emulated STS3215 bus: faults', () => {
  it('silent: the whole bus, or only some ids, stop answering', async () => {
    const { bus, app } = await setUp();
    bus.inject({ kind: 'silent', ids: [2] });
    await app.transact(feetech.syncRead([1, 2, 3], STS3215.presentPosition.address, 2), {
      packets: 3,
      timeoutMs: QUIET_MS,
    });
    expect(app.packets().map((packet) => packet.id)).toEqual([1, 3]);
    bus.inject({ kind: 'silent' });
    expect(await app.transact(feetech.ping(1), { timeoutMs: QUIET_MS })).toEqual([]);
    bus.clearFaults();
    expect(await app.transact(feetech.ping(1))).toHaveLength(1);
  });

  it('garbage: junk before the next reply, reported as garbage, then the reply', async () => {
    const { bus, app } = await setUp();
    bus.inject({ kind: 'garbage', bytes: 5 });
    const items = await app.transact(feetech.ping(1));
    expect(items[0]).toMatchObject({ problem: 'garbage', bytes: 5 });
    expect(items[1]).toMatchObject({ id: 1, error: 0 });
    expect(await app.transact(feetech.ping(1))).toEqual([{ id: 1, error: 0, params: Buffer.alloc(0) }]);
  });

  it('bad-checksum: the next replies fail their checksum, then good ones come again', async () => {
    const { bus, app } = await setUp();
    bus.inject({ kind: 'bad-checksum', count: 2 });
    for (const id of [1, 2]) {
      const items = await app.transact(feetech.ping(id), { timeoutMs: QUIET_MS });
      expect(items).toEqual([expect.objectContaining({ problem: 'checksum' })]);
    }
    expect(await app.transact(feetech.ping(3))).toEqual([{ id: 3, error: 0, params: Buffer.alloc(0) }]);
  });

  it('bad-checksum inside a sync read: the other servos still come through', async () => {
    const { bus, app } = await setUp();
    bus.inject({ kind: 'bad-checksum', count: 1 });
    await app.transact(feetech.syncRead(ALL, STS3215.presentPosition.address, 2), { packets: 5 });
    expect(app.items[0]).toMatchObject({ problem: 'checksum' });
    expect(app.packets().map((packet) => packet.id)).toEqual([2, 3, 4, 5, 6]);
  });

  it('truncate: a cut reply stays pending in the reader until reset, then it poisons the next one', async () => {
    const { bus, app } = await setUp();
    bus.inject({ kind: 'truncate', count: 2 });
    expect(await app.transact(feetech.ping(1), { timeoutMs: QUIET_MS })).toEqual([]);
    expect(app.raw.toString('hex')).toBe('ffff01'); // half of ff ff 01 02 00 fc
    // The bus resets its reader after a timeout; without that, the stale half spoils the next reply.
    const items = await app.transact(feetech.ping(1), { timeoutMs: QUIET_MS });
    expect(items).toEqual([]);
    const next = await app.transact(feetech.ping(1), { keepPending: true });
    expect(next[0]).toMatchObject({ problem: 'malformed' });
    expect(next.at(-1)).toMatchObject({ id: 1, error: 0 });
  });

  it('wrong-id: the reply claims another servo', async () => {
    const { bus, app } = await setUp();
    bus.inject({ kind: 'wrong-id', count: 1 });
    const [reply] = await app.transact(feetech.ping(1));
    expect(reply).toMatchObject({ id: 2, error: 0 });
    expect(await app.transact(feetech.ping(1))).toMatchObject([{ id: 1 }]);
  });

  it('error-bits: that servo reports them in every status until cleared', async () => {
    const { bus, app } = await setUp();
    bus.inject({ kind: 'error-bits', id: 3, bits: 0b100001 });
    const [pinged] = (await app.transact(feetech.ping(3))) as StatusPacket[];
    expect(feetech.errorNames(pinged.error)).toEqual(['input voltage', 'overload']);
    const [read] = (await app.transact(
      feetech.read(3, STS3215.presentPosition.address, 2),
    )) as StatusPacket[];
    expect(read.error).toBe(0b100001);
    expect(((await app.transact(feetech.ping(2))) as StatusPacket[])[0].error).toBe(0);
    bus.clearFaults();
    expect(((await app.transact(feetech.ping(3))) as StatusPacket[])[0].error).toBe(0);
  });

  it('temperature: reported as set; above the limit the servo flags overheat and drops torque', async () => {
    const { bus, app } = await setUp();
    await app.writeByte(4, STS3215.torqueEnable, 1);
    bus.inject({ kind: 'temperature', id: 4, celsius: 55 });
    const [warm] = (await app.transact(
      feetech.read(4, STS3215.presentTemperature.address, 1),
    )) as StatusPacket[];
    expect([warm.params[0], warm.error]).toEqual([55, 0]);
    bus.inject({ kind: 'temperature', id: 4, celsius: 75 });
    await until(() => !bus.servo(4).torque, 'servo 4 to drop torque');
    const [hot] = (await app.transact(
      feetech.read(4, STS3215.presentTemperature.address, 1),
    )) as StatusPacket[];
    expect(hot.params[0]).toBe(75);
    expect(feetech.errorNames(hot.error)).toEqual(['overheat']);
    expect(bus.servo(4).torque).toBe(false);
  });

  it('missing: those servos never answer or hear anything, like a loose daisy-chain cable', async () => {
    const { bus, app } = await setUp();
    bus.inject({ kind: 'missing', ids: [2, 3, 4, 5, 6] });
    const answered: number[] = [];
    for (const id of ALL) {
      const items = await app.transact(feetech.ping(id), { timeoutMs: QUIET_MS });
      answered.push(
        ...items.filter((item) => !isFrameProblem(item)).map((item) => (item as StatusPacket).id),
      );
    }
    expect(answered).toEqual([1]);
    await app.send(goals(ALL.map((id) => [id, 3000])));
    expect(bus.writes.map((write) => write.id)).toEqual([1]);
    expect(bus.servo(2).goal).toBe(2048);
  });
});

describe('emulated STS3215 bus: calibration registers', () => {
  const writeOffset = (app: AppSide, id: number, offset: number) =>
    app.writeWord(id, STS3215.homingOffset, encodeSignMagnitude(offset, 11, 'homing offset'));

  it('reports present position as raw angle minus the homing offset (sign in bit 11), modulo 4096', async () => {
    const { bus, app } = await setUp({ positions: { 1: 2048, 2: 50 } });
    for (const id of [1, 2]) await app.writeByte(id, STS3215.lock, 0);
    await writeOffset(app, 1, 100);
    expect(await app.readWord(1, STS3215.presentPosition)).toBe(1948);
    await writeOffset(app, 1, -100);
    expect(await app.readWord(1, STS3215.presentPosition)).toBe(2148);
    expect(await app.readWord(1, STS3215.homingOffset)).toBe(0x800 | 100);
    await writeOffset(app, 2, 100);
    expect(await app.readWord(2, STS3215.presentPosition)).toBe(4046);
    expect(bus.servo(1)).toMatchObject({ rawAngle: 2048, homingOffset: -100, position: 2148 });
  });

  it('an operator can turn a servo by hand only with torque off', async () => {
    const { bus, app } = await setUp();
    bus.moveByHand(1, 1000);
    expect(await app.positions([1])).toEqual([1000]);
    await app.writeByte(1, STS3215.torqueEnable, 1);
    expect(() => bus.moveByHand(1, 1500)).toThrow(/servo 1 holds its position with torque on/);
  });

  it('jumps to a stale goal when torque comes on (why goals are set to the present position first)', async () => {
    const { bus, app } = await setUp({ maxSpeed: 20000 });
    bus.moveByHand(1, 1000); // goal is still the power-on 2048
    await app.writeByte(1, STS3215.torqueEnable, 1);
    await until(async () => (await app.positions([1]))[0] === 2048, 'servo 1 back at its stale goal 2048');
  });

  it('keeps an EEPROM write made while locked only until a power cycle; an unlocked one survives', async () => {
    const { bus, app } = await setUp();
    expect(bus.servo(1).locked).toBe(true); // lock = 1 at power-on
    await writeOffset(app, 1, 300);
    expect(await app.readWord(1, STS3215.presentPosition)).toBe(1748); // effective at once
    bus.powerCycle();
    expect(await app.readWord(1, STS3215.homingOffset)).toBe(0);
    expect(await app.readWord(1, STS3215.presentPosition)).toBe(2048);

    await app.writeByte(1, STS3215.lock, 0);
    await writeOffset(app, 1, 300);
    await app.writeByte(1, STS3215.lock, 1);
    bus.powerCycle();
    expect(await app.readWord(1, STS3215.homingOffset)).toBe(300);
    expect(await app.readWord(1, STS3215.presentPosition)).toBe(1748);
  });

  it('can be told to ignore EEPROM writes while locked, the stricter reading', async () => {
    const { bus, app } = await setUp({ eepromWhileLocked: 'ignored' });
    const [status] = await writeOffset(app, 1, 300);
    expect(status).toMatchObject({ id: 1, error: 0 }); // the servo still acknowledges the write
    expect(await app.readWord(1, STS3215.homingOffset)).toBe(0);
    expect(bus.writes).toMatchObject([{ id: 1, address: STS3215.homingOffset.address }]); // it reached the servo
    await app.writeByte(1, STS3215.lock, 0);
    await writeOffset(app, 1, 300);
    expect(await app.readWord(1, STS3215.presentPosition)).toBe(1748);
  });

  it('ignores writes to read-only fields such as the model number and present position', async () => {
    const { app } = await setUp();
    const [status] = await app.writeWord(1, STS3215.presentPosition, 100);
    expect(status).toMatchObject({ id: 1, error: 0 });
    expect(await app.readWord(1, STS3215.presentPosition)).toBe(2048);
    await app.writeWord(1, STS3215.modelNumber, 1);
    expect(await app.readWord(1, STS3215.modelNumber)).toBe(STS3215_MODEL);
  });
});

describe('emulator program', () => {
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    child = undefined;
  });

  it('runs as a separate process driven by JSON lines', async () => {
    pair = await openPtyPair();
    const program = fileURLToPath(new URL('../../fixtures/sts-bus-emulator.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', program, '--port', pair.bus, '--ids', '1,2'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: Array<Record<string, unknown>> = [];
    let wake: (() => void) | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
      wake?.();
    });
    /** The next line with `key`, taken off the list so the same line never answers twice. */
    const waitFor = async (key: string) => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        const at = lines.findIndex((line) => key in line);
        if (at >= 0) return lines.splice(at, 1)[0];
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
      throw new Error(`no ${key} line from the emulator program; got ${JSON.stringify(lines)}`);
    };
    const command = async (line: Record<string, unknown>) => {
      child?.stdin?.write(`${JSON.stringify(line)}\n`);
      expect(await waitFor('ok')).toEqual({ ok: Object.keys(line)[0] });
    };

    expect(await waitFor('ready')).toEqual({ ready: true });
    app = await AppSide.open(pair.app);
    expect(await app.transact(feetech.ping(2))).toMatchObject([{ id: 2 }]);
    expect(await app.transact(feetech.ping(3), { timeoutMs: QUIET_MS })).toEqual([]);

    await app.writeWord(1, STS3215.goalPosition, 2100);
    expect((await waitFor('write')).write).toMatchObject({
      id: 1,
      address: 42,
      data: [0x34, 0x08],
      via: 'write',
    });

    await command({ moveByHand: { id: 2, ticks: 1000 } });
    child.stdin?.write('{"dump":true}\n');
    expect(await waitFor('positions')).toMatchObject({ positions: { 1: 2048, 2: 1000 }, goals: { 1: 2100 } });

    await command({ inject: { kind: 'silent' } });
    expect(await app.transact(feetech.ping(1), { timeoutMs: QUIET_MS })).toEqual([]);
    await command({ clear: true });
    expect(await app.transact(feetech.ping(1))).toMatchObject([{ id: 1 }]);

    child.stdin?.write('{"moveByHand":{"id":7,"ticks":5}}\n{"nonsense":1}\n');
    expect(await waitFor('error')).toEqual({ error: 'no servo with id 7 on the emulated bus (ids: 1, 2)' });
    expect(await waitFor('error')).toEqual({ error: 'unknown command {"nonsense":1}' });

    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.stdin?.end(); // the parent going away stops it
    expect(await exited).toBe(0);
  });
});
