// Feetech STS (SMS/STS series, e.g. the STS3215 of the SO-100/SO-101 arms): request packets, a streaming
// status reader and the STS3215 control table. Words are little-endian (the SCS series is big-endian and
// is not covered here). Frame: `FF FF ID LEN X PARAM... CHK`, LEN = params + 2, X is the instruction in a
// request and the error byte in a status packet, CHK = ~(ID + LEN + X + sum(params)) & 0xFF.
import { BusError } from './protocol.ts';
import type {
  FrameProblem,
  PacketReader,
  Register,
  ServoProtocol,
  StatusPacket,
  SyncWriteEntry,
} from './protocol.ts';

export const INSTRUCTION = {
  ping: 0x01,
  read: 0x02,
  write: 0x03,
  regWrite: 0x04,
  action: 0x05,
  syncRead: 0x82,
  syncWrite: 0x83,
} as const;

export const BROADCAST_ID = 0xfe;
/** Highest id a servo can have (0xFE is broadcast, 0xFF would look like a header byte). */
export const MAX_SERVO_ID = 253;
/** Longest packet we send or accept, header and checksum included. */
export const MAX_PACKET_BYTES = 255;
/** Header (2) + id + length + instruction/error + checksum: a packet with no params. */
const FRAME_OVERHEAD = 6;

export const STS3215_MODEL = 777;

/** The STS3215 memory table (Feetech SMS/STS manual, as used by LeRobot's feetech tables). EEPROM below 40. */
export const STS3215 = {
  modelNumber: { address: 3, size: 2 },
  id: { address: 5, size: 1 },
  baudRate: { address: 6, size: 1 },
  returnDelay: { address: 7, size: 1 },
  minPositionLimit: { address: 9, size: 2 },
  maxPositionLimit: { address: 11, size: 2 },
  maxTemperature: { address: 13, size: 1 },
  maxInputVoltage: { address: 14, size: 1 },
  minInputVoltage: { address: 15, size: 1 },
  maxTorque: { address: 16, size: 2 },
  pCoefficient: { address: 21, size: 1 },
  dCoefficient: { address: 22, size: 1 },
  iCoefficient: { address: 23, size: 1 },
  homingOffset: { address: 31, size: 2 },
  operatingMode: { address: 33, size: 1 },
  torqueEnable: { address: 40, size: 1 },
  acceleration: { address: 41, size: 1 },
  goalPosition: { address: 42, size: 2 },
  goalTime: { address: 44, size: 2 },
  goalSpeed: { address: 46, size: 2 },
  torqueLimit: { address: 48, size: 2 },
  lock: { address: 55, size: 1 },
  presentPosition: { address: 56, size: 2 },
  presentSpeed: { address: 58, size: 2 },
  presentLoad: { address: 60, size: 2 },
  presentVoltage: { address: 62, size: 1 },
  presentTemperature: { address: 63, size: 1 },
  moving: { address: 66, size: 1 },
  presentCurrent: { address: 69, size: 2 },
} as const satisfies Record<string, Register>;

/** First SRAM address: writes below it go to EEPROM (persisted only while lock = 0). */
export const STS_EEPROM_END = 40;

/** Sign-magnitude fields and their sign bit (SCServo SDK SMS_STS: ReadSpeed bit 15, ReadLoad bit 10). */
export const STS3215_SIGN_BITS = {
  homingOffset: 11,
  goalSpeed: 15,
  presentSpeed: 15,
  presentLoad: 10,
} as const;

/** Status error bits, as the SCServo SDK names them (ERRBIT_VOLTAGE 1, ANGLE 2, OVERHEAT 4, OVERELE 8, OVERLOAD 32). */
const ERROR_BITS: Record<number, string> = {
  0: 'input voltage',
  1: 'angle sensor',
  2: 'overheat',
  3: 'overcurrent',
  5: 'overload',
};

// ---------------------------------------------------------------------------------------------------
// Words

export function encodeU16(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new BusError('invalid', `word ${value} is not an integer from 0 to 65535`);
  }
  const out = Buffer.alloc(2);
  out.writeUInt16LE(value);
  return out;
}

export function decodeU16(buf: Buffer, offset = 0): number {
  if (offset < 0 || offset + 2 > buf.length) {
    throw new BusError('invalid', `no 16-bit word at offset ${offset} of a ${buf.length}-byte buffer`);
  }
  return buf.readUInt16LE(offset);
}

/** Sign-magnitude, as STS fields store signed values: the magnitude in the bits below `signBit`. */
export function encodeSignMagnitude(value: number, signBit: number, what = 'value'): number {
  const max = (1 << signBit) - 1;
  if (!Number.isInteger(value)) throw new BusError('invalid', `${what} ${value} is not an integer`);
  if (Math.abs(value) > max) {
    throw new BusError(
      'invalid',
      `${what} ${value} does not fit: the magnitude must be at most ${max} (sign in bit ${signBit})`,
    );
  }
  return value < 0 ? -value | (1 << signBit) : value;
}

export function decodeSignMagnitude(raw: number, signBit: number): number {
  const magnitude = raw & ((1 << signBit) - 1);
  return raw & (1 << signBit) ? -magnitude : magnitude;
}

// ---------------------------------------------------------------------------------------------------
// Requests

function checksum(bytes: Buffer, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i];
  return ~sum & 0xff;
}

/** Any frame: request (code = instruction) or status (code = error byte). */
export function buildFrame(id: number, code: number, params: ArrayLike<number> = []): Buffer {
  const out = Buffer.alloc(FRAME_OVERHEAD + params.length);
  out[0] = 0xff;
  out[1] = 0xff;
  out[2] = id;
  out[3] = params.length + 2;
  out[4] = code;
  for (let i = 0; i < params.length; i++) out[5 + i] = params[i];
  out[out.length - 1] = checksum(out, 2, out.length - 1);
  return out;
}

function checkServoId(id: number, what: string, broadcastAllowed: boolean): void {
  const ok =
    Number.isInteger(id) && ((id >= 0 && id <= MAX_SERVO_ID) || (broadcastAllowed && id === BROADCAST_ID));
  if (!ok) {
    const allowed = broadcastAllowed
      ? `0 to ${MAX_SERVO_ID} or ${BROADCAST_ID} (broadcast)`
      : `0 to ${MAX_SERVO_ID}`;
    throw new BusError('invalid', `${what}: servo id ${id} must be an integer from ${allowed}`);
  }
}

function checkRange(what: string, address: number, length: number): void {
  if (!Number.isInteger(address) || address < 0 || address > 255) {
    throw new BusError('invalid', `${what}: address ${address} must be an integer from 0 to 255`);
  }
  if (!Number.isInteger(length) || length < 1) {
    throw new BusError('invalid', `${what}: length ${length} must be a positive integer`);
  }
  if (address + length > 256) {
    throw new BusError(
      'invalid',
      `${what}: ${length} bytes from address ${address} run past the end of the 256-byte memory`,
    );
  }
}

function checkPacketSize(what: string, bytes: number): void {
  if (bytes > MAX_PACKET_BYTES) {
    throw new BusError(
      'invalid',
      `${what}: the packet would be ${bytes} bytes, more than ${MAX_PACKET_BYTES}`,
    );
  }
}

function checkUnique(what: string, ids: readonly number[]): void {
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) throw new BusError('invalid', `${what}: servo id ${id} is listed twice`);
    seen.add(id);
  }
}

function ping(id: number): Buffer {
  checkServoId(id, 'ping', true);
  return buildFrame(id, INSTRUCTION.ping);
}

function read(id: number, address: number, length: number): Buffer {
  checkServoId(id, 'read', false);
  checkRange('read', address, length);
  checkPacketSize(`read of ${length} bytes (the reply)`, FRAME_OVERHEAD + length);
  return buildFrame(id, INSTRUCTION.read, [address, length]);
}

function dataFrame(what: string, instruction: number, id: number, address: number, data: Buffer): Buffer {
  checkServoId(id, what, true);
  checkRange(what, address, data.length);
  checkPacketSize(what, FRAME_OVERHEAD + 1 + data.length);
  return buildFrame(id, instruction, [address, ...data]);
}

function write(id: number, address: number, data: Buffer): Buffer {
  return dataFrame('write', INSTRUCTION.write, id, address, data);
}

/** A deferred write: the servo stores it and applies it on ACTION (so several servos can start together). */
export function regWrite(id: number, address: number, data: Buffer): Buffer {
  return dataFrame('reg write', INSTRUCTION.regWrite, id, address, data);
}

/** Applies the pending REG_WRITEs; usually sent to broadcast. */
export function action(id = BROADCAST_ID): Buffer {
  checkServoId(id, 'action', true);
  return buildFrame(id, INSTRUCTION.action);
}

function syncRead(ids: readonly number[], address: number, length: number): Buffer {
  if (ids.length === 0) throw new BusError('invalid', 'sync read: no servo ids given');
  for (const id of ids) checkServoId(id, 'sync read', false);
  checkUnique('sync read', ids);
  checkRange('sync read', address, length);
  checkPacketSize(`sync read of ${ids.length} servos`, FRAME_OVERHEAD + 2 + ids.length);
  checkPacketSize(`sync read of ${length} bytes (each reply)`, FRAME_OVERHEAD + length);
  return buildFrame(BROADCAST_ID, INSTRUCTION.syncRead, [address, length, ...ids]);
}

function syncWrite(address: number, length: number, entries: readonly SyncWriteEntry[]): Buffer {
  if (entries.length === 0) throw new BusError('invalid', 'sync write: no servos given');
  checkRange('sync write', address, length);
  for (const { id, data } of entries) {
    checkServoId(id, 'sync write', false);
    if (data.length !== length) {
      throw new BusError(
        'invalid',
        `sync write: servo ${id} has ${data.length} bytes of data, not ${length}`,
      );
    }
  }
  checkUnique(
    'sync write',
    entries.map((entry) => entry.id),
  );
  checkPacketSize(
    `sync write to ${entries.length} servos`,
    FRAME_OVERHEAD + 2 + entries.length * (1 + length),
  );
  const params = [address, length];
  for (const { id, data } of entries) params.push(id, ...data);
  return buildFrame(BROADCAST_ID, INSTRUCTION.syncWrite, params);
}

// ---------------------------------------------------------------------------------------------------
// Status reader

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`;

/** Index of the next `FF FF` at or after `from`, or -1. */
function findHeader(buf: Buffer, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === 0xff && buf[i + 1] === 0xff) return i;
  return -1;
}

/**
 * Streaming status-packet reader. Bytes before a header are 'garbage'. A packet with an impossible id or
 * length is 'malformed', one whose checksum fails is 'checksum'; both resync by dropping the first byte and
 * scanning for the next header, since the length byte itself may be the corrupt one and a bad packet must
 * not swallow the good packet after it.
 */
class StsReader implements PacketReader {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }

  next(): StatusPacket | FrameProblem | undefined {
    const buf = this.buf;
    if (buf.length === 0) return undefined;
    let header = findHeader(buf, 0);
    // In FF FF FF the first FF is junk: the id can never be 0xFF.
    while (header >= 0 && buf[header + 2] === 0xff) header++;
    if (header > 0) return this.drop(header, 'garbage', `${header} bytes before a packet header`);
    if (header < 0) {
      // A last 0xFF may be the first half of a header still on its way.
      const junk = buf[buf.length - 1] === 0xff ? buf.length - 1 : buf.length;
      return junk > 0 ? this.drop(junk, 'garbage', `${junk} bytes with no packet header`) : undefined;
    }
    if (buf.length < 4) return undefined;
    const id = buf[2];
    const length = buf[3];
    if (id > MAX_SERVO_ID) return this.resync('malformed', `status packet with id ${hex(id)}`);
    if (length < 2 || 4 + length > MAX_PACKET_BYTES) {
      return this.resync('malformed', `status packet from id ${id} with impossible length byte ${length}`);
    }
    const total = 4 + length;
    if (buf.length < total) return this.skipIfCutShort(id, total);
    const expected = checksum(buf, 2, total - 1);
    if (buf[total - 1] !== expected) {
      return this.resync(
        'checksum',
        `status packet from id ${id} has checksum ${hex(buf[total - 1])}, expected ${hex(expected)}`,
      );
    }
    // A length byte one or two too high swallows the next packet's FF / FF FF and still passes the checksum
    // (the swallowed FF makes up for the +1 / +2). A whole good packet starting there gives it away; a real
    // packet cannot be followed that way, since the next packet's id would have to be 0xFF.
    const swallowed = [total - 2, total - 1].find((at) => this.completePacketAt(at));
    if (swallowed !== undefined) {
      return this.drop(
        swallowed,
        'malformed',
        `status packet from id ${id} runs into the next packet: its length byte ${length} is likely corrupt`,
      );
    }
    const packet: StatusPacket = { id, error: buf[4], params: Buffer.from(buf.subarray(5, total - 1)) };
    this.buf = buf.subarray(total);
    return packet;
  }

  /** Drop the current frame's first byte and everything up to the next header. */
  private resync(problem: FrameProblem['problem'], detail: string): FrameProblem {
    const next = findHeader(this.buf, 1);
    const trailingFF = this.buf[this.buf.length - 1] === 0xff ? this.buf.length - 1 : this.buf.length;
    return this.drop(next > 0 ? next : Math.max(1, trailingFF), problem, detail);
  }

  /**
   * The current packet is still incomplete. Normally wait; but if a complete packet with a good checksum
   * already follows inside the claimed length, the current one was cut short (or its length byte is corrupt),
   * and waiting would hold the good packet back until the bus times out.
   */
  private skipIfCutShort(id: number, claimed: number): FrameProblem | undefined {
    for (let at = findHeader(this.buf, 1); at > 0; at = findHeader(this.buf, at + 1)) {
      if (this.completePacketAt(at)) {
        return this.drop(
          at,
          'malformed',
          `status packet from id ${id} claims ${claimed} bytes but another packet starts after ${at}`,
        );
      }
    }
    return undefined;
  }

  private completePacketAt(at: number): boolean {
    const buf = this.buf;
    if (at + 4 > buf.length || buf[at + 2] > MAX_SERVO_ID || buf[at + 3] < 2) return false;
    const end = at + 4 + buf[at + 3];
    return end <= buf.length && buf[end - 1] === checksum(buf, at + 2, end - 1);
  }

  private drop(bytes: number, problem: FrameProblem['problem'], detail: string): FrameProblem {
    this.buf = this.buf.subarray(bytes);
    return { problem, bytes, detail };
  }
}

function errorNames(error: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 8; bit++) if (error & (1 << bit)) names.push(ERROR_BITS[bit] ?? `bit ${bit}`);
  return names;
}

export const feetech: ServoProtocol = {
  name: 'feetech',
  broadcastId: BROADCAST_ID,
  ping,
  read,
  write,
  syncRead,
  syncWrite,
  reader: () => new StsReader(),
  errorNames,
};
