// The app's side of the bridge: starts the bridge process, forwards calls, relays telemetry, and
// when the bridge process dies without being asked to (a crash, a kill), reopens the port and turns
// every servo's torque off: Feetech servos keep holding their last goal on their own.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RobotTelemetry } from '../../api/types.ts';
import { LabError } from '../errors.ts';
import type {
  BridgeCalls,
  BridgeConnectOptions,
  BridgeMethod,
  FromBridge,
  ToBridge,
} from './bridge-messages.ts';
import { feetech, STS3215 } from './feetech.ts';
import { ServoBus, openSerialLink } from './servo-bus.ts';
import { RobotError } from './arm-controller.ts';
import { SO100_BAUD } from './so100.ts';

const HEARTBEAT_MS = 100;

export interface BridgeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the supervisor did about it, in words. */
  rescue: string;
}

export class BridgeSupervisor {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly telemetryListeners = new Set<(telemetry: RobotTelemetry) => void>();
  private readonly exitListeners = new Set<(exit: BridgeExit) => void>();
  private readonly heartbeat: NodeJS.Timeout;
  private connection: { port: string; baudRate: number; ids: number[] } | undefined;
  private closing = false;
  readonly exited: Promise<BridgeExit>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: FromBridge) => this.receive(message));
    this.heartbeat = setInterval(() => this.post({ type: 'heartbeat' }), HEARTBEAT_MS);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        clearInterval(this.heartbeat);
        this.afterExit(code, signal).then((exit) => {
          for (const listener of this.exitListeners) listener(exit);
          resolve(exit);
        });
      }),
    );
  }

  /** Start a bridge process (no port is opened until `connect`). */
  static start(): BridgeSupervisor {
    const source = import.meta.url.endsWith('.ts');
    const entry = new URL(source ? './bridge-process.ts' : './bridge-process.js', import.meta.url);
    const child = fork(fileURLToPath(entry), [], {
      execArgv: source ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    return new BridgeSupervisor(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async connect(options: BridgeConnectOptions): Promise<BridgeCalls['connect']['result']> {
    const scan = await this.call('connect', options);
    this.connection = {
      port: options.port,
      baudRate: options.baudRate ?? SO100_BAUD,
      ids: options.calibration.joints.map((joint) => joint.id),
    };
    return scan;
  }

  call<M extends BridgeMethod>(method: M, args: BridgeCalls[M]['args']): Promise<BridgeCalls[M]['result']> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.reject(new RobotError('bridge-gone', 'the bridge process has exited: connect again'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ type: 'call', id, method, args });
    });
  }

  onTelemetry(listener: (telemetry: RobotTelemetry) => void): () => void {
    this.telemetryListeners.add(listener);
    return () => this.telemetryListeners.delete(listener);
  }

  onExit(listener: (exit: BridgeExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Disconnect (torque off), then end the bridge process. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.call('disconnect', undefined).catch(() => undefined);
      this.child.disconnect();
    }
    await this.exited;
  }

  private post(message: ToBridge): void {
    if (this.child.connected) this.child.send(message);
  }

  private receive(message: FromBridge): void {
    if (message.type === 'telemetry') {
      for (const listener of this.telemetryListeners) listener(message.telemetry);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new LabError(message.error.kind, message.error.message));
  }

  private async afterExit(code: number | null, signal: NodeJS.Signals | null): Promise<BridgeExit> {
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    for (const waiter of this.pending.values())
      waiter.reject(new RobotError('bridge-gone', `the bridge process ${how}`));
    this.pending.clear();
    // A clean end of an asked-for disconnect has turned torque off itself; any other end has not.
    if (!this.connection || (this.closing && code === 0 && signal === null))
      return { code, signal, rescue: 'nothing to do' };
    const { port, baudRate, ids } = this.connection;
    let rescue: string;
    try {
      await torqueOffEverywhere(port, baudRate, ids);
      rescue = `the bridge process ${how}; torque off was sent to servos ${ids.join(', ')} on ${port}`;
    } catch (error) {
      rescue = `the bridge process ${how} and torque off could not be sent (${(error as Error).message}): switch the servo power off`;
    }
    const telemetry: RobotTelemetry = {
      t: 0,
      cycle: -1,
      state: 'fault',
      joints: [],
      servos: [],
      message: rescue,
    };
    for (const listener of this.telemetryListeners) listener(telemetry);
    return { code, signal, rescue };
  }
}

/** Reopen the port (the dead process's lock goes with it) and switch every servo's torque off. */
export async function torqueOffEverywhere(
  port: string,
  baudRate: number,
  ids: readonly number[],
): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const bus = new ServoBus(await openSerialLink(port, baudRate), feetech);
      try {
        const off = Buffer.from([0]);
        await bus.syncWrite(
          STS3215.torqueEnable,
          ids.map((id) => ({ id, data: off })),
        );
        await bus.write(feetech.broadcastId, STS3215.torqueEnable, off); // ids the calibration does not know
      } finally {
        await bus.close();
      }
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw lastError;
}
