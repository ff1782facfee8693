// Dynamixel Protocol 2.0 (X-series servos of Koch and WidowX-style arms), checked against the
// ROBOTIS e-manual (docs/en/dxl/protocol2) and DynamixelSDK's protocol2_packet_handler:
//   FF FF FD 00 | ID | LEN_L LEN_H | INSTR | PARAM... | CRC_L CRC_H
// LEN counts INSTR + params + CRC after byte stuffing; the CRC-16 (poly 0x8005, init 0) covers
// everything from the header to the last (stuffed) param. Stuffing keeps the header unique: inside
// INSTR + params every `FF FF FD` is sent as `FF FF FD FD`, so `FF FF FD 00` only ever starts a packet.
import {
  BusError,
  checkId,
  type FrameProblem,
  type PacketReader,
  type Register,
  type ServoProtocol,
  type StatusPacket,
  type SyncWriteEntry,
} from './protocol.ts';

export const INSTRUCTION = {
  ping: 0x01,
  read: 0x02,
  write: 0x03,
  regWrite: 0x04,
  action: 0x05,
  factoryReset: 0x06,
  reboot: 0x08,
  clear: 0x10,
  status: 0x55,
  syncRead: 0x82,
  syncWrite: 0x83,
  bulkRead: 0x92,
  bulkWrite: 0x93,
} as const;

export const BROADCAST_ID = 0xfe;
/** Ids 253 (0xFD) and 255 (0xFF) are never used: they would look like header bytes. */
export const MAX_SERVO_ID = 252;
/** The SDK's TXPACKET_MAX_LEN / RXPACKET_MAX_LEN: no packet, header to CRC, is longer. */
export const MAX_PACKET_BYTES = 1024;

const HEADER = Buffer.from([0xff, 0xff, 0xfd, 0x00]);
/** Header (4) + id + LEN (2): the bytes before INSTR. */
const PREFIX_BYTES = 7;
/** Header + id + LEN + INSTR + error + CRC: a status packet with no data. */
const STATUS_OVERHEAD = 11;

// ---------------------------------------------------------------------------------------------
// CRC-16 as in the SDK's updateCRC: MSB first, polynomial 0x8005, no reflection, initial value 0.

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

export function crc16(bytes: Uint8Array, crc = 0): number {
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xff]) & 0xffff;
  return crc;
}

// ---------------------------------------------------------------------------------------------
// Byte stuffing over INSTR + params (the SDK's addStuffing / removeStuffing).

export function stuff(payload: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    out.push(payload[i]);
    if (payload[i] === 0xfd && payload[i - 1] === 0xff && payload[i - 2] === 0xff) out.push(0xfd);
  }
  return Buffer.from(out);
}

export function unstuff(payload: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    out.push(payload[i]);
    const afterPattern = payload[i] === 0xfd && payload[i - 1] === 0xff && payload[i - 2] === 0xff;
    if (afterPattern && payload[i + 1] === 0xfd) i++; // the FD after FF FF FD is the stuffed one
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------------------------
// Packets

/** Any packet (instruction or status): INSTR, then params (for a status packet: error, data). */
export function encodePacket(id: number, instruction: number, params: Buffer = Buffer.alloc(0)): Buffer {
  const body = stuff(Buffer.concat([Buffer.from([instruction]), params]));
  const length = body.length + 2;
  if (PREFIX_BYTES + length > MAX_PACKET_BYTES) {
    throw new BusError(
      'invalid',
      `a packet of ${PREFIX_BYTES + length} bytes is longer than the ${MAX_PACKET_BYTES} a Dynamixel bus takes: send less data at once`,
    );
  }
  const packet = Buffer.alloc(PREFIX_BYTES + length);
  HEADER.copy(packet, 0);
  packet[4] = id;
  packet.writeUInt16LE(length, 5);
  body.copy(packet, PREFIX_BYTES);
  packet.writeUInt16LE(crc16(packet.subarray(0, packet.length - 2)), packet.length - 2);
  return packet;
}

/** A status packet as a servo sends it (the emulator and tests build replies with this). */
export function encodeStatus(id: number, error: number, data: Buffer = Buffer.alloc(0)): Buffer {
  return encodePacket(id, INSTRUCTION.status, Buffer.concat([Buffer.from([error]), data]));
}

function word(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(value);
  return bytes;
}

function checkAddress(address: number): void {
  if (!Number.isInteger(address) || address < 0 || address > 0xffff) {
    throw new BusError('invalid', `address ${address} is not an integer from 0 to 65535`);
  }
}

/** A reply of `length` data bytes must fit in one packet (stuffing aside). */
function checkReadLength(length: number): void {
  const max = MAX_PACKET_BYTES - STATUS_OVERHEAD;
  if (!Number.isInteger(length) || length < 1 || length > max) {
    throw new BusError('invalid', `read length ${length} is not an integer from 1 to ${max}`);
  }
}

function checkServoId(id: number, allowBroadcast: boolean): void {
  if (allowBroadcast && id === BROADCAST_ID) return;
  checkId(id, MAX_SERVO_ID);
}

function checkIdList(ids: readonly number[], what: string): void {
  if (ids.length === 0) throw new BusError('invalid', `${what} needs at least one servo id`);
  const seen = new Set<number>();
  for (const id of ids) {
    checkId(id, MAX_SERVO_ID);
    if (seen.has(id)) throw new BusError('invalid', `${what} lists servo id ${id} twice`, [id]);
    seen.add(id);
  }
}

function ping(id: number): Buffer {
  checkServoId(id, true); // a broadcast ping is answered by every servo, in id order
  return encodePacket(id, INSTRUCTION.ping);
}

function read(id: number, address: number, length: number): Buffer {
  if (id === BROADCAST_ID) {
    throw new BusError(
      'invalid',
      'a read to the broadcast id gets no reply: use sync read for several servos',
    );
  }
  checkServoId(id, false);
  checkAddress(address);
  checkReadLength(length);
  return encodePacket(id, INSTRUCTION.read, Buffer.concat([word(address), word(length)]));
}

function write(id: number, address: number, data: Buffer): Buffer {
  checkServoId(id, true);
  checkAddress(address);
  if (data.length === 0) throw new BusError('invalid', `write to address ${address} has no data`);
  return encodePacket(id, INSTRUCTION.write, Buffer.concat([word(address), data]));
}

function syncRead(ids: readonly number[], address: number, length: number): Buffer {
  checkIdList(ids, 'sync read');
  checkAddress(address);
  checkReadLength(length);
  return encodePacket(
    BROADCAST_ID,
    INSTRUCTION.syncRead,
    Buffer.concat([word(address), word(length), Buffer.from(ids)]),
  );
}

function syncWrite(address: number, length: number, entries: readonly SyncWriteEntry[]): Buffer {
  checkIdList(
    entries.map((entry) => entry.id),
    'sync write',
  );
  checkAddress(address);
  if (!Number.isInteger(length) || length < 1) {
    throw new BusError('invalid', `sync write length ${length} is not a positive integer`);
  }
  const parts = [word(address), word(length)];
  for (const { id, data } of entries) {
    if (data.length !== length) {
      throw new BusError(
        'invalid',
        `sync write data for servo ${id} has ${data.length} bytes, not ${length}`,
        [id],
      );
    }
    parts.push(Buffer.from([id]), data);
  }
  return encodePacket(BROADCAST_ID, INSTRUCTION.syncWrite, Buffer.concat(parts));
}

export interface BulkReadEntry {
  id: number;
  address: number;
  length: number;
}

/** BULK READ: a different register from each servo; each answers with its own status packet, in order. */
export function bulkRead(entries: readonly BulkReadEntry[]): Buffer {
  checkIdList(
    entries.map((entry) => entry.id),
    'bulk read',
  );
  const parts = entries.map(({ id, address, length }) => {
    checkAddress(address);
    checkReadLength(length);
    return Buffer.concat([Buffer.from([id]), word(address), word(length)]);
  });
  return encodePacket(BROADCAST_ID, INSTRUCTION.bulkRead, Buffer.concat(parts));
}

// ---------------------------------------------------------------------------------------------
// Streaming reader

/** One packet off the wire, CRC checked and unstuffed. */
export interface Frame {
  id: number;
  instruction: number;
  /** Unstuffed params; for a status packet the first is the error byte. */
  params: Buffer;
  /** Bytes it took on the wire. */
  bytes: number;
}

function problem(kind: FrameProblem['problem'], bytes: number, detail: string): FrameProblem {
  return { problem: kind, bytes, detail };
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Index of the next `FF FF FD 00` at or after `from`, or -1. */
function findHeader(buffer: Buffer, from: number): number {
  return buffer.indexOf(HEADER, from);
}

/** How many trailing bytes could be the start of a header that is still arriving. */
function headerPrefixAtEnd(buffer: Buffer): number {
  for (let keep = Math.min(HEADER.length - 1, buffer.length); keep > 0; keep--) {
    if (buffer.subarray(buffer.length - keep).equals(HEADER.subarray(0, keep))) return keep;
  }
  return 0;
}

function crcMatches(packet: Buffer): boolean {
  return crc16(packet.subarray(0, packet.length - 2)) === packet.readUInt16LE(packet.length - 2);
}

/** LEN must hold INSTR + CRC at least, and the packet must fit the SDK's limit. */
function lengthProblem(length: number): string | undefined {
  if (length < 3) return `length field ${length} is too short for an instruction and a CRC`;
  if (PREFIX_BYTES + length > MAX_PACKET_BYTES) {
    return `length field ${length} exceeds the ${MAX_PACKET_BYTES}-byte packet limit`;
  }
  return undefined;
}

/** Whether a complete packet with a good CRC starts at `at`. */
function completeGoodPacketAt(buffer: Buffer, at: number): boolean {
  if (buffer.length < at + PREFIX_BYTES) return false;
  const length = buffer.readUInt16LE(at + 5);
  if (lengthProblem(length) !== undefined || buffer.length < at + PREFIX_BYTES + length) return false;
  return crcMatches(buffer.subarray(at, at + PREFIX_BYTES + length));
}

/**
 * Turns bytes into frames (instruction or status packets). Used by the status reader below and by
 * the bus emulator, which reads instruction packets with it.
 */
export class FrameParser {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  next(): Frame | FrameProblem | undefined {
    const start = findHeader(this.buffer, 0);
    if (start < 0) return this.dropJunk(this.buffer.length - headerPrefixAtEnd(this.buffer));
    if (start > 0) return this.dropJunk(start);
    if (this.buffer.length < PREFIX_BYTES) return undefined;

    const id = this.buffer[4];
    const length = this.buffer.readUInt16LE(5);
    const badLength = lengthProblem(length);
    if (id === 0xfd || id === 0xff) {
      return this.dropPacketStart('malformed', `packet id ${hex(id)} is never used`);
    }
    if (badLength) return this.dropPacketStart('malformed', `${badLength} (id ${id})`);

    const total = PREFIX_BYTES + length;
    if (this.buffer.length < total) return this.waitOrSkipCorruptLength(id, length);

    const packet = this.buffer.subarray(0, total);
    if (!crcMatches(packet)) {
      // drop only up to the next header inside the claimed span: a wrong length must not eat a good packet
      const next = findHeader(this.buffer, 1);
      const dropped = next > 0 && next < total ? next : total;
      this.buffer = this.buffer.subarray(dropped);
      return problem(
        'checksum',
        dropped,
        `CRC mismatch in a packet from id ${id} (${length}-byte length field)`,
      );
    }
    this.buffer = this.buffer.subarray(total);
    const body = unstuff(packet.subarray(PREFIX_BYTES, total - 2));
    return { id, instruction: body[0], params: body.subarray(1), bytes: total };
  }

  private dropJunk(count: number): FrameProblem | undefined {
    if (count <= 0) return undefined;
    const junk = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    const shown = [...junk.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    return problem(
      'garbage',
      count,
      `${count} byte${count === 1 ? '' : 's'} outside any packet (${shown}${count > 8 ? ' …' : ''})`,
    );
  }

  /** The header at 0 leads nowhere: skip to the next possible header. */
  private dropPacketStart(kind: FrameProblem['problem'], detail: string): FrameProblem {
    const next = findHeader(this.buffer, 1);
    const dropped =
      next > 0 ? next : Math.max(1, this.buffer.length - headerPrefixAtEnd(this.buffer.subarray(1)));
    this.buffer = this.buffer.subarray(dropped);
    return problem(kind, dropped, detail);
  }

  /**
   * The packet at 0 is not complete yet. If a complete packet with a good CRC already follows it,
   * this one was cut short or its length is corrupt: give it up instead of waiting for bytes that
   * would swallow the good one.
   */
  private waitOrSkipCorruptLength(id: number, length: number): FrameProblem | undefined {
    for (let next = findHeader(this.buffer, 1); next > 0; next = findHeader(this.buffer, next + 1)) {
      if (!completeGoodPacketAt(this.buffer, next)) continue;
      this.buffer = this.buffer.subarray(next);
      return problem(
        'malformed',
        next,
        `packet from id ${id} claims ${length} bytes but a complete packet starts ${next} bytes in: cut short or corrupt length`,
      );
    }
    return undefined;
  }
}

const INSTRUCTION_NAMES = new Map<number, string>(
  Object.entries(INSTRUCTION).map(([name, code]) => [code, name]),
);

/** The protocol's reader: status packets only; anything else the bus should skip. */
class StatusReader implements PacketReader {
  private readonly frames = new FrameParser();

  push(chunk: Buffer): void {
    this.frames.push(chunk);
  }

  reset(): void {
    this.frames.reset();
  }

  next(): StatusPacket | FrameProblem | undefined {
    const frame = this.frames.next();
    if (frame === undefined || 'problem' in frame) return frame;
    if (frame.instruction !== INSTRUCTION.status) {
      const name = INSTRUCTION_NAMES.get(frame.instruction) ?? hex(frame.instruction);
      return problem(
        'garbage',
        frame.bytes,
        `an instruction packet (${name}) for id ${frame.id}, not a status packet: does the adapter echo what it sends?`,
      );
    }
    if (frame.params.length === 0) {
      return problem('malformed', frame.bytes, `status packet from id ${frame.id} has no error byte`);
    }
    if (frame.id > MAX_SERVO_ID) {
      return problem('malformed', frame.bytes, `status packet from id ${frame.id}, which no servo can have`);
    }
    return { id: frame.id, error: frame.params[0], params: frame.params.subarray(1) };
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The low 7 bits of a status packet's error byte (the e-manual's "Error Number"). */
const RESULT_CODES: Record<number, string> = {
  1: 'result fail: the servo could not process the instruction',
  2: 'instruction error: unknown instruction, or ACTION without REG WRITE',
  3: 'CRC error: the servo received a corrupt packet',
  4: 'data range error: value outside the register’s range',
  5: 'data length error: fewer bytes than the register holds',
  6: 'data limit error: value outside the configured limit',
  7: 'access error: read-only or undefined address, or EEPROM written while torque is on',
};

export const ALERT_BIT = 0x80;

function errorNames(error: number): string[] {
  const names: string[] = [];
  if (error & ALERT_BIT) names.push('hardware alert: read Hardware Error Status (address 70)');
  const code = error & 0x7f;
  if (code !== 0) names.push(RESULT_CODES[code] ?? `unknown error number ${code}`);
  return names;
}

/** Bits of Hardware Error Status (address 70) on X-series servos; the servo turns torque off on them. */
const HARDWARE_ERRORS: [number, string][] = [
  [0x01, 'input voltage error'],
  [0x04, 'overheating'],
  [0x08, 'motor encoder error'],
  [0x10, 'electrical shock error: short circuit or too little power for the motor'],
  [0x20, 'overload'],
];

export function hardwareErrorNames(status: number): string[] {
  const names = HARDWARE_ERRORS.filter(([bit]) => status & bit).map(([, name]) => name);
  const unknown = status & ~HARDWARE_ERRORS.reduce((all, [bit]) => all | bit, 0) & 0xff;
  if (unknown) names.push(`unknown hardware error bits ${hex(unknown)}`);
  return names;
}

export const dynamixel: ServoProtocol = {
  name: 'dynamixel',
  broadcastId: BROADCAST_ID,
  ping,
  read,
  write,
  syncRead,
  syncWrite,
  reader: () => new StatusReader(),
  errorNames,
};

// ---------------------------------------------------------------------------------------------
// X-series control table (XL330-M288 / XL330-M077 / XL430-W250 e-manual pages)

/** Registers every X-series servo here shares. */
export const X_SERIES = {
  modelNumber: { address: 0, size: 2 },
  firmwareVersion: { address: 6, size: 1 },
  id: { address: 7, size: 1 },
  baudRate: { address: 8, size: 1 },
  returnDelayTime: { address: 9, size: 1 },
  driveMode: { address: 10, size: 1 },
  operatingMode: { address: 11, size: 1 },
  homingOffset: { address: 20, size: 4 },
  temperatureLimit: { address: 31, size: 1 },
  maxVoltageLimit: { address: 32, size: 2 },
  minVoltageLimit: { address: 34, size: 2 },
  pwmLimit: { address: 36, size: 2 },
  velocityLimit: { address: 44, size: 4 },
  maxPositionLimit: { address: 48, size: 4 },
  minPositionLimit: { address: 52, size: 4 },
  shutdown: { address: 63, size: 1 },
  /** First RAM address; everything below is EEPROM, writable only with torque off. */
  torqueEnable: { address: 64, size: 1 },
  led: { address: 65, size: 1 },
  statusReturnLevel: { address: 68, size: 1 },
  hardwareErrorStatus: { address: 70, size: 1 },
  busWatchdog: { address: 98, size: 1 },
  goalPwm: { address: 100, size: 2 },
  goalVelocity: { address: 104, size: 4 },
  profileAcceleration: { address: 108, size: 4 },
  profileVelocity: { address: 112, size: 4 },
  goalPosition: { address: 116, size: 4 },
  moving: { address: 122, size: 1 },
  presentVelocity: { address: 128, size: 4 },
  presentPosition: { address: 132, size: 4 },
  presentInputVoltage: { address: 144, size: 2 },
  presentTemperature: { address: 146, size: 1 },
} as const satisfies Record<string, Register>;

/** XL330: address 126 is Present Current (mA); it also has current limit and goal current. */
export const XL330 = {
  ...X_SERIES,
  currentLimit: { address: 38, size: 2 },
  goalCurrent: { address: 102, size: 2 },
  presentCurrent: { address: 126, size: 2 },
} as const satisfies Record<string, Register>;

/** XL430: address 126 is Present Load (0.1 % of max torque); no current sensing. */
export const XL430 = {
  ...X_SERIES,
  presentLoad: { address: 126, size: 2 },
} as const satisfies Record<string, Register>;

/** Model numbers read at address 0 (and returned by PING). */
export const MODEL_NUMBERS = {
  'XL330-M288': 1200,
  'XL330-M077': 1190,
  'XL430-W250': 1060,
} as const;

export function modelName(modelNumber: number): string | undefined {
  return Object.entries(MODEL_NUMBERS).find(([, number]) => number === modelNumber)?.[0];
}

/** Operating Mode (11) values; position control (3) is the factory default. */
export const OPERATING_MODE = {
  current: 0,
  velocity: 1,
  position: 3,
  extendedPosition: 4,
  currentBasedPosition: 5,
  pwm: 16,
} as const;

// ---------------------------------------------------------------------------------------------
// Values: X-series registers are little-endian; positions, velocities and offsets are signed 32-bit.

/** A 4-byte register value, e.g. goal position or homing offset (two's complement for negatives). */
export function int32le(value: number): Buffer {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new BusError('invalid', `value ${value} does not fit a 4-byte register`);
  }
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes;
}

export function readInt32le(bytes: Buffer, offset = 0): number {
  return bytes.readInt32LE(offset);
}

/** Any 1, 2 or 4-byte register value; negatives are stored as two's complement. */
export function encodeValue(value: number, size: Register['size']): Buffer {
  const bits = size * 8;
  if (!Number.isInteger(value) || value < -(2 ** (bits - 1)) || value >= 2 ** bits) {
    throw new BusError('invalid', `value ${value} does not fit a ${size}-byte register`);
  }
  const bytes = Buffer.alloc(size);
  bytes.writeUIntLE(value < 0 ? value + 2 ** bits : value, 0, size);
  return bytes;
}

export function decodeValue(bytes: Buffer, signed = false): number {
  return signed ? bytes.readIntLE(0, bytes.length) : bytes.readUIntLE(0, bytes.length);
}
