// What the servo bus needs from a servo protocol (Feetech STS/SCS, Dynamixel 2.0): request packets
// built from plain numbers, a streaming reader that turns received bytes into status packets, and
// the meaning of a status packet's error byte. The bus (core/robot/servo-bus.ts) owns timing,
// retries and the serial port; protocols own bytes only.
import { LabError } from '../errors.ts';

/** A reply from one servo. `params` are the bytes after the error byte, checksum removed. */
export interface StatusPacket {
  id: number;
  error: number;
  params: Buffer;
}

/** Bytes the reader had to throw away, and why: the bus counts these, it never crashes on them. */
export interface FrameProblem {
  problem: 'checksum' | 'garbage' | 'malformed';
  /** How many bytes were dropped. */
  bytes: number;
  detail: string;
}

export interface PacketReader {
  /** Feed bytes as they arrive; a packet may be split across chunks or several may share one. */
  push(chunk: Buffer): void;
  /** The next complete status packet or problem, or undefined when more bytes are needed. */
  next(): StatusPacket | FrameProblem | undefined;
  /** Drop everything buffered (after a timeout, so a late reply cannot answer the next request). */
  reset(): void;
}

export interface SyncWriteEntry {
  id: number;
  data: Buffer;
}

export interface ServoProtocol {
  readonly name: 'feetech' | 'dynamixel';
  /** Broadcast id: a request to it gets no reply (sync read aside). */
  readonly broadcastId: number;
  ping(id: number): Buffer;
  read(id: number, address: number, length: number): Buffer;
  write(id: number, address: number, data: Buffer): Buffer;
  syncRead(ids: readonly number[], address: number, length: number): Buffer;
  syncWrite(address: number, length: number, entries: readonly SyncWriteEntry[]): Buffer;
  reader(): PacketReader;
  /** Human names of the bits set in a status packet's error byte, e.g. ['overload', 'overheat']. */
  errorNames(error: number): string[];
}

export function isFrameProblem(item: StatusPacket | FrameProblem): item is FrameProblem {
  return 'problem' in item;
}

/** A field of a servo's control table. */
export interface Register {
  address: number;
  size: 1 | 2 | 4;
}

/**
 * Everything that can go wrong on the bus, as one typed error:
 * - timeout: no (complete) reply in time; which ids stayed silent is in `ids` (and the message
 *   names any id that answered unasked)
 * - checksum: a reply arrived but its checksum was wrong
 * - servo-error: the servo answered with error bits set (`ids`, and the names in the message)
 * - invalid: the request itself was wrong (id or address out of range, data too long)
 * - port: the serial port could not be opened, or closed under us
 */
export class BusError extends LabError {
  constructor(
    kind: 'timeout' | 'checksum' | 'servo-error' | 'invalid' | 'port',
    message: string,
    readonly ids: number[] = [],
    options?: { cause?: unknown },
  ) {
    super(kind, message, options);
  }
}

export function checkId(id: number, max = 252): void {
  if (!Number.isInteger(id) || id < 0 || id > max) {
    throw new BusError('invalid', `servo id ${id} is not an integer from 0 to ${max}`);
  }
}
