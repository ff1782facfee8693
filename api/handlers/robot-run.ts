// Running a program on the real arm, the safe way round: a dry run in simulation from the real scene
// (nothing moves), the operator looks and confirms, the arm executes the plan primitive by primitive
// (the 3D view mirrors it from telemetry), and the operator's verdict is stored in the dataset as a
// real trial beside the simulated episodes.
import { randomUUID } from 'node:crypto';
import type { CallContext, Handler } from '../dispatch.ts';
import type { RealTrajectory, RealTrial, RobotDryRun } from '../types.ts';
import { EpisodeSession, DEFAULT_RECORD_HZ } from '../../core/episode/session.ts';
import { findTask } from '../../core/tasks/registry.ts';
import { localRunner, solve } from '../../core/planner/solve.ts';
import { PROMPT_TEMPLATE_VERSION } from '../../core/planner/prompt.ts';
import { planFromDryRun, type ArmPlan } from '../../core/robot/arm-plan.ts';
import { RobotError } from '../../core/robot/arm-controller.ts';
import { SO100_JOINTS } from '../../core/robot/so100.ts';
import { EpisodeStore } from '../../core/dataset/episode-store.ts';
import { sharedSandbox } from '../resources.ts';
import { connectedArm, isConnected, watchTelemetry } from '../robot-session.ts';
import { filePath } from '../access.ts';
import { withSolver } from './solvers.ts';
import { withDataset } from './dataset.ts';
import type { EpisodeResult } from '../types.ts';

/** How far (radians) the arm may be from where the dry run started it; the jaw matters less. */
const START_TOLERANCE = [0.05, 0.05, 0.05, 0.05, 0.08, 0.25];
const KEPT = 20; // dry runs and trials remembered per process
const TRAJECTORY_HZ = 10;

interface StoredPlan {
  plan: ArmPlan;
  result: EpisodeResult;
  program?: string;
  format?: string;
  solver: string;
  calibration?: string;
}
interface StoredTrial extends StoredPlan {
  trial: RealTrial;
  calibration: string;
}

const plans = new Map<string, StoredPlan>();
const trials = new Map<string, StoredTrial>();

function remember<T>(map: Map<string, T>, value: T): string {
  const id = randomUUID().slice(0, 8);
  map.set(id, value);
  if (map.size > KEPT) map.delete(map.keys().next().value!);
  return id;
}

const dryRun: Handler<'robot.dryRun'> = ({ task, seed, solver, objects }, context) =>
  withSolver(solver, seed, context, async (spec) => {
    const arm = isConnected() ? connectedArm() : undefined;
    // Read the arm now: the last streamed telemetry may not have arrived yet.
    const joints = arm ? (await arm.supervisor.call('telemetry', undefined))?.joints : undefined;
    const fromArm = joints !== undefined && joints.length === 6;
    const session = await EpisodeSession.open(await findTask(task), seed, 'so100', {
      ...(objects ? { objects } : {}),
      ...(fromArm ? { armJoints: joints.slice(0, 5), gripper: joints[5] > 0.3 ? 'open' : 'closed' } : {}),
    });
    try {
      const runner = localRunner(session, { sandbox: sharedSandbox(), record: { hz: DEFAULT_RECORD_HZ } });
      const { result, attempt } = await solve(runner, spec, streamTo(context));
      const plan = planFromDryRun(result);
      const program = solver.kind === 'program' ? solver.source : (attempt?.program ?? undefined);
      const stored: StoredPlan = {
        plan,
        result,
        program,
        format: solver.kind === 'program' || solver.kind === 'model' ? solver.format : undefined,
        solver: solverLabel(solver),
        calibration: arm?.calibration,
      };
      const dry: RobotDryRun = {
        plan: remember(plans, stored),
        executable: plan.executable,
        ...(plan.why ? { why: plan.why } : {}),
        fromArm,
        steps: plan.steps.map(({ primitive, status, message, waypoints }) => ({
          primitive,
          status: status as RobotDryRun['steps'][number]['status'],
          message,
          waypoints: waypoints.length,
        })),
        result,
        ...(program ? { program } : {}),
      };
      return dry;
    } finally {
      session.dispose();
    }
  });

const execute: Handler<'robot.execute'> = async ({ plan: id }, { emit, signal }) => {
  const stored = plans.get(id);
  if (!stored)
    throw new RobotError('unknown-plan', `no dry run ${id} in this session: run the dry run again`);
  const { plan } = stored;
  if (!plan.executable) throw new RobotError('refused', `this dry run cannot run on the arm: ${plan.why}`);
  const { supervisor, calibration } = connectedArm();
  const now = await supervisor.call('telemetry', undefined);
  if (!now || (now.state !== 'holding' && now.state !== 'moving'))
    throw new RobotError(
      'refused',
      `the arm is ${now?.state ?? 'not ready'}: turn torque on (and resume) first`,
    );
  const off = now.joints.findIndex((q, i) => Math.abs(q - plan.start[i]) > START_TOLERANCE[i]);
  if (off >= 0)
    throw new RobotError(
      'refused',
      `the arm is not where the dry run started it (${SO100_JOINTS[off]} is ${now.joints[off].toFixed(2)} rad, the dry run ${plan.start[off].toFixed(2)}): run the dry run again from here`,
    );

  const started = Date.now();
  const frames: number[][] = [];
  let lastSample = -Infinity;
  const stopRecording = watchTelemetry((telemetry) => {
    const t = Date.now() - started;
    if (t - lastSample < 1000 / TRAJECTORY_HZ || telemetry.joints.length !== 6) return;
    lastSample = t;
    frames.push([t, ...telemetry.joints.map((q) => Math.round(q * 1e4) / 1e4)]);
  });
  const stopArm = (): void => void supervisor.call('estop', undefined).catch(() => undefined);
  signal.addEventListener('abort', stopArm, { once: true });
  if (signal.aborted) stopArm(); // stopped before the listener was there
  let status: RealTrial['status'] = 'completed';
  let message: string | undefined;
  let stepsDone = 0;
  try {
    for (const [i, step] of plan.steps.entries()) {
      if (signal.aborted) throw new RobotError('stopped', 'stopped by the operator');
      emit({ type: 'robot.run', step: i + 1, of: plan.steps.length, primitive: step.primitive });
      await supervisor.call('followPath', step.waypoints);
      stepsDone = i + 1;
    }
  } catch (error) {
    const kind = (error as { kind?: string }).kind;
    status = kind === 'estopped' || kind === 'fault' || kind === 'refused' ? kind : 'stopped';
    message = (error as Error).message;
  } finally {
    signal.removeEventListener('abort', stopArm);
    stopRecording();
  }
  const end = await supervisor.call('telemetry', undefined).catch(() => undefined);
  if (end?.joints.length === 6)
    frames.push([Date.now() - started, ...end.joints.map((q) => Math.round(q * 1e4) / 1e4)]);
  const trajectory: RealTrajectory = { hz: TRAJECTORY_HZ, jointNames: [...SO100_JOINTS], frames };
  const trial: RealTrial = {
    trial: '',
    status,
    stepsDone,
    steps: plan.steps.length,
    ...(message ? { message } : {}),
    joints: end?.joints ?? [],
    trajectory,
  };
  trial.trial = remember(trials, { ...stored, trial, calibration });
  return trial;
};

const markTrial: Handler<'robot.markTrial'> = async ({ trial: id, success, note, db }, context) => {
  const stored = trials.get(id);
  if (!stored)
    throw new RobotError(
      'unknown-trial',
      `no trial ${id} in this session (trials are kept until the app closes)`,
    );
  const { result, trial } = stored;
  const task = await findTask(result.taskId);
  return withDataset(
    filePath(context, db, 'db'),
    (handle) => {
      const store = new EpisodeStore(handle);
      const runId = store.startRun({
        key: `real:${stored.calibration}:${stored.solver}`,
        config: { real: true, calibration: stored.calibration, scenes: 0, samples: 1, firstScene: 0 },
        teacher: stored.solver,
        codeVersion: 'real-arm',
        purpose: 'real',
      });
      try {
        const verdict = success ? 'the operator marked it a success' : 'the operator marked it a failure';
        const episodeId = store.addRealTrial(
          runId,
          {
            task: task.id,
            split: task.split,
            arm: 'so100',
            seed: result.seed,
            instruction: result.instruction,
            scene: result.initialState,
            ...(stored.program ? { program: stored.program } : {}),
            ...(stored.format ? { format: stored.format } : {}),
            trace: result.trace,
            success,
            ...(success ? {} : { failureKind: trial.status === 'completed' ? 'operator' : trial.status }),
            ...(note ? { failure: note } : {}),
            reason: `${verdict} (the arm ${trial.status === 'completed' ? 'ran every primitive' : `stopped: ${trial.status}`})${note ? `: ${note}` : ''}`,
            model: stored.solver,
            simSeconds: result.simSeconds,
            wallSeconds: (trial.trajectory.frames.at(-1)?.[0] ?? 0) / 1000,
          },
          trial.trajectory,
        );
        return { episodeId, runId };
      } finally {
        store.finishRun(runId, 'done');
      }
    },
    { write: true },
  );
};

function solverLabel(solver: Parameters<typeof withSolver>[0]): string {
  switch (solver.kind) {
    case 'program':
      return 'operator program';
    case 'model':
      return solver.adapter ? `${solver.model}+${solver.adapter}` : solver.model;
    default:
      return solver.kind;
  }
}

function streamTo({ emit, signal }: Pick<CallContext, 'emit' | 'signal'>) {
  return {
    signal,
    onPrompt: (messages: import('../types.ts').ChatMessage[]) =>
      emit({ type: 'model.prompt', messages, templateVersion: PROMPT_TEMPLATE_VERSION }),
    onText: (text: string) => emit({ type: 'model.text', text }),
  };
}

export const runHandlers = { 'robot.dryRun': dryRun, 'robot.execute': execute, 'robot.markTrial': markTrial };
