// What the Robot screen's pieces share: the SO-100's joints, angles in degrees, the warning levels
// for servo readings, the arm's state as a coloured badge, and failures in words.
import type { RobotState, RobotTelemetry } from '../../api/types.ts';
import { LabCallError } from '../../api/framing.ts';

/** The SO-100's joints in the telemetry's order: 5 arm joints, then the jaw. */
export const JOINTS = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'jaw'];
export const JAW = 5;
/** The simulated arm's jaw (so100.xml): 0 closed, 1.0 rad open. */
export const JAW_OPEN = 1.0;
export const JAW_CLOSED = 0;

export const toDegrees = (radians: number): number => (radians * 180) / Math.PI;
export const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;

/** "85.9°", or a dash for a missing reading. */
export const degreesText = (radians: number | undefined): string =>
  radians === undefined || !Number.isFinite(radians) ? '–' : `${toDegrees(radians).toFixed(1)}°`;

/** Display names: "elbow_flex" -> "elbow flex". */
export const jointLabel = (joint: string): string => joint.replace(/_/g, ' ');

/**
 * Warning levels for servo readings. The bridge's own limits (core/robot/safety.ts,
 * SO100_DEFAULT_LIMITS: 60 °C is a fault, load 800 = 80% held 1.5 s is eased off) are not in the
 * api, so the screen mirrors them here: amber well before, red at the limit.
 */
export const TEMPERATURE_WARN = 50;
export const TEMPERATURE_LIMIT = 60;
/** Load in the servo's units: 0..1000 = 0..100% of its torque. */
export const LOAD_WARN = 500;
export const LOAD_LIMIT = 800;

export type Level = 'ok' | 'warn' | 'danger';

export function temperatureLevel(celsius: number | undefined): Level {
  if (celsius === undefined) return 'ok';
  return celsius >= TEMPERATURE_LIMIT ? 'danger' : celsius >= TEMPERATURE_WARN ? 'warn' : 'ok';
}

export function loadLevel(load: number | undefined): Level {
  if (load === undefined) return 'ok';
  const magnitude = Math.abs(load);
  return magnitude >= LOAD_LIMIT ? 'danger' : magnitude >= LOAD_WARN ? 'warn' : 'ok';
}

const STATE_LABELS: Record<RobotState, string> = {
  off: 'torque off',
  holding: 'holding',
  moving: 'moving',
  estopped: 'e-stopped',
  fault: 'fault',
};

/** The arm's state in colour (the bar shows why it last changed beside it). */
export function RobotStateBadge({
  telemetry,
  connected,
}: {
  telemetry?: RobotTelemetry;
  connected: boolean;
}) {
  const state = connected ? telemetry?.state : undefined;
  return (
    <span
      className={`robot-badge robot-badge-${state ?? 'disconnected'}`}
      data-testid="robot-badge"
      data-state={state ?? 'disconnected'}
    >
      {state ? STATE_LABELS[state] : connected ? 'connecting…' : 'not connected'}
    </span>
  );
}

/** A call's failure in words, or nothing for the ones that are not failures (superseded, stopped). */
export function failureText(error: unknown): string | undefined {
  if (error instanceof LabCallError) {
    if (error.kind === 'superseded' || error.kind === 'stopped') return undefined;
    if (error.kind === 'refused') return `Refused: ${error.message}`;
    if (error.kind === 'estopped' && error.message === 'e-stop') return 'Stopped by the e-stop.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
