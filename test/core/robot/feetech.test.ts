// Feetech STS bytes: builders checked against hand-computed packets (and the two replies checked on a real
// bus, from shared/notes/serial.md), the streaming reader on the ways a half-duplex bus garbles bytes, and
// the sign-magnitude fields users trip over (LeRobot #1296).
import { describe, expect, it } from 'vitest';
import {
  STS3215,
  STS3215_MODEL,
  STS3215_SIGN_BITS,
  action,
  decodeSignMagnitude,
  decodeU16,
  encodeSignMagnitude,
  encodeU16,
  feetech,
  regWrite,
} from '../../../core/robot/feetech.ts';
import {
  BusError,
  isFrameProblem,
  type FrameProblem,
  type StatusPacket,
} from '../../../core/robot/protocol.ts';

const bytes = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const hex = (buf: Buffer) => buf.toString('hex').replace(/(..)(?!$)/g, '$1 ');

/** Everything the reader can give right now. */
function drain(reader = feetech.reader()): Array<StatusPacket | FrameProblem> {
  const items: Array<StatusPacket | FrameProblem> = [];
  for (let item = reader.next(); item; item = reader.next()) items.push(item);
  return items;
}

function readAll(...chunks: Buffer[]): Array<StatusPacket | FrameProblem> {
  const reader = feetech.reader();
  const items: Array<StatusPacket | FrameProblem> = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    items.push(...drain(reader));
  }
  return items;
}

function invalidMessage(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(BusError);
    expect((error as BusError).kind).toBe('invalid');
    return (error as BusError).message;
  }
  throw new Error('expected a BusError, nothing was thrown');
}

const PING_REPLY_1 = bytes('ff ff 01 02 00 fc');
const POSITION_2048_REPLY_2 = bytes('ff ff 02 04 00 00 08 f1');

describe('feetech request builders', () => {
  it('builds the packets the notes checked on a real bus', () => {
    expect(hex(feetech.ping(1))).toBe('ff ff 01 02 01 fb');
    expect(hex(feetech.read(2, STS3215.presentPosition.address, 2))).toBe('ff ff 02 04 02 38 02 bd');
  });

  it('builds write, sync read, sync write, reg write and action', () => {
    expect(hex(feetech.write(1, STS3215.goalPosition.address, encodeU16(2048)))).toBe(
      'ff ff 01 05 03 2a 00 08 c4',
    );
    expect(hex(feetech.syncRead([1, 2, 3], 56, 2))).toBe('ff ff fe 07 82 38 02 01 02 03 38');
    const goals = [
      { id: 1, data: encodeU16(2048) },
      { id: 2, data: encodeU16(4095) },
    ];
    expect(hex(feetech.syncWrite(42, 2, goals))).toBe('ff ff fe 0a 83 2a 02 01 00 08 02 ff 0f 2f');
    expect(hex(regWrite(1, 42, encodeU16(2048)))).toBe('ff ff 01 05 04 2a 00 08 c3');
    expect(hex(action())).toBe('ff ff fe 02 05 fa');
    expect(feetech.broadcastId).toBe(0xfe);
    expect(hex(feetech.ping(feetech.broadcastId))).toBe('ff ff fe 02 01 fe');
  });

  it('refuses bad requests and says what is wrong', () => {
    expect(invalidMessage(() => feetech.ping(254.5))).toMatch(/ping: servo id 254.5/);
    expect(invalidMessage(() => feetech.ping(255))).toMatch(
      /servo id 255 must be an integer from 0 to 253 or 254/,
    );
    expect(invalidMessage(() => feetech.read(0xfe, 56, 2))).toMatch(
      /read: servo id 254 must be .* 0 to 253$/,
    );
    expect(invalidMessage(() => feetech.read(1, 256, 1))).toMatch(/read: address 256/);
    expect(invalidMessage(() => feetech.read(1, 56, 0))).toMatch(/read: length 0/);
    expect(invalidMessage(() => feetech.read(1, 250, 8))).toMatch(
      /8 bytes from address 250 run past the end/,
    );
    expect(invalidMessage(() => feetech.read(1, 0, 250))).toMatch(/reply.*256 bytes, more than 255/);
    expect(invalidMessage(() => feetech.write(1, 42, Buffer.alloc(0)))).toMatch(/write: length 0/);
    expect(invalidMessage(() => feetech.write(1, 0, Buffer.alloc(249)))).toMatch(
      /write: the packet would be 256/,
    );
    expect(feetech.write(1, 0, Buffer.alloc(248))).toHaveLength(255);
    expect(invalidMessage(() => feetech.syncRead([], 56, 2))).toMatch(/sync read: no servo ids/);
    expect(invalidMessage(() => feetech.syncRead([1, 2, 1], 56, 2))).toMatch(/servo id 1 is listed twice/);
    expect(invalidMessage(() => feetech.syncRead([1, 300], 56, 2))).toMatch(/sync read: servo id 300/);
    const entries = [
      { id: 1, data: encodeU16(1) },
      { id: 2, data: Buffer.from([1]) },
    ];
    expect(invalidMessage(() => feetech.syncWrite(42, 2, entries))).toMatch(
      /servo 2 has 1 bytes of data, not 2/,
    );
    const tooMany = Array.from({ length: 83 }, (_, id) => ({ id, data: encodeU16(2048) }));
    expect(invalidMessage(() => feetech.syncWrite(42, 2, tooMany))).toMatch(
      /83 servos: the packet would be 257/,
    );
    expect(feetech.syncWrite(42, 2, tooMany.slice(0, 82))).toHaveLength(254);
  });
});

describe('feetech status reader', () => {
  it('reads the replies checked on a real bus', () => {
    expect(readAll(PING_REPLY_1)).toEqual([{ id: 1, error: 0, params: Buffer.alloc(0) }]);
    const [reply] = readAll(POSITION_2048_REPLY_2) as StatusPacket[];
    expect(reply.id).toBe(2);
    expect(decodeU16(reply.params, 0)).toBe(2048);
  });

  it('waits for a packet split across chunks, byte by byte', () => {
    const reader = feetech.reader();
    for (const byte of POSITION_2048_REPLY_2.subarray(0, -1)) {
      reader.push(Buffer.from([byte]));
      expect(reader.next()).toBeUndefined();
    }
    reader.push(POSITION_2048_REPLY_2.subarray(-1));
    expect(reader.next()).toMatchObject({ id: 2, error: 0 });
    expect(reader.next()).toBeUndefined();
  });

  it('reads two packets from one chunk, in order', () => {
    const items = readAll(Buffer.concat([PING_REPLY_1, POSITION_2048_REPLY_2]));
    expect(items.map((item) => (isFrameProblem(item) ? item.problem : item.id))).toEqual([1, 2]);
  });

  it('reports junk before a header as garbage, then reads the packet', () => {
    const items = readAll(Buffer.concat([bytes('00 13 fe 55'), PING_REPLY_1]));
    expect(items[0]).toMatchObject({ problem: 'garbage', bytes: 4 });
    expect(items[1]).toMatchObject({ id: 1, error: 0 });
    expect(items).toHaveLength(2);
  });

  it('counts a stray 0xFF before the header as garbage too', () => {
    const items = readAll(Buffer.concat([bytes('42 ff'), PING_REPLY_1]));
    expect(items[0]).toMatchObject({ problem: 'garbage', bytes: 2 });
    expect(items[1]).toMatchObject({ id: 1 });
  });

  it('keeps a lone trailing 0xFF: it may be the start of a header', () => {
    const reader = feetech.reader();
    reader.push(bytes('17 ff'));
    expect(reader.next()).toMatchObject({ problem: 'garbage', bytes: 1 });
    expect(reader.next()).toBeUndefined();
    reader.push(PING_REPLY_1.subarray(1));
    expect(reader.next()).toMatchObject({ id: 1 });
  });

  it('reports a bad checksum and still reads the good packet right after it', () => {
    const corrupt = Buffer.from(POSITION_2048_REPLY_2);
    corrupt[5] ^= 0x04; // a flipped bit in the position
    const items = readAll(Buffer.concat([corrupt, PING_REPLY_1]));
    expect(items[0]).toMatchObject({ problem: 'checksum', bytes: corrupt.length });
    expect((items[0] as FrameProblem).detail).toMatch(/id 2 has checksum 0xf1, expected 0x/);
    expect(items[1]).toMatchObject({ id: 1, error: 0 });
    expect(items).toHaveLength(2);
  });

  it('does not let a corrupt length byte swallow the next packet', () => {
    // LEN 4 -> 5 or 6: the bad packet takes the next one's FF or FF FF, and its checksum still passes.
    for (const badLength of [0x05, 0x06, 0x07]) {
      const corrupt = Buffer.from(POSITION_2048_REPLY_2);
      corrupt[3] = badLength;
      const items = readAll(Buffer.concat([corrupt, PING_REPLY_1, POSITION_2048_REPLY_2]));
      const packets = items.filter((item) => !isFrameProblem(item)) as StatusPacket[];
      expect(packets.map((packet) => packet.id)).toEqual([1, 2]);
      expect(isFrameProblem(items[0])).toBe(true);
    }
  });

  it('does not hold a good packet back behind a long claimed length', () => {
    // LEN 0x04 -> 0x84: the bad packet claims 136 bytes that will never come.
    const corrupt = Buffer.from(POSITION_2048_REPLY_2);
    corrupt[3] = 0x84;
    const items = readAll(corrupt, PING_REPLY_1);
    expect(items[0]).toMatchObject({ problem: 'malformed', bytes: corrupt.length });
    expect(items[1]).toMatchObject({ id: 1 });
  });

  it('reports an impossible length as malformed and resyncs', () => {
    const items = readAll(Buffer.concat([bytes('ff ff 03 01 00'), PING_REPLY_1]));
    expect(items[0]).toMatchObject({ problem: 'malformed' });
    expect((items[0] as FrameProblem).detail).toMatch(/id 3 with impossible length byte 1/);
    expect(items.at(-1)).toMatchObject({ id: 1 });
  });

  it('reports a status from the broadcast id as malformed', () => {
    const items = readAll(Buffer.concat([bytes('ff ff fe 02 00 ff'), PING_REPLY_1]));
    expect(items[0]).toMatchObject({ problem: 'malformed' });
    expect(items.at(-1)).toMatchObject({ id: 1 });
  });

  it('keeps a truncated packet pending; reset() drops it so a late byte cannot complete it', () => {
    const reader = feetech.reader();
    reader.push(POSITION_2048_REPLY_2.subarray(0, 5));
    expect(reader.next()).toBeUndefined();
    reader.reset();
    reader.push(POSITION_2048_REPLY_2.subarray(5));
    expect(drain(reader).every(isFrameProblem)).toBe(true);
    reader.push(PING_REPLY_1);
    expect(drain(reader).at(-1)).toMatchObject({ id: 1 });
  });

  it('returns a copy of the params, not a view a later push could change', () => {
    const reader = feetech.reader();
    const chunk = Buffer.from(POSITION_2048_REPLY_2);
    reader.push(chunk);
    const packet = reader.next() as StatusPacket;
    chunk.fill(0);
    expect(decodeU16(packet.params)).toBe(2048);
  });
});

describe('feetech error bits', () => {
  it('names the bits the SCServo SDK defines and numbers the others', () => {
    expect(feetech.errorNames(0)).toEqual([]);
    expect(feetech.errorNames(0b1)).toEqual(['input voltage']);
    expect(feetech.errorNames(0b101110)).toEqual(['angle sensor', 'overheat', 'overcurrent', 'overload']);
    expect(feetech.errorNames(0b11010000)).toEqual(['bit 4', 'bit 6', 'bit 7']);
  });

  it('passes the error byte through the reader', () => {
    const overloadAndVoltage = bytes('ff ff 04 02 21 d8');
    const [packet] = readAll(overloadAndVoltage) as StatusPacket[];
    expect(feetech.errorNames(packet.error)).toEqual(['input voltage', 'overload']);
  });
});

describe('STS3215 words and control table', () => {
  it('has the addresses the SO-100 tools use', () => {
    expect(STS3215_MODEL).toBe(777);
    expect(STS3215.presentPosition).toEqual({ address: 56, size: 2 });
    expect(STS3215.goalPosition).toEqual({ address: 42, size: 2 });
    expect(STS3215.homingOffset).toEqual({ address: 31, size: 2 });
    expect(STS3215.torqueEnable).toEqual({ address: 40, size: 1 });
    expect(STS3215.lock).toEqual({ address: 55, size: 1 });
  });

  it('encodes little-endian words', () => {
    expect(hex(encodeU16(2048))).toBe('00 08');
    expect(hex(encodeU16(0x1234))).toBe('34 12');
    expect(decodeU16(bytes('aa 34 12'), 1)).toBe(0x1234);
    expect(invalidMessage(() => encodeU16(65536))).toMatch(/word 65536/);
    expect(invalidMessage(() => encodeU16(-1))).toMatch(/word -1/);
    expect(invalidMessage(() => decodeU16(bytes('01'), 0))).toMatch(/no 16-bit word at offset 0 of a 1-byte/);
  });

  it('round-trips sign-magnitude values for each signed field', () => {
    for (const bit of Object.values(STS3215_SIGN_BITS)) {
      const max = (1 << bit) - 1;
      for (const value of [0, 1, -1, 100, -100, max, -max]) {
        expect(decodeSignMagnitude(encodeSignMagnitude(value, bit), bit)).toBe(value);
      }
    }
    expect(encodeSignMagnitude(-5, 11)).toBe(0x805);
    expect(encodeSignMagnitude(-1000, 15)).toBe(0x83e8);
    expect(decodeSignMagnitude(0x405, 10)).toBe(-5);
  });

  it('refuses a magnitude that does not fit, like the homing offset LeRobot users hit', () => {
    const message = invalidMessage(() =>
      encodeSignMagnitude(2114, STS3215_SIGN_BITS.homingOffset, 'homing offset'),
    );
    expect(message).toBe(
      'homing offset 2114 does not fit: the magnitude must be at most 2047 (sign in bit 11)',
    );
    expect(invalidMessage(() => encodeSignMagnitude(-2048, 11))).toMatch(/value -2048 does not fit/);
    expect(invalidMessage(() => encodeSignMagnitude(1.5, 11))).toMatch(/not an integer/);
  });
});
