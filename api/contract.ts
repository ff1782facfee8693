// The one contract between the lab and its shells (Electron IPC, the web server, the CLI) and the
// UI: every call's name, its input schema (zod, checked at the boundary) and its result type, the
// events a running call may send, and the shape errors cross in. Nothing here imports core: the
// renderer and the CLI type their calls from this file alone (LabApi, CallInput, CallResult).
import { z } from 'zod';
import {
  ARM_NAMES,
  type AppInfo,
  type Attempt,
  type AttemptFailure,
  type ChatExportResult,
  type ChatMessage,
  type CompareTable,
  type DemoResult,
  type EvalSummary,
  type EpisodeResult,
  type EpisodeSummary,
  type EpisodeView,
  type GenerationProgress,
  type GenerationSummary,
  type GgufInfo,
  type MergeResult,
  type MjcfInfo,
  type ModelDescription,
  type ModelRate,
  type Page,
  type PrimitiveResult,
  type RegisteredAdapter,
  type RegisteredEndpoint,
  type RegisteredModel,
  type SceneState,
  type StoredEpisode,
  type TaskRate,
  type TaskSummary,
  type TrainingSetSummary,
  type TrainJobSummary,
  type TrainProgress,
  type SerialPortInfo,
  type BusScan,
  type CalibrationSummary,
  type CalibrationProgress,
  type RobotDryRun,
  type RealTrial,
  type RobotStatus,
  type RobotTelemetry,
  type Classroom,
  type Lesson,
  type LessonCheckResult,
  type LessonProblem,
  type LessonProgress,
  type LessonSummary,
} from './types.ts';

// ---- input pieces shared by several calls ---------------------------------------------------------

const arm = z.enum(ARM_NAMES);
const seed = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const threads = z.number().int().min(1).max(256);
const where = { task: z.string().min(1, 'a task id is required').max(100), seed, arm: arm.optional() };
/** A dataset file (a path; the server resolves it inside the lab's data folder). */
const db = z.string().min(1, 'the dataset file is required').max(4096);
/** A registered model name, a GGUF file, or openai:MODEL@URL. */
const modelSpec = z.string().min(1, 'a model is required').max(4096);
const format = z.enum(['code', 'json']);

/** Who acts in an episode: the task's scripted solution, nobody, a given program, or a model. */
export const solverInput = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('scripted') }).strict(),
    z.object({ kind: z.literal('none') }).strict(),
    z
      .object({
        kind: z.literal('program'),
        /** Python source (format code) or a JSON plan (format json). */
        source: z
          .string()
          .max(100_000)
          .refine((s) => s.trim() !== '', 'the program is empty'),
        format: format.default('code'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('model'),
        model: modelSpec,
        /** A LoRA adapter (GGUF) for a local model. */
        adapter: z.string().min(1).max(4096).optional(),
        format: format.default('json'),
        temperature: z.number().min(0).max(2).default(0),
        /** The longest answer, in tokens; the prompt template's own limit unless given. */
        maxTokens: z.number().int().min(16).max(8192).optional(),
        /** The sampler's seed; the scene's seed unless given. */
        samplingSeed: seed.optional(),
        threads: threads.optional(),
      })
      .strict(),
  ],
  { error: 'who acts must be scripted, none, program or model' },
);
export type Solver = z.output<typeof solverInput>;

export const episodeFilterInput = z
  .object({
    task: z.string().max(100).optional(),
    split: z.enum(['train', 'heldout']).optional(),
    success: z.boolean().optional(),
    model: z.string().max(4096).optional(),
    runId: z.number().int().positive().optional(),
    since: z.number().int().nonnegative().optional(),
    until: z.number().int().nonnegative().optional(),
    programContains: z.string().max(200).optional(),
  })
  .strict();

// ---- the calls ----------------------------------------------------------------------------------------

interface CallSpec<Input extends z.ZodType, Result> {
  input: Input;
  /** Only for shells on the lab's own machine (the CLI, Electron): never served to a browser. */
  local: boolean;
  /**
   * Moves or reads the real arm: the lab's own shells, and a browser on the lab machine itself when
   * the operator started `lab serve --robot`; never a classroom client on another machine.
   */
  robot?: boolean;
  /** Changes what the whole class shares (the model registry) or sees every student: never a class's student. */
  teacher?: boolean;
  /** Whether a server runs this call (with this input) on a worker thread, off its event loop. */
  offThread?: (input: z.output<Input>) => boolean;
  /** Carries the result type; never set. */
  result?: Result;
}

function call<Input extends z.ZodType>(
  input: Input,
  options: {
    local?: boolean;
    robot?: boolean;
    teacher?: boolean;
    offThread?: boolean | ((input: z.output<Input>) => boolean);
  } = {},
) {
  const { offThread } = options;
  return {
    returns: <Result>(): CallSpec<Input, Result> => ({
      input,
      local: options.local ?? false,
      ...(options.robot ? { robot: true } : {}),
      ...(options.teacher ? { teacher: true } : {}),
      ...(offThread ? { offThread: offThread === true ? () => true : offThread } : {}),
    }),
  };
}

/** Simulations and dataset work run off a server's event loop; a model's calls stay with the shared model. */
const heavy = { offThread: true } as const;
const heavyUnlessModel = {
  offThread: (input: { solver: { kind: string } }) => input.solver.kind !== 'model',
};

const none = z.object({}).strict();
const robot = { robot: true } as const;
const serialPort = z.string().min(1, 'the serial port is required (lab robot ports lists them)').max(4096);
const baudRate = z.number().int().min(9600).max(4_000_000);
/** How long to wait for the servos' reply, ms (default 50): more for slow USB adapters or a busy machine. */
const replyTimeout = z.number().int().min(5).max(1000);
const calibrationName = z
  .string()
  .min(1, 'a calibration name is required')
  .max(64)
  .regex(/^[\w.-]+$/, 'letters, digits, dot, dash and underscore only');
/** One value per joint of the SO-100, radians: 5 arm joints, then the jaw. */
/** One gripper jog along an axis: at most 10 cm at a time. */
const jogMetres = z
  .number()
  .min(-0.1, 'a gripper jog is at most 10 cm')
  .max(0.1, 'a gripper jog is at most 10 cm');
/** A student of a class: a name, no account. */
export const studentName = z
  .string()
  .trim()
  .min(1, 'a student name is required')
  .max(40, 'a student name is at most 40 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._'-]*$/u, "a student name is letters, digits, spaces and . _ ' -");
const lessonId = z
  .string()
  .min(1, 'a lesson id is required')
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'a lesson id is lower-case letters, digits and dashes');
const armPose = z.array(z.number().finite()).length(6, 'a pose has 6 values: 5 joints and the jaw, radians');

export const CALLS = {
  'app.info': call(none).returns<AppInfo>(),

  'sim.info': call(
    z.object({ model: z.string().min(1, 'a model path is required') }).strict(),
    heavy,
  ).returns<MjcfInfo>(),
  'sim.state': call(
    z.object({ scene: z.string().min(1, 'a scene name or model path is required') }).strict(),
    heavy,
  ).returns<{ state: SceneState; text: string }>(),
  'sim.demo': call(z.object({ arm: arm.default('panda') }).strict(), heavy).returns<DemoResult>(),

  'tasks.list': call(none).returns<TaskSummary[]>(),

  /** A task's starting scene for a 3D view (nothing runs). */
  'scene.view': call(z.object(where).strict(), heavy).returns<EpisodeView>(),
  /** The exact prompt a model would get for a task's scene (nothing runs, no model is asked). */
  'scene.prompt': call(z.object({ ...where, format: format.default('code') }).strict(), heavy).returns<{
    templateVersion: string;
    messages: ChatMessage[];
  }>(),
  /** One episode: the scene built once, the solver run, the verifier's verdict; optionally recorded to a file. */
  'episode.run': call(
    z
      .object({
        ...where,
        solver: solverInput.default({ kind: 'scripted' }),
        /** Write the episode's recording (30 Hz) with its scene to this file. */
        recordTo: z.string().min(1).max(4096).optional(),
      })
      .strict(),
    heavyUnlessModel,
  ).returns<EpisodeRun>(),
  /** One episode for a 3D view: its starting scene and every body's pose at 30 Hz while it runs. */
  'episode.view': call(
    z.object({ ...where, solver: solverInput.default({ kind: 'scripted' }) }).strict(),
    heavyUnlessModel,
  ).returns<ViewedEpisode>(),

  'dataset.stats': call(z.object({ db, filter: episodeFilterInput.default({}) }).strict(), heavy).returns<
    TaskRate[]
  >(),
  'dataset.modelStats': call(
    z.object({ db, filter: episodeFilterInput.default({}) }).strict(),
    heavy,
  ).returns<ModelRate[]>(),
  'dataset.list': call(
    z
      .object({
        db,
        filter: episodeFilterInput.default({}),
        limit: z.number().int().min(1).max(1000).default(100),
        order: z.enum(['newest', 'oldest']).default('newest'),
        after: z.object({ createdAt: z.number().int(), id: z.number().int() }).strict().optional(),
      })
      .strict(),
    heavy,
  ).returns<Page<EpisodeSummary>>(),
  'dataset.show': call(
    z.object({ db, id: z.number().int().positive() }).strict(),
    heavy,
  ).returns<StoredEpisode>(),
  /** Re-simulate a stored episode (episodes are deterministic) for a 3D view. */
  'dataset.replay': call(z.object({ db, id: z.number().int().positive() }).strict(), heavy).returns<Replay>(),
  'dataset.check': call(z.object({ db }).strict(), heavy).returns<{
    integrity: string;
    schemaVersion: number;
  }>(),
  /** Bring a dataset made by an older lab to the current schema (read calls never change a file). */
  'dataset.upgrade': call(z.object({ db }).strict(), heavy).returns<{ from: number; to: number }>(),
  'dataset.export': call(
    z
      .object({
        db,
        format: z.enum(['chat', 'pairs', 'csv']).default('chat'),
        out: z.string().min(1, 'the output file is required').max(4096),
        /** chat: the share of scenes written to the validation file. */
        validation: z.number().min(0).lt(1).default(0.1),
      })
      .strict(),
    heavy,
  ).returns<ExportResult>(),
  'dataset.merge': call(
    z
      .object({
        db,
        sources: z.array(z.string().min(1).max(4096)).min(1, 'name at least one dataset to merge'),
      })
      .strict(),
    heavy,
  ).returns<(MergeResult & { source: string })[]>(),

  'generate.run': call(
    z
      .object({
        db,
        tasks: z.union([z.literal('train'), z.literal('all'), z.array(z.string().min(1).max(100)).min(1)]),
        /** 'scripted', or a model spec. */
        teacher: modelSpec,
        /** A LoRA adapter for a local teacher: a registered name or a GGUF file. */
        adapter: z.string().min(1).max(4096).optional(),
        scenes: z.number().int().positive().max(1_000_000),
        firstScene: seed.default(0),
        samples: z.number().int().positive().max(1000).default(1),
        temperature: z.number().min(0).max(2).optional(),
        format: format.optional(),
        workers: z.number().int().min(1).max(64).optional(),
        concurrency: z.number().int().min(1).max(64).optional(),
        threads: threads.optional(),
      })
      .strict(),
  ).returns<GenerationSummary>(),

  'models.list': call(none).returns<ModelList>(),
  'models.add': call(
    z
      .object({
        path: z.string().min(1, 'the GGUF file path is required'),
        name: z.string().min(1).optional(),
      })
      .strict(),
    { teacher: true },
  ).returns<RegisteredModel>(),
  'models.addEndpoint': call(
    z
      .object({
        name: z.string().min(1, 'a name is required'),
        spec: z.string().min(1, 'the endpoint is required (openai:MODEL@http://host:port/v1)'),
      })
      .strict(),
    // The host's API key goes to registered endpoints: only the operator registers them.
    { local: true },
  ).returns<RegisteredEndpoint>(),
  'models.remove': call(z.object({ name: z.string().min(1) }).strict(), { teacher: true }).returns<{
    removed: string;
  }>(),
  /** The tiny random-weight test model: exercises every local path offline (its answers are noise). */
  'models.addTiny': call(none).returns<RegisteredModel>(),
  'models.test': call(
    z
      .object({
        model: modelSpec,
        prompt: z.string().min(1, 'a prompt is required').max(20_000),
        maxTokens: z.number().int().min(1).max(4096).default(64),
        threads: threads.optional(),
      })
      .strict(),
  ).returns<ModelTest>(),
  /** A GGUF file's header: architecture, parameters, context, template, quantisation. */
  'models.inspect': call(
    z.object({ path: z.string().min(1, 'a GGUF file is required') }).strict(),
  ).returns<GgufInfo>(),
  /** Write the tiny random-weight llama (and a LoRA adapter for it) used by the offline tests. */
  'models.writeTiny': call(
    z
      .object({
        out: z.string().regex(/\.gguf$/i, 'the output must name a .gguf file'),
        lora: z
          .string()
          .regex(/\.gguf$/i, '--lora must name a .gguf file')
          .optional(),
        seed: z.number().int().min(0).max(0xffffffff).default(1),
        f16: z.boolean().default(false),
      })
      .strict(),
    { local: true },
  ).returns<GgufInfo[]>(),
  /** Share a local model as an OpenAI-compatible endpoint until the call is stopped. */
  'models.serve': call(
    z
      .object({
        model: modelSpec,
        adapter: z.string().min(1).optional(),
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8123),
        token: z.string().min(16, 'the token must be at least 16 characters').optional(),
        name: z.string().min(1).optional(),
        threads: threads.optional(),
      })
      .strict(),
    { local: true },
  ).returns<{ stopped: true }>(),

  /** Snapshot the dataset's verified episodes a student may learn from (kept in the dataset). */
  'train.createSet': call(
    z
      .object({
        db,
        name: z.string().min(1, 'a name is required').max(64),
        method: z.enum(['supervised', 'dpo']).default('supervised'),
        /** Task ids; every training task when absent. */
        tasks: z.array(z.string().min(1).max(100)).max(200).optional(),
        maxPerTask: z.number().int().min(0).max(1_000_000).default(0),
        validation: z.number().min(0).lt(1).default(0.1),
        seed: seed.default(0),
      })
      .strict(),
    heavy,
  ).returns<TrainingSetSummary>(),
  'train.sets': call(z.object({ db }).strict(), heavy).returns<TrainingSetSummary[]>(),
  /**
   * Train a student on a training set: the built-in trainer (small models, on this machine), a local
   * trainer command, or an OpenAI-compatible fine-tuning API. Progress arrives as train.progress
   * events; the adapter (or remote model) is registered under `name` when it ends.
   */
  'train.run': call(
    z
      .object({
        db,
        trainingSet: z.string().min(1, 'a training set is required').max(64),
        trainer: z.enum(['builtin', 'command', 'openai']).default('builtin'),
        /** A registered local model or GGUF file (builtin, command); a remote model id (openai). */
        base: modelSpec,
        /** The adapter's (or remote model's) name in the registry; default <set>-<job>. */
        name: z.string().min(1).max(64).optional(),
        hyper: z
          .object({
            epochs: z.number().int().min(1).max(1000).default(3),
            learningRate: z.number().gt(0).max(1).default(0.002),
            batchSize: z.number().int().min(1).max(1024).default(4),
            rank: z.number().int().min(1).max(256).default(8),
            alpha: z.number().gt(0).max(4096).default(16),
            maxSteps: z.number().int().min(0).max(10_000_000).default(0),
            maxSeconds: z
              .number()
              .min(0)
              .max(7 * 24 * 3600)
              .default(0),
            seed: seed.default(0),
          })
          .strict()
          .prefault({}),
        /** What the command trains, when not the GGUF itself: a Hugging Face folder or id for PEFT trainers. */
        trainerBase: z.string().min(1).max(4096).optional(),
        /** The command trainer's argv (no shell); the request file's path is appended. */
        command: z.array(z.string().min(1).max(4096)).min(1).max(64).optional(),
        /** The fine-tuning API's base URL (openai); the key comes from BLAZER_API_KEY or OPENAI_API_KEY on the lab's machine. */
        baseURL: z.string().url().max(4096).optional(),
      })
      .strict(),
  ).returns<TrainJobSummary>(),
  'train.jobs': call(z.object({ db }).strict(), heavy).returns<TrainJobSummary[]>(),

  'adapters.list': call(none).returns<RegisteredAdapter[]>(),
  /** Import a GGUF LoRA or a PEFT adapter folder for a base model (checked against it, its hash kept). */
  'adapters.import': call(
    z
      .object({
        from: z.string().min(1, 'the adapter (a .gguf file or a PEFT folder) is required').max(4096),
        base: modelSpec,
        name: z.string().min(1).max(64).optional(),
      })
      .strict(),
    { local: true },
  ).returns<RegisteredAdapter>(),
  'adapters.remove': call(z.object({ name: z.string().min(1).max(64) }).strict(), { local: true }).returns<{
    removed: string;
  }>(),

  /** Attempt tasks on the evaluation seeds (never used by generation) and store the run. */
  'eval.run': call(
    z
      .object({
        db,
        /** 'scripted' or a model spec. */
        model: modelSpec,
        adapter: z.string().min(1).max(4096).optional(),
        tasks: z.union([
          z.literal('train'),
          z.literal('heldout'),
          z.literal('all'),
          z.array(z.string().min(1).max(100)).min(1),
        ]),
        scenes: z.number().int().min(1).max(100_000),
        samples: z.number().int().min(1).max(1000).default(1),
        temperature: z.number().min(0).max(2).optional(),
        format: format.optional(),
        workers: z.number().int().min(1).max(64).optional(),
        concurrency: z.number().int().min(1).max(64).optional(),
        threads: threads.optional(),
      })
      .strict(),
  ).returns<EvalSummary>(),
  'eval.list': call(z.object({ db }).strict(), heavy).returns<EvalSummary[]>(),
  /** The paper-style table of evaluation runs, and which differences lie outside the intervals. */
  'eval.compare': call(
    z
      .object({ db, runs: z.array(z.number().int().positive()).min(1, 'name at least one run').max(50) })
      .strict(),
    heavy,
  ).returns<CompareTable & { text: string }>(),

  /** USB serial ports, with a hint for known servo adapters. */
  'robot.ports': call(none, robot).returns<SerialPortInfo[]>(),
  /** Which SO-100 servos answer on a port (baud rate detected when not given), and what to check. */
  'robot.scan': call(
    z
      .object({ port: serialPort, baudRate: baudRate.optional(), timeoutMs: replyTimeout.optional() })
      .strict(),
    robot,
  ).returns<BusScan>(),
  'robot.calibrations': call(none, robot).returns<CalibrationSummary[]>(),
  /** LeRobot's SO-100/SO-101 calibration files on this machine, to import, and where LeRobot keeps them. */
  'robot.leRobotFiles': call(none, robot).returns<{ files: string[]; folder: string }>(),
  /**
   * Torque off on every SO-100 servo of a port no bridge of this process holds (a bridge in another
   * process that died, an arm left holding): sent blind, since a sync write gets no reply.
   */
  'robot.torqueOff': call(
    z.object({ port: serialPort, baudRate: baudRate.optional() }).strict(),
    robot,
  ).returns<{ port: string; ids: number[] }>(),
  /** Import a LeRobot SO-100/SO-101 calibration file (its JSON text) under a name. */
  'robot.importCalibration': call(
    z.object({ name: calibrationName, json: z.string().min(2).max(1_000_000) }).strict(),
    robot,
  ).returns<CalibrationSummary>(),
  /**
   * Calibrate an arm by hand, torque off: runs until finished (robot.calibrationStep 'finish') or
   * stopped (nothing saved), sending robot.calibration events with the live table.
   */
  'robot.calibrate': call(
    z
      .object({
        port: serialPort,
        baudRate: baudRate.optional(),
        name: calibrationName,
        timeoutMs: replyTimeout.optional(),
      })
      .strict(),
    robot,
  ).returns<CalibrationSummary>(),
  /** The operator's step in a running calibration: the reference pose is held, or finish. */
  'robot.calibrationStep': call(
    z.object({ action: z.enum(['reference-pose', 'finish']) }).strict(),
    robot,
  ).returns<CalibrationProgress>(),
  /** Open the port in a bridge process, check the servos against the calibration, torque off. */
  'robot.connect': call(
    z
      .object({
        port: serialPort,
        baudRate: baudRate.optional(),
        calibration: calibrationName,
        rateHz: z.number().int().min(5).max(1000).optional(),
        watchdogMs: z.number().int().min(50).max(10_000).optional(),
        timeoutMs: replyTimeout.optional(),
      })
      .strict(),
    robot,
  ).returns<BusScan>(),
  /** Torque off, close the port, end the bridge process. */
  'robot.disconnect': call(none, robot).returns<{ disconnected: boolean }>(),
  'robot.torque': call(z.object({ on: z.boolean() }).strict(), robot).returns<RobotTelemetry>(),
  /** Go to a pose and wait until the arm is there (checked against every limit first). */
  'robot.move': call(z.object({ joints: armPose }).strict(), robot).returns<RobotTelemetry>(),
  /** Set a target and return: the arm holds unless jogs keep coming (the watchdog). */
  'robot.jog': call(z.object({ joints: armPose }).strict(), robot).returns<{ accepted: true }>(),
  /** Move the gripper by a few centimetres (pointing down), through the arm's inverse kinematics. */
  'robot.jogGripper': call(
    z
      .object({
        move: z.tuple([jogMetres, jogMetres, jogMetres]),
        turn: z.number().min(-0.8).max(0.8).optional(),
      })
      .strict(),
    robot,
  ).returns<RobotTelemetry>(),
  /**
   * Teach by demonstration: 'start' records the arm's joints (move it by hand with torque off, or
   * jog it); 'stop' saves them under a name for robot.replay.
   */
  'robot.teach': call(
    z.discriminatedUnion('action', [
      z.object({ action: z.literal('start') }).strict(),
      z.object({ action: z.literal('stop'), name: calibrationName }).strict(),
    ]),
    robot,
  ).returns<{ recording: boolean; frames: number; file?: string }>(),
  'robot.trajectories': call(none, robot).returns<string[]>(),
  /** Replay a taught trajectory: every pose is checked before the first one moves. */
  'robot.replay': call(z.object({ name: calibrationName }).strict(), robot).returns<RobotTelemetry>(),
  /** Stop now, ahead of anything queued; nothing moves until robot.resume. */
  'robot.estop': call(none, robot).returns<RobotTelemetry | { connected: false }>(),
  'robot.resume': call(none, robot).returns<RobotTelemetry>(),
  'robot.status': call(none, robot).returns<RobotStatus>(),
  /**
   * Run a program in simulation on the SO-100 from the real scene (the task's objects moved to where
   * they really are; the arm at its real joints when connected) and turn it into a plan the real
   * arm can follow. Nothing moves.
   */
  'robot.dryRun': call(
    z
      .object({
        task: where.task,
        seed,
        solver: solverInput,
        objects: z
          .array(
            z
              .object({
                name: z.string().min(1).max(100),
                position: z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]),
                yaw: z.number().finite(),
              })
              .strict(),
          )
          .max(50)
          .optional(),
      })
      .strict(),
    robot,
  ).returns<RobotDryRun>(),
  /** Execute a dry run's plan on the connected arm, primitive by primitive (robot.run events). */
  'robot.execute': call(z.object({ plan: z.string().min(1).max(100) }).strict(), robot).returns<RealTrial>(),
  /** The operator's verdict on a trial: stored in the dataset beside simulated episodes, as real. */
  'robot.markTrial': call(
    z
      .object({
        trial: z.string().min(1).max(100),
        success: z.boolean(),
        note: z.string().max(2000).optional(),
        db,
      })
      .strict(),
    robot,
  ).returns<{ episodeId: number; runId: number }>(),
  /** Stream the arm's telemetry (robot.telemetry events) until the call is stopped. */
  'robot.watch': call(none, robot).returns<{ stopped: true }>(),

  /** The course (lessons/*.md), the files refused with why, and a student's progress when named. */
  'lessons.list': call(z.object({ student: studentName.optional() }).strict()).returns<{
    lessons: LessonSummary[];
    problems: LessonProblem[];
    student?: string;
    progress: Record<string, LessonProgress>;
  }>(),
  /** One lesson's steps (never a check's answer or its hints), and the student's progress in it. */
  'lessons.get': call(z.object({ lesson: lessonId, student: studentName.optional() }).strict()).returns<{
    lesson: Lesson;
    progress?: LessonProgress;
  }>(),
  /**
   * Check a step's exercise: core runs the program, reads the scene, or looks in the student's
   * dataset, keeps the verdict in the student's progress, and gives the step's hints when not met.
   */
  'lessons.check': call(
    z
      .object({
        lesson: lessonId,
        step: z.string().min(1).max(100),
        student: studentName.optional(),
        /** A program (Python) for a `run` check. */
        program: z.string().max(100_000).optional(),
        /** A number or one of the options. */
        answer: z.string().max(1000).optional(),
        /** An episode id in the dataset, for `find-episode`. */
        episode: z.number().int().positive().optional(),
        /** The dataset to look in; the student's own unless named. */
        db: db.optional(),
        /** A model (and adapter) for a `run` check with solver model. */
        model: modelSpec.optional(),
        adapter: z.string().min(1).max(4096).optional(),
        /** What the model is asked for, as on the Simulator: a JSON plan (default) or Python code.
         * Always at temperature 0: a check must not be passed by asking again until a lucky draw. */
        format: format.optional(),
        threads: threads.optional(),
      })
      .strict(),
    { offThread: (input: { model?: string }) => input.model === undefined },
  ).returns<LessonCheckResult>(),
  /** The teacher's table: every student × every lesson, with the last failure; also as CSV. */
  'lessons.classroom': call(none, { teacher: true }).returns<Classroom>(),
} as const;

// ---- results that are not plain core data -----------------------------------------------------------

/** An episode run: the verifier's verdict and trace; a model's side of it when a model solved it. */
export interface EpisodeRun {
  result: EpisodeResult;
  /** The final scene state as text, as a model would be shown it. */
  finalStateText: string;
  attempt?: Attempt;
  /** Where the recording went, with --record. */
  recorded?: { path: string; frames: number; hz: number };
}

export interface ViewedEpisode {
  view: EpisodeView;
  result: EpisodeResult;
  attempt?: Attempt;
  /** Why a failed episode failed, by the kind lessons and the dataset use (syntax, blocked, task-failed, ...). */
  failure?: AttemptFailure;
}

export interface Replay extends ViewedEpisode {
  stored: { success: boolean };
  /** Whether the re-simulation reached the stored result. */
  reproduced: boolean;
}

export type ExportResult =
  | ({ format: 'chat'; files: [string, string] } & ChatExportResult)
  | { format: 'pairs'; files: [string]; pairs: number }
  | { format: 'csv'; files: [string]; episodes: number };

export interface ModelList {
  /** The registry file. */
  registry: string;
  models: RegisteredModel[];
  endpoints: RegisteredEndpoint[];
}

export interface ModelTest {
  model: ModelDescription;
  text: string;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
}

// ---- the typed view of all of it --------------------------------------------------------------------

export type CallName = keyof typeof CALLS;
/** What a caller may pass (defaults filled in by the schema). */
export type CallInput<K extends CallName> = z.input<(typeof CALLS)[K]['input']>;
/** What a handler receives: validated, defaults applied. */
export type ParsedInput<K extends CallName> = z.output<(typeof CALLS)[K]['input']>;
export type CallResult<K extends CallName> =
  (typeof CALLS)[K] extends CallSpec<z.ZodType, infer R> ? R : never;
/** The lab as the UI, the CLI and the tests see it: call name -> input -> result. */
export type LabApi = { [K in CallName]: (input: CallInput<K>) => Promise<CallResult<K>> };
/** The part of a name before the dot: calls are grouped by area (app, sim, dataset, ...). */
export type CallArea = CallName extends `${infer Area}.${string}` ? Area : never;
export type CallsOf<Area extends CallArea> = Extract<CallName, `${Area}.${string}`>;

/** Events a running call sends before its result: progress bars and streamed text read these. */
export type LabEvent =
  | { type: 'generation.progress'; db: string; progress: GenerationProgress }
  /** The exact prompt a model is about to be asked. */
  | { type: 'model.prompt'; messages: ChatMessage[]; templateVersion: string }
  /** A model's answer as it is generated. */
  | { type: 'model.text'; text: string }
  /** A primitive call has finished (demo runs show each as it happens). */
  | { type: 'episode.step'; result: PrimitiveResult }
  /** A training job's step: loss, validation loss, speed, time left. */
  | { type: 'train.progress'; jobId: number; progress: TrainProgress }
  /** An evaluation's progress (the same counts as a generation's). */
  | { type: 'eval.progress'; db: string; progress: GenerationProgress }
  /** A model is being served (models.serve): where, and the key clients use. */
  | { type: 'model.serving'; url: string; token: string; name: string }
  /** A plan running on the real arm: which primitive is under way. */
  | { type: 'robot.run'; step: number; of: number; primitive: string }
  /** A calibration by hand: the live table, 10 times a second. */
  | { type: 'robot.calibration'; progress: CalibrationProgress }
  /** The real arm: joints, goal, servo readings and state, up to 30 times a second. */
  | { type: 'robot.telemetry'; telemetry: RobotTelemetry };

/** An error as it crosses every boundary: a kind to branch on, a message to show. */
export interface ErrorReport {
  /** A core error's kind ('no-dataset', 'xml-parse', ...), 'bad-request', 'unknown-call',
   *  'forbidden', 'stopped', or 'internal' for a bug. */
  kind: string;
  message: string;
  /** For 'bad-request': each field at fault (a dotted path into the input) and what is wrong with it. */
  issues?: { path: string; message: string }[];
}
