// One half-duplex servo bus behind a serial port: requests go out one at a time, replies are read
// back with a timeout, and everything that can go wrong on the wire (silence, a bad checksum, a
// reply from the wrong servo, a servo's error bits) comes back as a BusError, never a crash. Each
// call tries once: the control loop decides what a failure means (three in a row is a fault).
import { SerialPort } from 'serialport';
import {
  BusError,
  checkId,
  isFrameProblem,
  type PacketReader,
  type Register,
  type ServoProtocol,
  type StatusPacket,
  type SyncWriteEntry,
} from './protocol.ts';

/** The byte pipe under a bus: a serial port, or anything that behaves like one. */
export interface ByteLink {
  write(bytes: Buffer): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: (error?: Error) => void): void;
  close(): Promise<void>;
}

export interface BusOptions {
  /**
   * How long to wait for a reply. A real bus answers a 6-servo read in 1–3 ms, but USB adapters
   * add their latency timer (16 ms on FTDI by default) on top; the ROBOTIS SDK waits about 34 ms.
   */
  timeoutMs?: number;
}

export interface BusStats {
  requests: number;
  timeouts: number;
  checksumErrors: number;
  garbageBytes: number;
  lateReplies: number;
}

export class ServoBus {
  private readonly reader: PacketReader;
  readonly timeoutMs: number;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: ((signal: 'data' | BusError) => void) | undefined;
  private closed: Error | undefined;
  /** Ids that answered without being asked since the last timeout: a clue for the next one. */
  private readonly strangers = new Set<number>();
  readonly stats: BusStats = {
    requests: 0,
    timeouts: 0,
    checksumErrors: 0,
    garbageBytes: 0,
    lateReplies: 0,
  };

  constructor(
    private readonly link: ByteLink,
    readonly protocol: ServoProtocol,
    options: BusOptions = {},
  ) {
    this.reader = protocol.reader();
    this.timeoutMs = options.timeoutMs ?? 50;
    link.onData((chunk) => this.receive(chunk));
    link.onClose((error) => {
      this.closed = error ?? new Error('closed');
      this.waiting?.(new BusError('port', `the serial port closed${error ? `: ${error.message}` : ''}`));
    });
  }

  /** A slow timeout suits one-off questions (a scan), where a missed reply would mean "missing". */
  async ping(id: number, timeoutMs = this.timeoutMs): Promise<StatusPacket> {
    checkId(id);
    const [reply] = await this.request(this.protocol.ping(id), [id], timeoutMs);
    return reply;
  }

  /** Read one register of one servo; error bits in the reply throw a 'servo-error'. */
  async read(id: number, register: Register, timeoutMs = this.timeoutMs): Promise<Buffer> {
    const [reply] = await this.request(
      this.protocol.read(id, register.address, register.size),
      [id],
      timeoutMs,
      register.size,
    );
    throwOnServoErrors(this.protocol, [reply]);
    return checkLength(reply, register.size);
  }

  async write(id: number, register: Register, data: Buffer): Promise<void> {
    const packet = this.protocol.write(id, register.address, data);
    if (id === this.protocol.broadcastId) return this.send(packet);
    const [reply] = await this.request(packet, [id]);
    throwOnServoErrors(this.protocol, [reply]);
  }

  /**
   * One register from several servos in one exchange. Replies with error bits are still returned
   * (an overloaded servo still reports its position); the caller reads `errors`.
   */
  async syncRead(
    ids: readonly number[],
    register: Register,
  ): Promise<{ values: Map<number, Buffer>; errors: Map<number, number> }> {
    const replies = await this.request(
      this.protocol.syncRead(ids, register.address, register.size),
      ids,
      this.timeoutMs,
      register.size,
    );
    const values = new Map<number, Buffer>();
    const errors = new Map<number, number>();
    for (const reply of replies) {
      values.set(reply.id, checkLength(reply, register.size));
      if (reply.error !== 0) errors.set(reply.id, reply.error);
    }
    return { values, errors };
  }

  /** Sync write gets no reply: it resolves once the bytes are handed to the port. */
  syncWrite(register: Register, entries: readonly SyncWriteEntry[]): Promise<void> {
    return this.send(this.protocol.syncWrite(register.address, register.size, entries));
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.link.close();
  }

  /** Requests are serialised: the bus is half-duplex and replies carry no request number. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private send(packet: Buffer): Promise<void> {
    return this.exclusive(async () => {
      this.checkOpen();
      this.stats.requests++;
      await this.link.write(packet);
    });
  }

  /** Send a packet and collect one status packet from each id, in order. */
  /** `dataLength`: a reply carrying another length is a late answer to another request. */
  private request(
    packet: Buffer,
    ids: readonly number[],
    timeoutMs = this.timeoutMs,
    dataLength?: number,
  ): Promise<StatusPacket[]> {
    return this.exclusive(async () => {
      this.checkOpen();
      this.stats.requests++;
      this.reader.reset(); // a late reply to an earlier request must not answer this one
      const got = new Map<number, StatusPacket>();
      const deadline = Date.now() + timeoutMs;
      await this.link.write(packet);
      while (got.size < ids.length) {
        const reply = await this.nextPacket(deadline, timeoutMs, ids, got);
        // A reply from a servo not asked (or asked already), or of another length, is a late answer
        // to an earlier request that timed out (a loaded machine, USB latency): skip it.
        if (
          !ids.includes(reply.id) ||
          got.has(reply.id) ||
          (dataLength !== undefined && reply.params.length !== dataLength)
        ) {
          this.stats.lateReplies++;
          if (!ids.includes(reply.id)) this.strangers.add(reply.id);
          continue;
        }
        got.set(reply.id, reply);
      }
      const replies = ids.map((id) => got.get(id)!);
      return replies;
    });
  }

  private async nextPacket(
    deadline: number,
    timeoutMs: number,
    ids: readonly number[],
    got: ReadonlyMap<number, StatusPacket>,
  ): Promise<StatusPacket> {
    for (;;) {
      const item = this.reader.next();
      if (item === undefined) {
        const arrived = await this.waitForBytes(deadline);
        if (arrived instanceof BusError) throw arrived;
        if (!arrived) {
          this.stats.timeouts++;
          const silent = ids.filter((id) => !got.has(id));
          const strangers = [...this.strangers];
          this.strangers.clear();
          throw new BusError(
            'timeout',
            `no reply from servo${silent.length > 1 ? 's' : ''} ${silent.join(', ')} within ${timeoutMs} ms` +
              (strangers.length
                ? `; id ${strangers.join(', ')} answered instead: two servos may share an id, or one has another id than expected`
                : ''),
            silent,
          );
        }
        continue;
      }
      if (!isFrameProblem(item)) return item;
      if (item.problem === 'checksum') {
        this.stats.checksumErrors++;
        throw new BusError(
          'checksum',
          `a reply with a bad checksum (${item.detail}): noise on the bus or a loose cable`,
        );
      }
      this.stats.garbageBytes += item.bytes; // junk between packets: skip it and keep reading
    }
  }

  /** Resolves true when bytes arrived, false at the deadline, or a BusError if the port closed. */
  private waitForBytes(deadline: number): Promise<boolean | BusError> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(false);
      }, left);
      this.waiting = (signal) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(signal === 'data' ? true : signal);
      };
    });
  }

  private receive(chunk: Buffer): void {
    this.reader.push(chunk);
    this.waiting?.('data'); // the waiting request reads the packets itself
  }

  private checkOpen(): void {
    if (this.closed) throw new BusError('port', `the serial port is closed (${this.closed.message})`);
  }
}

function throwOnServoErrors(protocol: ServoProtocol, replies: StatusPacket[]): void {
  const faulty = replies.filter((reply) => reply.error !== 0);
  if (faulty.length === 0) return;
  throw new BusError(
    'servo-error',
    faulty
      .map((reply) => `servo ${reply.id} reports ${protocol.errorNames(reply.error).join(', ')}`)
      .join('; '),
    faulty.map((reply) => reply.id),
  );
}

function checkLength(reply: StatusPacket, size: number): Buffer {
  if (reply.params.length !== size) {
    throw new BusError(
      'checksum',
      `servo ${reply.id} sent ${reply.params.length} data bytes where ${size} were asked for`,
      [reply.id],
    );
  }
  return reply.params;
}

/** Open a serial port as a ByteLink; a missing device or no permission is a 'port' BusError. */
export async function openSerialLink(path: string, baudRate: number): Promise<ByteLink> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => (error ? reject(portError(path, error)) : resolve())),
  );
  port.on('error', () => undefined); // surfaced through onClose and failed writes instead
  return {
    write: (bytes) =>
      new Promise((resolve, reject) =>
        port.write(bytes, (error) =>
          error ? reject(new BusError('port', `writing to ${path} failed: ${error.message}`)) : resolve(),
        ),
      ),
    onData: (listener) => port.on('data', listener),
    onClose: (listener) => port.on('close', (error?: Error) => listener(error ?? undefined)),
    // Drain first: the last write (torque off) must leave before the port closes.
    close: () =>
      new Promise((resolve) => {
        if (!port.isOpen) return resolve();
        port.drain(() => port.close(() => resolve()));
      }),
  };
}

function portError(path: string, error: Error): BusError {
  const why = /ENOENT|No such file/i.test(error.message)
    ? 'no such device: is the adapter plugged in? `lab robot ports` lists the ports'
    : /EACCES|Permission denied/i.test(error.message)
      ? 'permission denied: add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in again'
      : /EBUSY|Resource busy|lock/i.test(error.message)
        ? 'the port is busy: another program (LeRobot, a serial monitor, another lab window) has it open'
        : error.message;
  return new BusError('port', `cannot open ${path}: ${why}`, [], { cause: error });
}
