// The Dynamixel protocol over a real serial port: serialport and the protocol's reader on the app
// side of a socat pty pair, the emulated X-series chain on the bus side.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import {
  bulkRead,
  dynamixel,
  encodeValue,
  hardwareErrorNames,
  int32le,
  MODEL_NUMBERS,
  readInt32le,
  X_SERIES,
} from '../../../core/robot/dynamixel.ts';
import { isFrameProblem, type FrameProblem, type StatusPacket } from '../../../core/robot/protocol.ts';
import { DynamixelBusEmulator } from '../../fixtures/dynamixel-bus-emulator.ts';
import { openPtyPair, type PtyPair } from '../../fixtures/pty-pair.ts';

const { goalPosition, presentPosition, torqueEnable, operatingMode, homingOffset, hardwareErrorStatus } =
  X_SERIES;

interface Exchange {
  packets: StatusPacket[];
  problems: FrameProblem[];
}

/** The app side: writes packets, and reads status packets back with the protocol's own reader. */
class App {
  private readonly reader = dynamixel.reader();
  private wake: (() => void) | undefined;
  /** Every byte the app received, to check what crossed the wire. */
  received = Buffer.alloc(0);

  private constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.reader.push(chunk);
      this.wake?.();
    });
  }

  static async open(path: string): Promise<App> {
    const port = new SerialPort({ path, baudRate: 1_000_000, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    return new App(port);
  }

  async send(packet: Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.port.write(packet, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Send, then collect replies until `expected` status packets arrived or `timeoutMs` passed. */
  async request(packet: Buffer, expected = 1, timeoutMs = 300): Promise<Exchange> {
    this.reader.reset();
    this.received = Buffer.alloc(0);
    const result: Exchange = { packets: [], problems: [] };
    const deadline = Date.now() + timeoutMs;
    await this.send(packet);
    for (;;) {
      for (let item = this.reader.next(); item !== undefined; item = this.reader.next()) {
        if (isFrameProblem(item)) result.problems.push(item);
        else result.packets.push(item);
      }
      if (result.packets.length >= expected || Date.now() >= deadline) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return result;
  }

  /** One servo's register, asserting a clean reply. */
  async read(id: number, register: { address: number; size: 1 | 2 | 4 }): Promise<number> {
    const { packets } = await this.request(dynamixel.read(id, register.address, register.size));
    expect(packets).toHaveLength(1);
    expect(packets[0]).toMatchObject({ id, error: 0 });
    return packets[0].params.readIntLE(0, register.size);
  }

  async write(
    id: number,
    register: { address: number; size: 1 | 2 | 4 },
    value: number,
  ): Promise<StatusPacket> {
    const { packets } = await this.request(
      dynamixel.write(id, register.address, encodeValue(value, register.size)),
    );
    expect(packets).toHaveLength(1);
    return packets[0];
  }

  async syncReadPositions(ids: number[]): Promise<number[]> {
    const { packets } = await this.request(dynamixel.syncRead(ids, presentPosition.address, 4), ids.length);
    expect(packets.map((packet) => packet.id)).toEqual(ids);
    return packets.map((packet) => readInt32le(packet.params));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let pair: PtyPair;
let bus: DynamixelBusEmulator;
let app: App;

beforeEach(async () => {
  pair = await openPtyPair();
  bus = new DynamixelBusEmulator({
    path: pair.bus,
    positions: { 1: 1000, 2: 1500, 3: 2000, 4: 2500, 5: 3000, 6: 3500 },
  });
  await bus.start();
  app = await App.open(pair.app);
});

afterEach(async () => {
  await app?.close();
  await bus?.stop();
  await pair?.close();
});

describe('Dynamixel bus over a pty', () => {
  it('answers a ping with the model number and firmware; a broadcast ping from every servo in order', async () => {
    const { packets } = await app.request(dynamixel.ping(3));
    expect(packets).toHaveLength(1);
    expect(packets[0].id).toBe(3);
    expect(packets[0].params.readUInt16LE(0)).toBe(MODEL_NUMBERS['XL330-M288']);
    expect(packets[0].params[2]).toBe(52);
    expect(await app.read(3, X_SERIES.modelNumber)).toBe(1200);

    const all = await app.request(dynamixel.ping(dynamixel.broadcastId), 6);
    expect(all.packets.map((packet) => packet.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.problems).toEqual([]);
  });

  it('writes and reads back a goal position; with torque off the servo stays put', async () => {
    expect(await app.write(2, goalPosition, 1800)).toMatchObject({
      id: 2,
      error: 0,
      params: Buffer.alloc(0),
    });
    expect(await app.read(2, goalPosition)).toBe(1800);
    await sleep(50);
    expect(await app.read(2, presentPosition)).toBe(1500);
    expect(bus.servo(2).goal).toBe(1800);
  });

  it('reports a servo moved by hand with torque off, and refuses the move with torque on', async () => {
    bus.moveByHand(6, 1234);
    expect(await app.syncReadPositions([6])).toEqual([1234]);
    await app.write(6, torqueEnable, 1);
    expect(() => bus.moveByHand(6, 100)).toThrow(/torque on/);
  });

  it('sync-reads several positions, one reply per servo in the order asked', async () => {
    expect(await app.syncReadPositions([5, 1, 3])).toEqual([3000, 1000, 2000]);
  });

  it('bulk-reads different registers from different servos', async () => {
    const { packets } = await app.request(
      bulkRead([
        { id: 1, address: presentPosition.address, length: 4 },
        { id: 2, address: X_SERIES.presentTemperature.address, length: 1 },
      ]),
      2,
    );
    expect(packets.map((packet) => [packet.id, packet.params.readIntLE(0, packet.params.length)])).toEqual([
      [1, 1000],
      [2, 30],
    ]);
  });

  it('moves servos with torque on toward a sync-written goal at a bounded speed, not those with torque off', async () => {
    await app.send(
      dynamixel.syncWrite(torqueEnable.address, 1, [
        { id: 1, data: Buffer.from([1]) },
        { id: 2, data: Buffer.from([1]) },
      ]),
    );
    await app.send(
      dynamixel.syncWrite(goalPosition.address, 4, [
        { id: 1, data: int32le(3000) },
        { id: 2, data: int32le(1400) },
        { id: 3, data: int32le(3000) }, // torque off: must not move
      ]),
    );
    await sleep(150);
    const [one, two, three] = await app.syncReadPositions([1, 2, 3]);
    expect(one).toBeGreaterThan(1000 + 100); // on its way (2000 ticks/s)
    expect(one).toBeLessThan(3000); // but not there yet: speed is bounded
    expect(two).toBe(1400); // a short move is done
    expect(three).toBe(2000);
    expect(await app.read(1, X_SERIES.moving)).toBe(1);
    await sleep(1100);
    expect(await app.syncReadPositions([1, 3])).toEqual([3000, 2000]);
    expect(await app.read(1, X_SERIES.moving)).toBe(0);
  });

  it('logs every write that reached a servo, and how it came', async () => {
    await app.write(4, torqueEnable, 1);
    await app.send(dynamixel.syncWrite(goalPosition.address, 4, [{ id: 4, data: int32le(2600) }]));
    await app.send(dynamixel.write(dynamixel.broadcastId, X_SERIES.led.address, Buffer.from([1])));
    await app.write(4, operatingMode, 1); // refused: EEPROM is locked while torque is on
    await sleep(50);
    expect(bus.writes.map(({ id, address, via }) => [id, address, via])).toEqual([
      [4, torqueEnable.address, 'write'],
      [4, goalPosition.address, 'sync-write'],
      ...[1, 2, 3, 4, 5, 6].map((id) => [id, X_SERIES.led.address, 'write']),
    ]);
    expect(readInt32le(Buffer.from(bus.writes[1].data))).toBe(2600);
    expect(bus.writes.every((write) => write.t >= 0)).toBe(true);
    expect(bus.requests).toMatchObject({ write: 3, 'sync-write': 1 });
  });

  it('refuses an EEPROM write with torque on as an access error, and an unreachable goal as a limit error', async () => {
    await app.write(1, torqueEnable, 1);
    const refused = await app.write(1, operatingMode, 1);
    expect(dynamixel.errorNames(refused.error)).toEqual([expect.stringMatching(/^access error/)]);
    expect(await app.read(1, operatingMode)).toBe(3);
    const beyond = await app.write(1, goalPosition, 5000);
    expect(dynamixel.errorNames(beyond.error)).toEqual([expect.stringMatching(/^data limit error/)]);
  });

  it('carries data that needs byte stuffing across the wire both ways', async () => {
    // -131073 is FF FF FD FF: stuffed in the write request and in the read reply
    const request = dynamixel.write(1, homingOffset.address, int32le(-131073));
    expect(request.includes(Buffer.from([0xff, 0xff, 0xfd, 0xfd]))).toBe(true);
    expect((await app.request(request)).packets).toMatchObject([{ id: 1, error: 0 }]);
    expect(bus.servo(1).homingOffset).toBe(-131073);

    await app.write(2, homingOffset, -131073);
    const { packets } = await app.request(dynamixel.syncRead([1, 2], homingOffset.address, 4), 2);
    expect(app.received.includes(Buffer.from([0xff, 0xff, 0xfd, 0xfd]))).toBe(true); // stuffed on the wire
    expect(packets.map((packet) => readInt32le(packet.params))).toEqual([-131073, -131073]);
  });

  it('ignores a request with a bad CRC', async () => {
    const corrupt = dynamixel.write(1, goalPosition.address, int32le(3000));
    corrupt[corrupt.length - 1] ^= 0x55;
    const { packets } = await app.request(corrupt, 1, 150);
    expect(packets).toEqual([]);
    expect(bus.writes).toEqual([]);
    expect(bus.ignoredRequests).toBeGreaterThan(0);
    expect(bus.requests.write).toBe(0);
    expect(bus.servo(1).goal).toBe(1000);
  });
});

describe('faults, as the reader sees them', () => {
  it('silent: no reply, but the write still took effect', async () => {
    bus.inject({ kind: 'silent', ids: [2] });
    const { packets, problems } = await app.request(
      dynamixel.write(2, goalPosition.address, int32le(1600)),
      1,
      150,
    );
    expect(packets).toEqual([]);
    expect(problems).toEqual([]);
    expect(bus.servo(2).goal).toBe(1600);
    expect(await app.syncReadPositions([1])).toEqual([1000]); // the others still answer
  });

  it('missing: no reply and the write never arrives; a sync read gets the others only', async () => {
    bus.inject({ kind: 'missing', ids: [3] });
    expect((await app.request(dynamixel.ping(3), 1, 150)).packets).toEqual([]);
    await app.request(dynamixel.write(3, goalPosition.address, int32le(2100)), 1, 100);
    expect(bus.servo(3).goal).toBe(2000);
    const { packets } = await app.request(dynamixel.syncRead([2, 3, 4], presentPosition.address, 4), 3, 150);
    expect(packets.map((packet) => packet.id)).toEqual([2, 4]);
    bus.clearFaults();
    expect((await app.request(dynamixel.ping(3))).packets).toMatchObject([{ id: 3 }]);
  });

  it('garbage: junk before the reply is reported, the reply still read', async () => {
    bus.inject({ kind: 'garbage', bytes: 5 });
    const { packets, problems } = await app.request(dynamixel.ping(1));
    expect(problems).toMatchObject([{ problem: 'garbage', bytes: 5 }]);
    expect(packets).toMatchObject([{ id: 1, error: 0 }]);
  });

  it('bad-checksum: reported as checksum, and only for `count` replies', async () => {
    bus.inject({ kind: 'bad-checksum', count: 1 });
    const bad = await app.request(dynamixel.read(1, presentPosition.address, 4), 1, 150);
    expect(bad.packets).toEqual([]);
    expect(bad.problems).toMatchObject([{ problem: 'checksum' }]);
    expect(await app.read(1, presentPosition)).toBe(1000);
  });

  it('bad-checksum in a sync read does not hide the replies after it', async () => {
    bus.inject({ kind: 'bad-checksum', count: 1 });
    const { packets, problems } = await app.request(
      dynamixel.syncRead([1, 2, 3], presentPosition.address, 4),
      2,
    );
    expect(packets.map((packet) => packet.id)).toEqual([2, 3]);
    expect(problems).toMatchObject([{ problem: 'checksum' }]);
  });

  it('truncate: the half reply stays pending (a timeout for the bus), and reset() clears it', async () => {
    bus.inject({ kind: 'truncate', count: 1 });
    const cut = await app.request(dynamixel.read(1, presentPosition.address, 4), 1, 150);
    expect(cut.packets).toEqual([]);
    expect(cut.problems).toEqual([]);
    expect(app.received.length).toBe(8); // half of the 15-byte reply
    expect(await app.read(1, presentPosition)).toBe(1000); // request() resets the reader first
  });

  it('truncate in a sync read: the cut reply fails its CRC, the next reply is still read', async () => {
    bus.inject({ kind: 'truncate', count: 1 });
    const { packets, problems } = await app.request(
      dynamixel.syncRead([1, 2], presentPosition.address, 4),
      1,
    );
    expect(packets.map((packet) => [packet.id, readInt32le(packet.params)])).toEqual([[2, 1500]]);
    expect(problems).toMatchObject([{ problem: 'checksum', bytes: 8 }]); // its claimed 15 bytes ran into the next reply
  });

  it('wrong-id: the reply claims another id', async () => {
    bus.inject({ kind: 'wrong-id', count: 1 });
    expect((await app.request(dynamixel.ping(4))).packets).toMatchObject([{ id: 5 }]);
    expect((await app.request(dynamixel.ping(4))).packets).toMatchObject([{ id: 4 }]);
  });

  it('error-bits: the alert bit, and the hardware error status it points to; torque is off', async () => {
    await app.write(5, torqueEnable, 1);
    bus.inject({ kind: 'error-bits', id: 5, bits: 0x80, hardwareError: 0x24 });
    const { packets } = await app.request(dynamixel.read(5, presentPosition.address, 4));
    expect(packets[0].error & 0x80).toBe(0x80);
    expect(dynamixel.errorNames(packets[0].error)).toEqual([
      'hardware alert: read Hardware Error Status (address 70)',
    ]);
    expect(readInt32le(packets[0].params)).toBe(3000); // data still comes with the alert
    const status = await app.request(dynamixel.read(5, hardwareErrorStatus.address, 1));
    expect(hardwareErrorNames(status.packets[0].params[0])).toEqual(['overheating', 'overload']);
    expect(bus.servo(5).torque).toBe(false);

    bus.clearFaults();
    expect(await app.read(5, hardwareErrorStatus)).toBe(0);
  });

  it('error-bits: a result code in the error byte', async () => {
    bus.inject({ kind: 'error-bits', id: 6, bits: 0x04 });
    const { packets } = await app.request(dynamixel.ping(6));
    expect(dynamixel.errorNames(packets[0].error)).toEqual([expect.stringMatching(/^data range error/)]);
  });
});
