// The one real arm a shell process drives: its bridge process (started on connect), the last
// telemetry, and who is watching. The shell disconnects it on exit (torque off); if the bridge
// process dies instead, its supervisor has already turned torque off, and the next call says so.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { RobotStatus, RobotTelemetry } from './types.ts';
import { labHome } from '../core/paths.ts';
import type { BridgeSupervisor } from '../core/robot/bridge-supervisor.ts';
import { RobotError } from '../core/robot/arm-controller.ts';
import { noteRobotUsed } from './resources.ts';

interface Session {
  supervisor: BridgeSupervisor;
  port: string;
  calibration: string;
  telemetry?: RobotTelemetry;
}

let session: Session | undefined;
let lastMessage: string | undefined;
const watchers = new Set<(telemetry: RobotTelemetry) => void>();

export function connectedArm(): Session {
  if (!session) {
    throw new RobotError(
      'not-connected',
      `no arm is connected${lastMessage ? ` (${lastMessage})` : ''}: connect first (lab robot ... --port P --calibration NAME, or the Robot screen)`,
    );
  }
  return session;
}

export function robotStatus(): RobotStatus {
  if (!session) return { connected: false, ...(lastMessage ? { lastMessage } : {}) };
  return {
    connected: true,
    port: session.port,
    calibration: session.calibration,
    bridgePid: session.supervisor.pid,
    telemetry: session.telemetry,
  };
}

export function adoptSupervisor(supervisor: BridgeSupervisor, port: string, calibration: string): void {
  const mine: Session = { supervisor, port, calibration };
  session = mine;
  noteRobotUsed();
  supervisor.onTelemetry((telemetry) => {
    mine.telemetry = telemetry;
    for (const watcher of watchers) watcher(telemetry);
  });
  supervisor.onExit((exit) => {
    if (session === mine) session = undefined;
    lastMessage = exit.rescue === 'nothing to do' ? 'disconnected' : exit.rescue;
  });
}

export function isConnected(): boolean {
  return session !== undefined;
}

export function watchTelemetry(listener: (telemetry: RobotTelemetry) => void): () => void {
  watchers.add(listener);
  return () => watchers.delete(listener);
}

/** Disconnect (torque off) and end the bridge process; the shell calls this on exit too. */
export async function disconnectArm(): Promise<boolean> {
  const closing = session;
  if (!closing) return false;
  session = undefined;
  await closing.supervisor.close();
  lastMessage = 'disconnected';
  return true;
}

/** Where `lab robot estop` reaches the bridge that has this port open (a socket per port). */
export function estopSocketFor(port: string): string {
  const id = createHash('sha256').update(port).digest('hex').slice(0, 12);
  if (process.platform === 'win32') return `\\\\.\\pipe\\blazer-lab-estop-${id}`;
  const dir = join(labHome(), 'robot');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, `estop-${id}.sock`);
}
