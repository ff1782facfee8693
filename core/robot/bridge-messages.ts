// The messages between the app and its bridge process (plain data over Node's IPC channel). The
// bridge process owns the serial port; the app supervises it (core/robot/bridge-supervisor.ts).
import type { BusScan, RobotTelemetry } from '../../api/types.ts';
import type { ArmCalibration } from './calibration.ts';
import type { SafetyLimits } from './safety.ts';

export interface BridgeConnectOptions {
  port: string;
  baudRate?: number;
  calibration: ArmCalibration;
  limits?: Partial<Omit<SafetyLimits, 'joints'>>;
  rateHz?: number;
  watchdogMs?: number;
  /** Reply timeout per bus exchange, ms. */
  timeoutMs?: number;
  /** A Unix socket (a named pipe on Windows) on which "estop" stops the arm from another process. */
  estopSocket?: string;
}

/** Calls and their results. */
export interface BridgeCalls {
  connect: { args: BridgeConnectOptions; result: BusScan };
  torqueOn: { args: undefined; result: void };
  torqueOff: { args: undefined; result: void };
  /** Go to a pose (radians), resolve on arrival. Kept alive by the app's heartbeat. */
  moveTo: { args: number[]; result: void };
  /** Go through poses in order; every pose is checked before the first one moves. */
  followPath: { args: number[][]; result: void };
  /** Set a target and return (jogging): the watchdog holds the arm unless jogs keep coming. */
  jog: { args: number[]; result: void };
  estop: { args: undefined; result: void };
  resume: { args: undefined; result: void };
  telemetry: { args: undefined; result: RobotTelemetry | undefined };
  disconnect: { args: undefined; result: void };
}
export type BridgeMethod = keyof BridgeCalls;

export type ToBridge =
  | { type: 'call'; id: number; method: BridgeMethod; args: unknown }
  /** The app is alive: a motion started by moveTo/followPath may go on. */
  | { type: 'heartbeat' };

export type FromBridge =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: { kind: string; message: string } }
  | { type: 'telemetry'; telemetry: RobotTelemetry };
