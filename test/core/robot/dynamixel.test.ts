// Dynamixel Protocol 2.0 bytes. The expected packets are the examples of the ROBOTIS e-manual,
// Protocol 2.0 page (emanual.robotis.com/docs/en/dxl/protocol2/), all for XM430-W210 servos.
import { describe, expect, it } from 'vitest';
import {
  BROADCAST_ID,
  bulkRead,
  crc16,
  decodeValue,
  dynamixel,
  encodeStatus,
  encodeValue,
  hardwareErrorNames,
  int32le,
  MODEL_NUMBERS,
  modelName,
  readInt32le,
  stuff,
  unstuff,
  X_SERIES,
  XL330,
  XL430,
} from '../../../core/robot/dynamixel.ts';
import {
  BusError,
  isFrameProblem,
  type FrameProblem,
  type StatusPacket,
} from '../../../core/robot/protocol.ts';

const bytes = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Everything a reader yields until it needs more bytes. */
function drain(reader: ReturnType<typeof dynamixel.reader>): (StatusPacket | FrameProblem)[] {
  const items: (StatusPacket | FrameProblem)[] = [];
  for (let item = reader.next(); item !== undefined; item = reader.next()) items.push(item);
  return items;
}

function readAll(...chunks: Buffer[]) {
  const reader = dynamixel.reader();
  const items: (StatusPacket | FrameProblem)[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    items.push(...drain(reader));
  }
  return items;
}

/** Bit by bit, straight from the polynomial: an independent check of the table-driven CRC. */
function crcBitwise(data: Buffer): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

// e-manual examples: requests and the status packets they get
const EMANUAL = {
  ping: 'FF FF FD 00 01 03 00 01 19 4E',
  pingReply: 'FF FF FD 00 01 07 00 55 00 06 04 26 65 5D', // model 1030 (0x0406), firmware 38
  broadcastPing: 'FF FF FD 00 FE 03 00 01 31 42',
  pingReplyId2: 'FF FF FD 00 02 07 00 55 00 06 04 26 6F 6D',
  read: 'FF FF FD 00 01 07 00 02 84 00 04 00 1D 15', // present position (132), 4 bytes
  readReply: 'FF FF FD 00 01 08 00 55 00 A6 00 00 00 8C C0', // 166
  write: 'FF FF FD 00 01 09 00 03 74 00 00 02 00 00 CA 89', // goal position (116) = 512
  writeReply: 'FF FF FD 00 01 04 00 55 00 A1 0C',
  syncRead: 'FF FF FD 00 FE 09 00 82 84 00 04 00 01 02 CE FA',
  syncReadReplyId2: 'FF FF FD 00 02 08 00 55 00 1F 08 00 00 BA BE', // 2079
  syncWrite: 'FF FF FD 00 FE 11 00 83 74 00 04 00 01 96 00 00 00 02 AA 00 00 00 82 87', // 150, 170
  bulkRead: 'FF FF FD 00 FE 0D 00 92 01 90 00 02 00 02 92 00 01 00 1A 05',
  bulkReadReplyId1: 'FF FF FD 00 01 06 00 55 00 77 00 C3 69', // present input voltage 119
  bulkReadReplyId2: 'FF FF FD 00 02 05 00 55 00 24 8B A9', // present temperature 36
};

describe('CRC-16', () => {
  it('gives the CRC of every e-manual packet', () => {
    for (const [name, text] of Object.entries(EMANUAL)) {
      const packet = bytes(text);
      expect(crc16(packet.subarray(0, -2)), name).toBe(packet.readUInt16LE(packet.length - 2));
    }
  });

  it('matches the SDK table entries and a bitwise CRC on arbitrary data', () => {
    expect(crc16(Buffer.from([0x01]))).toBe(0x8005); // crc_table[1]
    expect(crc16(Buffer.from([0x80]))).toBe(0x8303); // crc_table[128]
    expect(crc16(Buffer.from([0xff]))).toBe(0x0202); // crc_table[255]
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));
    expect(crc16(data)).toBe(crcBitwise(data));
  });
});

describe('request packets', () => {
  it('builds the e-manual PING, READ, WRITE, SYNC READ, SYNC WRITE and BULK READ byte for byte', () => {
    expect(dynamixel.ping(1)).toEqual(bytes(EMANUAL.ping));
    expect(dynamixel.ping(BROADCAST_ID)).toEqual(bytes(EMANUAL.broadcastPing));
    expect(dynamixel.read(1, X_SERIES.presentPosition.address, 4)).toEqual(bytes(EMANUAL.read));
    expect(dynamixel.write(1, X_SERIES.goalPosition.address, int32le(512))).toEqual(bytes(EMANUAL.write));
    expect(dynamixel.syncRead([1, 2], 132, 4)).toEqual(bytes(EMANUAL.syncRead));
    expect(
      dynamixel.syncWrite(116, 4, [
        { id: 1, data: int32le(150) },
        { id: 2, data: int32le(170) },
      ]),
    ).toEqual(bytes(EMANUAL.syncWrite));
    expect(
      bulkRead([
        { id: 1, address: X_SERIES.presentInputVoltage.address, length: 2 },
        { id: 2, address: X_SERIES.presentTemperature.address, length: 1 },
      ]),
    ).toEqual(bytes(EMANUAL.bulkRead));
  });

  it('builds status packets as the servos send them', () => {
    expect(encodeStatus(1, 0, Buffer.from([0x06, 0x04, 0x26]))).toEqual(bytes(EMANUAL.pingReply));
    expect(encodeStatus(1, 0, int32le(166))).toEqual(bytes(EMANUAL.readReply));
    expect(encodeStatus(1, 0)).toEqual(bytes(EMANUAL.writeReply));
  });

  it('rejects requests a servo cannot take, naming what is wrong', () => {
    const invalid = (build: () => Buffer, message: RegExp) => {
      let thrown: unknown;
      try {
        build();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BusError);
      expect((thrown as BusError).kind).toBe('invalid');
      expect((thrown as BusError).message).toMatch(message);
    };
    invalid(() => dynamixel.ping(253), /servo id 253/);
    invalid(() => dynamixel.read(1.5, 132, 4), /servo id 1.5/);
    invalid(() => dynamixel.read(BROADCAST_ID, 132, 4), /broadcast.*sync read/);
    invalid(() => dynamixel.read(1, 70000, 4), /address 70000/);
    invalid(() => dynamixel.read(1, 132, 0), /read length 0/);
    invalid(() => dynamixel.read(1, 132, 2000), /read length 2000/);
    invalid(() => dynamixel.write(1, 116, Buffer.alloc(0)), /no data/);
    invalid(() => dynamixel.write(1, 116, Buffer.alloc(1100)), /longer than the 1024/);
    invalid(() => dynamixel.syncRead([], 132, 4), /at least one servo/);
    invalid(() => dynamixel.syncRead([1, 2, 1], 132, 4), /servo id 1 twice/);
    invalid(() => dynamixel.syncRead([1, BROADCAST_ID], 132, 4), /servo id 254/);
    invalid(
      () => dynamixel.syncWrite(116, 4, [{ id: 3, data: Buffer.alloc(2) }]),
      /servo 3 has 2 bytes, not 4/,
    );
    invalid(() => bulkRead([{ id: 1, address: 132, length: 0 }]), /read length 0/);
    invalid(() => int32le(2 ** 33), /does not fit a 4-byte register/);
    invalid(() => encodeValue(256, 1), /does not fit a 1-byte register/);
  });
});

describe('byte stuffing', () => {
  it('sends FF FF FD in the data as FF FF FD FD, with LEN and CRC over the stuffed bytes', () => {
    // homing offset -131073 is FF FF FD FF little-endian
    const packet = dynamixel.write(1, X_SERIES.homingOffset.address, int32le(-131073));
    expect(packet.subarray(0, 7)).toEqual(bytes('FF FF FD 00 01 0A 00')); // LEN 10, not 9
    expect(packet.subarray(7, -2)).toEqual(bytes('03 14 00 FF FF FD FD FF'));
    expect(crcBitwise(packet.subarray(0, -2))).toBe(packet.readUInt16LE(packet.length - 2));
    // the only FF FF FD 00 on the wire is the header
    expect(packet.indexOf(bytes('FF FF FD 00'), 1)).toBe(-1);
  });

  it('round-trips runs of FF FF FD, including back to back and at the end', () => {
    const data = bytes('FF FF FD FF FF FD FD 00 FF FF FD');
    expect(stuff(data)).toEqual(bytes('FF FF FD FD FF FF FD FD FD 00 FF FF FD FD'));
    expect(unstuff(stuff(data))).toEqual(data);
    const items = readAll(encodeStatus(7, 0, data));
    expect(items).toEqual([{ id: 7, error: 0, params: data }]);
  });
});

describe('status reader', () => {
  const reply1 = bytes(EMANUAL.readReply);
  const reply2 = bytes(EMANUAL.syncReadReplyId2);

  it('reads the e-manual status packets', () => {
    const [ping] = readAll(bytes(EMANUAL.pingReply)) as StatusPacket[];
    expect(ping.id).toBe(1);
    expect(ping.params.readUInt16LE(0)).toBe(1030);
    expect(ping.params[2]).toBe(38);
    const [read] = readAll(reply1) as StatusPacket[];
    expect(readInt32le(read.params)).toBe(166);
    const voltage = readAll(
      bytes(EMANUAL.bulkReadReplyId1),
      bytes(EMANUAL.bulkReadReplyId2),
    ) as StatusPacket[];
    expect(voltage.map((packet) => [packet.id, decodeValue(packet.params)])).toEqual([
      [1, 119],
      [2, 36],
    ]);
  });

  it('joins a packet split across chunks, byte by byte', () => {
    const chunks = [...reply1].map((byte) => Buffer.from([byte]));
    const items = readAll(...chunks);
    expect(items).toHaveLength(1);
    expect(readInt32le((items[0] as StatusPacket).params)).toBe(166);
  });

  it('reads two packets from one chunk, in order', () => {
    const items = readAll(Buffer.concat([reply1, reply2])) as StatusPacket[];
    expect(items.map((packet) => [packet.id, readInt32le(packet.params)])).toEqual([
      [1, 166],
      [2, 2079],
    ]);
  });

  it('reports junk before a header as garbage, then reads the packet', () => {
    const items = readAll(Buffer.concat([bytes('00 13 FF 42 FF FF'), reply1]));
    expect(items[0]).toMatchObject({ problem: 'garbage', bytes: 6 });
    expect(items[1]).toMatchObject({ id: 1, error: 0 });
    expect(items).toHaveLength(2);
  });

  it('holds back a possible header start at the end of a chunk', () => {
    const reader = dynamixel.reader();
    reader.push(Buffer.concat([bytes('AA'), reply1.subarray(0, 3)]));
    expect(drain(reader)).toEqual([{ problem: 'garbage', bytes: 1, detail: expect.stringContaining('aa') }]);
    reader.push(reply1.subarray(3));
    expect(drain(reader)).toMatchObject([{ id: 1 }]);
  });

  it('reports a bad CRC as checksum and still reads the good packet after it', () => {
    const corrupt = Buffer.from(reply1);
    corrupt[10] ^= 0x01; // one data bit flipped
    const items = readAll(Buffer.concat([corrupt, reply2]));
    expect(items[0]).toMatchObject({ problem: 'checksum', bytes: corrupt.length });
    expect(items[1]).toMatchObject({ id: 2 });
    expect(items).toHaveLength(2);
  });

  it('does not let a corrupt length swallow the good packet after it', () => {
    const shortLength = Buffer.from(reply1);
    shortLength[5] = 0x06; // says 6, the packet has 8: the CRC lands on data bytes
    expect(
      readAll(Buffer.concat([shortLength, reply2])).filter((item) => !isFrameProblem(item)),
    ).toMatchObject([{ id: 2 }]);

    const longLength = Buffer.from(reply1);
    longLength[5] = 0x0c; // says 12: the claimed span runs into the next packet
    const items = readAll(Buffer.concat([longLength, reply2]));
    expect(items[0]).toMatchObject({ problem: 'checksum', bytes: reply1.length });
    expect(items.slice(1)).toMatchObject([{ id: 2 }]);

    const hugeLength = Buffer.from(reply1);
    hugeLength.writeUInt16LE(600, 5); // plausible, but far longer than what arrives
    const waited = readAll(Buffer.concat([hugeLength, reply2]));
    expect(waited[0]).toMatchObject({ problem: 'malformed', bytes: reply1.length });
    expect(waited.slice(1)).toMatchObject([{ id: 2 }]);
  });

  it('reports an impossible length or id as malformed and resyncs', () => {
    const tooShort = bytes('FF FF FD 00 01 02 00 55 00');
    const tooLong = bytes('FF FF FD 00 01 FF FF');
    const badId = bytes('FF FF FD 00 FF 04 00 55 00 00 00');
    for (const bad of [tooShort, tooLong, badId]) {
      const items = readAll(Buffer.concat([bad, reply2]));
      expect(items[0]).toMatchObject({ problem: 'malformed' });
      expect(items.filter((item) => !isFrameProblem(item))).toMatchObject([{ id: 2 }]);
    }
  });

  it('skips an echoed instruction packet instead of taking it for a reply', () => {
    const items = readAll(Buffer.concat([bytes(EMANUAL.read), reply1]));
    expect(items[0]).toMatchObject({
      problem: 'garbage',
      detail: expect.stringMatching(/instruction packet \(read\)/),
    });
    expect(items[1]).toMatchObject({ id: 1 });
  });

  it('keeps a truncated packet pending, and reset() drops it', () => {
    const reader = dynamixel.reader();
    reader.push(reply1.subarray(0, 10));
    expect(reader.next()).toBeUndefined();
    expect(reader.next()).toBeUndefined();
    reader.reset();
    reader.push(reply2);
    expect(drain(reader)).toMatchObject([{ id: 2 }]); // no leftover from the first packet
  });
});

describe('error names', () => {
  it('names the alert bit and each result code', () => {
    expect(dynamixel.errorNames(0)).toEqual([]);
    expect(dynamixel.errorNames(0x80)).toEqual(['hardware alert: read Hardware Error Status (address 70)']);
    const codes = [1, 2, 3, 4, 5, 6, 7].map((code) => dynamixel.errorNames(code)[0]);
    expect(codes.map((name) => name.split(':')[0])).toEqual([
      'result fail',
      'instruction error',
      'CRC error',
      'data range error',
      'data length error',
      'data limit error',
      'access error',
    ]);
    expect(dynamixel.errorNames(0x87)).toHaveLength(2);
    expect(dynamixel.errorNames(0x87)[1]).toMatch(/^access error/);
    expect(dynamixel.errorNames(0x09)).toEqual(['unknown error number 9']);
  });

  it('names hardware error status bits', () => {
    expect(hardwareErrorNames(0)).toEqual([]);
    expect(hardwareErrorNames(0x25)).toEqual(['input voltage error', 'overheating', 'overload']);
    expect(hardwareErrorNames(0x42)).toEqual(['unknown hardware error bits 0x42']);
  });
});

describe('control table and values', () => {
  it('has the X-series addresses of the e-manual', () => {
    expect(X_SERIES.torqueEnable).toEqual({ address: 64, size: 1 });
    expect(X_SERIES.goalPosition).toEqual({ address: 116, size: 4 });
    expect(X_SERIES.presentPosition).toEqual({ address: 132, size: 4 });
    expect(XL330.presentCurrent).toEqual({ address: 126, size: 2 });
    expect(XL430.presentLoad).toEqual({ address: 126, size: 2 });
    expect(modelName(1200)).toBe('XL330-M288');
    expect(modelName(MODEL_NUMBERS['XL430-W250'])).toBe('XL430-W250');
    expect(modelName(777)).toBeUndefined();
  });

  it('encodes signed 4-byte values little-endian', () => {
    expect(int32le(-1)).toEqual(bytes('FF FF FF FF'));
    expect(int32le(2048)).toEqual(bytes('00 08 00 00'));
    expect(readInt32le(bytes('00 00 00 80'))).toBe(-(2 ** 31));
    expect(readInt32le(int32le(-1_044_479))).toBe(-1_044_479);
    expect(encodeValue(-885, 2)).toEqual(bytes('8B FC'));
    expect(decodeValue(bytes('8B FC'), true)).toBe(-885);
    expect(decodeValue(bytes('8B FC'))).toBe(0xfc8b);
  });
});
