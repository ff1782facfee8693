// The real arm's calls: ports, scan, calibrations, and one connected arm per shell process behind
// a supervised bridge process (connect, torque, move, jog, e-stop, resume, status, telemetry).
import type { Handlers } from '../dispatch.ts';
import type { CalibrationSummary, RobotTelemetry } from '../types.ts';
import {
  adoptSupervisor,
  connectedArm,
  disconnectArm,
  estopSocketFor,
  isConnected,
  robotStatus,
  watchTelemetry,
} from '../robot-session.ts';
import { RobotError } from '../../core/robot/arm-controller.ts';
import type { ArmCalibration } from '../../core/robot/calibration.ts';
import { runHandlers } from './robot-run.ts';
import { teachHandlers } from './robot-teach.ts';

type CalibrationSession = import('../../core/robot/calibration-session.ts').CalibrationSession;
/** The calibration by hand in progress in this process, and how its call ends. */
let calibrating: { session: CalibrationSession; name: string; finished: (file: string) => void } | undefined;

function runningCalibration(): NonNullable<typeof calibrating> {
  if (!calibrating)
    throw new RobotError('not-calibrating', 'no calibration is running: start one first (robot.calibrate)');
  return calibrating;
}

async function store() {
  return import('../../core/robot/calibration-store.ts');
}

function summary(calibration: ArmCalibration, file: string): CalibrationSummary {
  return {
    name: calibration.name,
    arm: calibration.arm,
    source: calibration.source,
    createdAt: calibration.createdAt,
    joints: calibration.joints.map(({ joint, id }) => ({ joint, id })),
    file,
  };
}

/** The telemetry after the next cycle: a call's result shows the arm after what it did. */
async function freshTelemetry(): Promise<RobotTelemetry> {
  const { supervisor } = connectedArm();
  const telemetry = await supervisor.call('telemetry', undefined);
  if (!telemetry) throw new RobotError('not-connected', 'the bridge has no telemetry yet');
  return telemetry;
}

export const handlers: Handlers<'robot'> = {
  ...runHandlers,
  ...teachHandlers,
  'robot.ports': async () => (await import('../../core/robot/serial-ports.ts')).listSerialPorts(),
  'robot.scan': async ({ port, baudRate, timeoutMs }) => {
    if (isConnected() && connectedArm().port === port)
      throw new RobotError('connected', `${port} is in use by the connected arm: disconnect first`);
    return (await import('../../core/robot/bridge.ts')).scanPort(port, { baudRate, timeoutMs });
  },
  'robot.calibrations': async () => {
    // One hand-broken file must not hide the others: it is listed with what is wrong with it.
    const { listCalibrationFiles } = await store();
    return (await listCalibrationFiles()).map(({ name, file, calibration, problem }) =>
      calibration
        ? summary(calibration, file)
        : {
            name,
            arm: 'so100' as const,
            source: 'recorded' as const,
            createdAt: '',
            joints: [],
            file,
            problem,
          },
    );
  },
  'robot.leRobotFiles': async () =>
    (await import('../../core/robot/lerobot-calibration.ts')).findLeRobotFiles(),
  'robot.torqueOff': async ({ port, baudRate }) => {
    if (isConnected() && connectedArm().port === port) {
      await connectedArm().supervisor.call('torqueOff', undefined);
      return { port, ids: [1, 2, 3, 4, 5, 6] };
    }
    const { torqueOffEverywhere } = await import('../../core/robot/bridge-supervisor.ts');
    const { SO100_BAUD, SO100_IDS } = await import('../../core/robot/so100.ts');
    await torqueOffEverywhere(port, baudRate ?? SO100_BAUD, SO100_IDS);
    return { port, ids: [...SO100_IDS] };
  },
  'robot.importCalibration': async ({ name, json }) => {
    const { importLeRobotCalibration } = await import('../../core/robot/lerobot-calibration.ts');
    const { saveCalibration } = await store();
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch (error) {
      throw new RobotError(
        'bad-calibration',
        `the calibration file is not JSON: ${(error as Error).message}`,
      );
    }
    const calibration = importLeRobotCalibration(data, name);
    return summary(calibration, await saveCalibration(calibration));
  },
  'robot.calibrate': async ({ port, baudRate, name, timeoutMs }, { emit, signal }) => {
    if (calibrating)
      throw new RobotError('calibrating', `a calibration is already running on ${calibrating.session.port}`);
    if (isConnected() && connectedArm().port === port)
      throw new RobotError('connected', `${port} is in use by the connected arm: disconnect first`);
    const { CalibrationSession } = await import('../../core/robot/calibration-session.ts');
    const session = await CalibrationSession.open(port, baudRate, timeoutMs);
    if (signal.aborted) {
      await session.close(); // stopped while the port was opening
      throw new RobotError('stopped', 'calibration stopped: nothing was saved');
    }
    const ticker = setInterval(() => emit({ type: 'robot.calibration', progress: session.progress() }), 100);
    try {
      const file = await new Promise<string | undefined>((resolve) => {
        calibrating = { session, name, finished: resolve };
        signal.addEventListener('abort', () => resolve(undefined), { once: true });
      });
      if (file === undefined) throw new RobotError('stopped', 'calibration stopped: nothing was saved');
      const { loadCalibration } = await store();
      return summary(await loadCalibration(name), file);
    } finally {
      clearInterval(ticker);
      calibrating = undefined;
      await session.close().catch(() => undefined);
    }
  },
  'robot.calibrationStep': async ({ action }) => {
    const running = runningCalibration();
    if (action === 'reference-pose') return running.session.markReferencePose();
    const { file, progress } = await running.session.finish(running.name);
    running.finished(file);
    return progress;
  },
  'robot.connect': async ({ port, baudRate, calibration: name, rateHz, watchdogMs, timeoutMs }) => {
    if (isConnected()) {
      const { port: current } = connectedArm();
      throw new RobotError('connected', `an arm is already connected on ${current}: disconnect it first`);
    }
    const { loadCalibration } = await store();
    const calibration = await loadCalibration(name);
    const { BridgeSupervisor } = await import('../../core/robot/bridge-supervisor.ts');
    const supervisor = BridgeSupervisor.start();
    try {
      const scan = await supervisor.connect({
        port,
        baudRate,
        calibration,
        rateHz,
        watchdogMs,
        timeoutMs,
        estopSocket: estopSocketFor(port),
      });
      adoptSupervisor(supervisor, port, name);
      return scan;
    } catch (error) {
      await supervisor.close();
      throw error;
    }
  },
  'robot.disconnect': async () => ({ disconnected: await disconnectArm() }),
  'robot.torque': async ({ on }) => {
    await connectedArm().supervisor.call(on ? 'torqueOn' : 'torqueOff', undefined);
    return freshTelemetry();
  },
  'robot.move': async ({ joints }, { signal }) => {
    const { supervisor } = connectedArm();
    // Stopping the call (Ctrl-C, a closed page) stops the arm where it is.
    const stop = (): void => void supervisor.call('estop', undefined).catch(() => undefined);
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) throw new RobotError('stopped', 'stopped before the move began');
    try {
      await supervisor.call('moveTo', joints);
    } finally {
      signal.removeEventListener('abort', stop);
    }
    return freshTelemetry();
  },
  'robot.jog': async ({ joints }) => {
    await connectedArm().supervisor.call('jog', joints);
    return { accepted: true };
  },
  'robot.estop': async () => {
    if (!isConnected()) return { connected: false };
    await connectedArm().supervisor.call('estop', undefined);
    return freshTelemetry();
  },
  'robot.resume': async () => {
    await connectedArm().supervisor.call('resume', undefined);
    return freshTelemetry();
  },
  'robot.status': async () => robotStatus(),
  'robot.watch': async (_input, { emit, signal }) => {
    const stop = watchTelemetry((telemetry) => emit({ type: 'robot.telemetry', telemetry }));
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    stop();
    return { stopped: true };
  },
};
