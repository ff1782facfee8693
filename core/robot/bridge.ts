// Connecting to a real arm, in order: open the port, find the servos (and say which are missing and
// what to check), refuse a calibration made for another arm, torque off, put the calibration's
// homing offsets in the servos, and start the control loop. Also a scan on its own, with baud
// detection, for the first connection.
import type { BusScan } from '../../api/types.ts';
import { ArmController, RobotError } from './arm-controller.ts';
import type { BridgeConnectOptions } from './bridge-messages.ts';
import { checkCalibrationFits, jointLimits, jointMapping, type ArmCalibration } from './calibration.ts';
import { feetech } from './feetech.ts';
import { FeetechArmIo } from './feetech-arm-io.ts';
import { SO100_DEFAULT_LIMITS, type SafetyLimits } from './safety.ts';
import { scanBus } from './scan.ts';
import { openSerialLink, ServoBus } from './servo-bus.ts';
import { FEETECH_BAUDS, SO100_BAUD, SO100_IDS, SO100_JOINTS, SO100_MODEL_RANGES } from './so100.ts';

export interface ConnectedArm {
  port: string;
  scan: BusScan;
  controller: ArmController;
  disconnect(): Promise<void>;
}

export async function connectArm(options: BridgeConnectOptions): Promise<ConnectedArm> {
  const { calibration } = options;
  const baudRate = options.baudRate ?? SO100_BAUD;
  const bus = new ServoBus(await openSerialLink(options.port, baudRate), feetech, {
    timeoutMs: options.timeoutMs,
  });
  try {
    const expected = {
      ids: calibration.joints.map((j) => j.id),
      joints: calibration.joints.map((j) => j.joint),
    };
    const scan: BusScan = { port: options.port, baudRate, ...(await scanBus(bus, expected)) };
    if (scan.missing.length > 0) {
      throw new RobotError('missing-servos', `${describeMissing(scan)} ${scan.hint ?? ''}`.trim());
    }
    checkCalibrationFits(calibration, scan.found);
    const io = new FeetechArmIo(bus, expected.ids);
    await io.setTorque(false); // nothing moves unless asked; homing offsets are written with torque off
    await io.applyHomingOffsets(
      new Map(Object.entries(calibration.homingOffsets).map(([id, v]) => [Number(id), v])),
    );
    const controller = new ArmController(
      io,
      jointMapping(calibration),
      limitsFor(calibration, options.limits),
      {
        rateHz: options.rateHz,
        watchdogMs: options.watchdogMs,
      },
    );
    await controller.start();
    return {
      port: options.port,
      scan,
      controller,
      disconnect: () => controller.stop().finally(() => io.close()),
    };
  } catch (error) {
    await bus.close();
    throw error;
  }
}

/** Find the servos of an SO-100 on a port; without a baud rate, try the usual ones in turn. */
export async function scanPort(
  port: string,
  options: { baudRate?: number; timeoutMs?: number } = {},
): Promise<BusScan> {
  const bauds = options.baudRate ? [options.baudRate] : FEETECH_BAUDS;
  let best: BusScan | undefined;
  for (const baudRate of bauds) {
    const bus = new ServoBus(await openSerialLink(port, baudRate), feetech, {
      timeoutMs: options.timeoutMs,
    });
    try {
      const scan: BusScan = {
        port,
        baudRate,
        ...(await scanBus(bus, { ids: SO100_IDS, joints: SO100_JOINTS })),
      };
      if (scan.found.length > 0) return scan;
      best ??= scan;
    } finally {
      await bus.close();
    }
  }
  return { ...best!, baudRate: options.baudRate ?? SO100_BAUD };
}

function describeMissing(scan: BusScan): string {
  const missing = scan.missing.map(({ id, joint }) => `${id} (${joint})`).join(', ');
  return `servo${scan.missing.length > 1 ? 's' : ''} ${missing} did not answer on ${scan.port}.`;
}

export function limitsFor(
  calibration: ArmCalibration,
  overrides: Partial<Omit<SafetyLimits, 'joints'>> = {},
): SafetyLimits {
  return { ...SO100_DEFAULT_LIMITS, ...overrides, joints: jointLimits(calibration, SO100_MODEL_RANGES) };
}
