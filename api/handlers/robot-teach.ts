// Jogging the gripper in space, and teaching by demonstration: record the arm's joints while the
// operator moves it, save them, replay them through the same checks as every other motion.
import type { Handler } from '../dispatch.ts';
import type { RealTrajectory } from '../types.ts';
import { RobotError } from '../../core/robot/arm-controller.ts';
import { SO100_JOINTS } from '../../core/robot/so100.ts';
import { connectedArm, watchTelemetry } from '../robot-session.ts';

const TEACH_HZ = 10;
let teaching: { stop: () => void; trajectory: RealTrajectory } | undefined;

async function currentJoints(): Promise<number[]> {
  const telemetry = await connectedArm().supervisor.call('telemetry', undefined);
  if (!telemetry || telemetry.joints.length !== 6)
    throw new RobotError('not-connected', 'the arm has not been read yet');
  return telemetry.joints;
}

const jogGripper: Handler<'robot.jogGripper'> = async ({ move, turn }) => {
  const { gripperJogTarget } = await import('../../core/robot/gripper-jog.ts');
  const target = await gripperJogTarget(await currentJoints(), { move, turn });
  const { supervisor } = connectedArm();
  await supervisor.call('moveTo', target);
  const telemetry = await supervisor.call('telemetry', undefined);
  return telemetry!;
};

const teach: Handler<'robot.teach'> = async (input) => {
  if (input.action === 'start') {
    connectedArm();
    teaching?.stop();
    const started = Date.now();
    const trajectory: RealTrajectory = { hz: TEACH_HZ, jointNames: [...SO100_JOINTS], frames: [] };
    let last = -Infinity;
    const stop = watchTelemetry((telemetry) => {
      const t = Date.now() - started;
      if (t - last < 1000 / TEACH_HZ || telemetry.joints.length !== 6) return;
      last = t;
      trajectory.frames.push([t, ...telemetry.joints.map((q) => Math.round(q * 1e4) / 1e4)]);
    });
    teaching = { stop, trajectory };
    return { recording: true, frames: 0 };
  }
  if (!teaching) throw new RobotError('not-teaching', 'nothing is being recorded: start teaching first');
  const { stop, trajectory } = teaching;
  stop();
  teaching = undefined;
  const { saveTrajectory } = await import('../../core/robot/trajectory-store.ts');
  const file = await saveTrajectory(input.name, trajectory);
  return { recording: false, frames: trajectory.frames.length, file };
};

const trajectories: Handler<'robot.trajectories'> = async () =>
  (await import('../../core/robot/trajectory-store.ts')).listTrajectories();

const replay: Handler<'robot.replay'> = async ({ name }, { signal }) => {
  const { loadTrajectory, replayPoses } = await import('../../core/robot/trajectory-store.ts');
  const poses = replayPoses(await loadTrajectory(name));
  const { supervisor } = connectedArm();
  const stop = (): void => void supervisor.call('estop', undefined).catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) throw new RobotError('stopped', 'stopped before the replay began');
  try {
    await supervisor.call('followPath', poses);
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return (await supervisor.call('telemetry', undefined))!;
};

export const teachHandlers = {
  'robot.jogGripper': jogGripper,
  'robot.teach': teach,
  'robot.trajectories': trajectories,
  'robot.replay': replay,
};
