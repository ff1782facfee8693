// The lab's data as it crosses the api: every result a shell or the UI receives is built from these
// plain, camelCase shapes. They are declared here once; core produces them (it imports these types,
// never the other way round) and nothing here imports anything, so the renderer can use them freely.

export const ARM_NAMES = ['panda', 'so100'] as const;
export type ArmName = (typeof ARM_NAMES)[number];

export type Vec3 = [number, number, number];
export type Split = 'train' | 'heldout';
/** How a model is asked to write its program: Python code, or a JSON plan (small models). */
export type ProgramFormat = 'code' | 'json';

// ---- the scene an LLM program is given ----------------------------------------------------------

export interface ObjectState {
  name: string;
  /** Centre of the object's box, metres. */
  position: Vec3;
  /** Radians about z, (-pi, pi]. */
  yaw: number;
  /** l (along its x), w (along its y), h (z), metres. */
  size: Vec3;
  /** Scene state v2: the colour word of the object's first geom, when it is one of the lab's colours. */
  colour?: string;
  /** Scene state v2: a part on a slide joint (a drawer, a button cap): how far it has moved from rest. */
  slide?: { direction: string; moved: number; travel: number };
  /** Scene state v2: a container's free space (from its `<name>_inside` box site). */
  inside?: { centre: [number, number]; size: [number, number]; floor: number; rim: number };
  /** Scene state v2: the part to grasp the object by (a lid's knob), from its `<name>_handle` box site. */
  handle?: { centre: Vec3; size: Vec3 };
}

export interface GripperState {
  position: Vec3;
  yaw: number;
  opening: number;
  /** Scene state v2: the widest opening. */
  maxOpening?: number;
  /** Scene state v2: how far the fingertips reach below `position`. */
  fingertipsBelow?: number;
}

export interface SceneState {
  version: number;
  objects: ObjectState[];
  gripper?: GripperState;
}

// ---- primitives and what they did -----------------------------------------------------------------

export type PrimitiveName = 'open_gripper' | 'close_gripper' | 'move_gripper';
export type PrimitiveStatus = 'reached' | 'unreachable' | 'blocked' | 'timeout' | 'invalid';

export interface GripperPose {
  position: Vec3;
  /** Yaw of the jaws about world z, wrapped to [-pi/2, pi/2): the gripper is symmetric. */
  yaw: number;
  /** How far the gripper's approach axis is from straight down, radians. */
  tilt: number;
  /** Distance between the fingers, metres. */
  opening: number;
}

export interface PrimitiveResult {
  primitive: PrimitiveName;
  status: PrimitiveStatus;
  message: string;
  /** Simulated seconds the primitive took. */
  duration: number;
  pose: GripperPose;
  /** For unreachable targets: the closest pose the IK found and how far it is. */
  closest?: { position: Vec3; yaw: number; positionError: number; angleError: number };
  /** For blocked motions: the contact that stopped the arm. */
  contact?: { robot: string; other: string };
}

/** `lab demo`: a scripted pick-and-place on a built-in scene, primitive by primitive. */
export interface DemoResult {
  arm: ArmName;
  destination: Vec3;
  placed: boolean;
  primitives: number;
  simSeconds: number;
  wallSeconds: number;
  results: PrimitiveResult[];
  before: SceneState;
  state: SceneState;
}

// ---- 3D views ---------------------------------------------------------------------------------------

/** MuJoCo geom types a view can draw. */
export type GeomShape = 'plane' | 'hfield' | 'sphere' | 'capsule' | 'ellipsoid' | 'cylinder' | 'box' | 'mesh';

export interface GeomView {
  body: number;
  name: string;
  shape: GeomShape;
  /** MuJoCo's geom_size: half-sizes / radius and half-length, depending on the shape. */
  size: Vec3;
  /** Position and quaternion [w, x, y, z] relative to the body. */
  pos: Vec3;
  quat: [number, number, number, number];
  rgba: [number, number, number, number];
  /** Index into SceneGeometry.meshes for mesh geoms. */
  mesh?: number;
}

export interface MeshView {
  /** Flat xyz vertex coordinates in the mesh frame. */
  vertices: number[];
  /** Flat vertex indices, three per triangle. */
  faces: number[];
}

export interface SceneGeometry {
  bodies: { name: string; parent: number }[];
  geoms: GeomView[];
  meshes: MeshView[];
}

/** One instant of a recording. */
export interface RecordingFrame {
  /** Simulated seconds. */
  t: number;
  /** Robot joint positions (arm then gripper), radians or metres, in `jointNames` order. */
  joints: number[];
  /** Position [x, y, z] and quaternion [w, x, y, z] of each object, in `objectNames` order. */
  objects: number[][];
  /** Every body's world pose (x, y, z, qw, qx, qy, qz per body), when recorded for a 3D view. */
  poses?: number[];
}

/** What happened in an episode, sampled at a fixed rate of simulated time (not a planned path). */
export interface Recording {
  hz: number;
  jointNames: string[];
  objectNames: string[];
  frames: RecordingFrame[];
}

// ---- episodes ---------------------------------------------------------------------------------------

export type ProgramOutcomeKind =
  | 'completed' // ran to its end or called task_completed()
  | 'syntax' // did not compile; `line` says where
  | 'runtime' // raised an exception; `line` says where
  | 'forbidden' // imported a module robot programs may not use
  | 'recursion'
  | 'memory'
  | 'timeout'
  | 'output' // printed too much
  | 'stopped' // the parent ended it: an invalid number, too many primitive calls
  | 'sandbox-violation' // reached outside its interpreter, or its runner broke the protocol; the message says which
  | 'crash'; // the runner or interpreter died for another reason

/** How a program (Python through the sandbox, or a JSON plan) ended. */
export interface ProgramOutcome {
  ok: boolean;
  kind: ProgramOutcomeKind;
  message: string;
  line?: number;
  output: string;
  primitiveCalls: number;
  /** Seconds the runner spent running the program, not counting time in primitives. */
  runnerSeconds: number;
}

export interface EpisodeResult {
  taskId: string;
  split: Split;
  seed: number;
  arm: ArmName;
  instruction: string;
  success: boolean;
  /** The verifier's words. */
  reason: string;
  /** Why the episode stopped the program early, if it did. */
  stopped?: string;
  /** How a program ended (completed, syntax error with line, timeout, ...). */
  program?: ProgramOutcome;
  primitiveCalls: number;
  trace: PrimitiveResult[];
  simSeconds: number;
  wallSeconds: number;
  initialState: SceneState;
  finalState: SceneState;
  recording?: Recording;
}

/** An episode's starting scene for a 3D view: shapes, body poses, and the state a program gets. */
export interface EpisodeView {
  taskId: string;
  seed: number;
  arm: ArmName;
  instruction: string;
  state: SceneState;
  /** The state as the text a model is prompted with. */
  stateText: string;
  geometry: SceneGeometry;
  poses: number[];
}

// ---- models and attempts ----------------------------------------------------------------------------

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  seed?: number;
  maxTokens?: number;
}

/** What is known about an LLM, for the registry and for every stored attempt (never a key). */
export interface ModelDescription {
  /** 'local:<file name>', 'openai:<model>@<base URL>', or 'scripted' (a task's reference answer). */
  id: string;
  kind: 'local' | 'openai' | 'scripted';
  architecture?: string;
  parameters?: number;
  contextLength?: number;
  chatTemplate?: string;
  quantisation?: string;
  adapters?: { file: string; scale: number }[];
}

export interface AttemptFailure {
  /** 'truncated' | 'no-program' | a ProgramOutcome kind | a PrimitiveStatus | 'task-failed' */
  kind: string;
  message: string;
  line?: number;
}

/** A model's attempt at an episode: the prompt, its answer and program, and why it failed. */
export interface Attempt {
  taskId: string;
  seed: number;
  arm: ArmName;
  instruction: string;
  format: ProgramFormat;
  templateVersion: string;
  prompt: ChatMessage[];
  model: ModelDescription;
  sampling: SamplingOptions;
  answer: string;
  /** The program that ran, as Python (a JSON plan is shown as the equivalent calls). */
  program?: string;
  generation: { tokens: number; seconds: number; finishReason: string };
  success: boolean;
  failure?: AttemptFailure;
}

/** A GGUF file's header: an LLM or a LoRA adapter. */
export interface GgufInfo {
  path: string;
  file: string;
  fileBytes: number;
  /** 'model', or 'adapter' for a LoRA adapter (general.type). */
  type: string;
  architecture: string;
  name?: string;
  /** Sum of the element counts of every tensor. */
  parameters: number;
  tensors: number;
  contextLength?: number;
  hasChatTemplate: boolean;
  /** The first 200 characters of tokenizer.chat_template. */
  chatTemplate?: string;
  /** 'F32', 'F16', 'Q4_K_M', … from general.file_type, else the dominant tensor type. */
  quantisation?: string;
  /** adapter.lora.alpha, for LoRA adapters. */
  loraAlpha?: number;
}

export interface RegisteredModel {
  name: string;
  path: string;
  addedAt: string;
  info: Pick<
    GgufInfo,
    | 'type'
    | 'architecture'
    | 'parameters'
    | 'contextLength'
    | 'quantisation'
    | 'hasChatTemplate'
    | 'fileBytes'
  >;
}

/** A remote OpenAI-compatible endpoint kept under a short name (its key is never stored). */
export interface RegisteredEndpoint {
  name: string;
  /** openai:MODEL@BASE_URL */
  spec: string;
  addedAt: string;
}

// ---- MJCF models --------------------------------------------------------------------------------------

/** A summary of a loaded MJCF model: its parts, and the arm the primitives would drive. */
export interface MjcfInfo {
  source: string;
  mujocoVersion: string;
  timestep: number;
  counts: { bodies: number; joints: number; actuators: number; sites: number; geoms: number; dofs: number };
  bodies: string[];
  joints: string[];
  actuators: string[];
  sites: string[];
  /** The arm the primitives would drive, or why there is none. */
  arm: { joints: string[]; gripperActuators: string[] } | { none: string };
}

// ---- the dataset ----------------------------------------------------------------------------------------

export interface EpisodeFilter {
  task?: string;
  split?: Split;
  success?: boolean;
  model?: string;
  runId?: number;
  /** ms since the epoch */
  since?: number;
  until?: number;
  programContains?: string;
}

export interface EpisodeSummary {
  id: number;
  runId: number;
  task: string;
  split: string;
  arm: string;
  seed: number;
  sample: number;
  success: boolean;
  failureKind: string | null;
  model: string | null;
  createdAt: number;
  /** A trial on the real arm (marked by its operator), not a simulated episode. */
  real?: true;
}

/** Where a page of episodes ends: pass it as `after` for the next page. */
export interface PageCursor {
  createdAt: number;
  id: number;
}

export interface Page<T> {
  rows: T[];
  /** Absent on the last page. */
  next?: PageCursor;
}

export interface RateRow {
  episodes: number;
  successes: number;
  rate: number;
}
export interface TaskRate extends RateRow {
  task: string;
  split: string;
}
export interface ModelRate extends RateRow {
  model: string;
  /** What the dataset recorded about the model when it generated with it (scripted: none). */
  description?: ModelDescription;
}

export interface GenerationProgress {
  done: number;
  total: number;
  /** Episodes already in the database when the run (re)started. */
  resumed: number;
  successes: number;
  /** Episodes per minute in this session. */
  perMinute: number;
  etaSeconds: number;
  /** The same counts per task (successes: this session's). */
  tasks: Record<string, { done: number; total: number; successes: number }>;
}

export interface GenerationSummary extends GenerationProgress {
  runId: number;
  stopped: boolean;
  /** Scenes built in this session: one per episode generated. */
  scenesBuilt: number;
}

export interface ChatExportResult {
  train: number;
  validation: number;
  /** Successes without a prompt (scripted episodes): nothing to learn from as chat data. */
  skipped: number;
  /** Successes whose prompt or answer was cut to its size limit when stored: left out. */
  cut: number;
}

export interface MergeResult {
  runs: number;
  episodes: number;
  skipped: number;
}

/** Everything stored about one episode. */
export interface StoredEpisode {
  id: number;
  runId: number;
  task: string;
  split: string;
  arm: ArmName;
  seed: number;
  sample: number;
  instruction: string;
  /** The initial scene state the program was given. */
  scene: SceneState | null;
  prompt: ChatMessage[] | null;
  answer: string | null;
  /** 'scripted', or the program format. */
  format: string | null;
  program: string | null;
  trace: PrimitiveResult[];
  success: boolean;
  failureKind: string | null;
  failure: string | null;
  /** The verifier's words (null only in episodes from schema version 1). */
  reason: string | null;
  model: string | null;
  sampling: SamplingOptions | null;
  tokens: number | null;
  simSeconds: number | null;
  wallSeconds: number | null;
  createdAt: number;
  /** Fields cut to their size limits when stored. */
  cut: string[];
  /** A trial on the real arm: the joints it followed, as measured. */
  real?: true;
  trajectory?: RealTrajectory;
}

// ---- the lab itself ---------------------------------------------------------------------------------------

/** What the UI needs to know before anything else. */
export interface AppInfo {
  name: string;
  version: string;
  /** The lab's data folder. */
  home: string;
  /** The dataset the UI opens unless told otherwise. */
  defaultDb: string;
  arms: readonly ArmName[];
  /** Whether this caller is the lab's operator (the desktop app), not a client of `lab serve`. */
  local: boolean;
  /** A student of a class (`lab serve`'s class link): their name; their files are their own. */
  student?: string;
  /** Whether this caller may see every student's progress (the operator, or lab serve's teacher link). */
  teacher: boolean;
}

export interface TaskSummary {
  id: string;
  title: string;
  split: Split;
  skills: string[];
  arms: ArmName[];
  /** The instruction for seed 0, as an example. */
  example: string;
}

// ---- fine-tuning and evaluation ---------------------------------------------------------------

export type TrainMethodName = 'supervised' | 'dpo';
export type TrainerKind = 'builtin' | 'command' | 'openai';

export interface Hyperparameters {
  /** Passes over the training file. */
  epochs: number;
  /** Learning rate (the built-in and command trainers); the OpenAI API takes a multiplier instead. */
  learningRate: number;
  /** Examples per optimizer step. */
  batchSize: number;
  /** LoRA rank r and alpha (the delta is alpha / r * B A). */
  rank: number;
  alpha: number;
  /** Stop after this many optimizer steps (0: no limit besides epochs). */
  maxSteps?: number;
  /** Stop after this many seconds of training (0 or absent: no limit). */
  maxSeconds?: number;
  /** Random seed for initialisation and example order. */
  seed?: number;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Training loss of the last step (mean cross-entropy per answer token). */
  loss: number;
  validLoss?: number;
  tokensPerSecond?: number;
  etaSeconds?: number;
  /** A line worth showing (a remote job's event, a stage change). */
  message?: string;
}

/** A snapshot of the dataset a student learns from: the exact episodes, kept in the database. */
export interface TrainingSetSummary {
  id: number;
  name: string;
  method: TrainMethodName;
  /** How the episodes were chosen. */
  selection: TrainingSetSelection;
  /** Examples (supervised) or pairs (dpo) in each part. */
  train: number;
  validation: number;
  perTask: Record<string, number>;
  createdAt: number;
}

export interface TrainingSetSelection {
  /** Task ids; all training tasks when empty. */
  tasks: string[];
  /** At most this many examples per task (0: all). */
  maxPerTask: number;
  /** The share of scenes kept for validation. */
  validation: number;
  /** Orders the episodes before the cut per task. */
  seed: number;
}

export type TrainJobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface TrainJobSummary {
  id: number;
  trainingSet: string;
  trainer: TrainerKind;
  baseModel: string;
  hyper: Record<string, unknown>;
  status: TrainJobStatus;
  outDir: string;
  /** The adapter (builtin, command) or registered endpoint (openai) the job made. */
  adapter?: string;
  remoteJob?: string;
  /** [step, loss, validLoss or null] */
  losses: [number, number, number | null][];
  error?: string;
  startedAt: number;
  endedAt?: number;
}

/** One task's success over an evaluation, with a 95% Wilson interval. */
export interface RateWithInterval {
  attempts: number;
  successes: number;
  rate: number;
  low: number;
  high: number;
}

export interface EvalTaskResult extends RateWithInterval {
  task: string;
  split: 'train' | 'heldout';
  /** Mean generated tokens and wall seconds per attempt. */
  tokens: number;
  seconds: number;
}

export interface EvalSummary {
  runId: number;
  /** What is being evaluated, as a row label: the model, plus '+adapter' when one was applied. */
  label: string;
  /** Trials on a real arm, marked by the operator, not an evaluation in simulation. */
  real?: true;
  model: string;
  adapter?: string;
  scenes: number;
  samples: number;
  firstSeed: number;
  /** What the model was asked for and its sampling temperature (absent for the scripted solver). */
  format?: ProgramFormat;
  temperature?: number;
  tasks: EvalTaskResult[];
  train?: RateWithInterval;
  heldout?: RateWithInterval;
  status: string;
  startedAt: number;
}

/** The paper-style table: a row per evaluation run, a column per task, then the train and held-out means. */
export interface CompareTable {
  tasks: { id: string; split: 'train' | 'heldout' }[];
  rows: {
    runId: number;
    label: string;
    cells: Record<string, RateWithInterval | null>;
    train: RateWithInterval | null;
    heldout: RateWithInterval | null;
  }[];
  /** Differences whose intervals do not overlap, in words ("ft beats base on reach_target: 90% vs 0%"). */
  significant: string[];
}

/** A LoRA adapter in the lab's registry: where it is, what base it fits (with that file's hash), where it came from. */
export interface RegisteredAdapter {
  name: string;
  /** The GGUF LoRA in the lab's adapters folder. */
  path: string;
  addedAt: string;
  base: { path: string; sha256: string; architecture: string; name?: string };
  source: 'peft' | 'gguf' | 'builtin' | 'command';
  rank: number;
  targets: string[];
  trainJob?: number;
  trainingSet?: string;
  bytes: number;
}

// ---- the real arm -------------------------------------------------------------------------------

export interface SerialPortInfo {
  path: string;
  /** /dev/serial/by-id/...: the same name after replugging (Linux). */
  stablePath?: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** What this adapter usually is, when its USB id is a known one. */
  hint?: string;
}

/**
 * - off: connected, torque off (the arm can be moved by hand)
 * - holding: torque on, keeping its goal
 * - moving: stepping toward a commanded goal
 * - estopped: stopped by the operator; nothing moves until `resume`
 * - fault: the bus went silent or a servo overheated or overloaded; torque was turned off
 */
export type RobotState = 'off' | 'holding' | 'moving' | 'estopped' | 'fault';

export interface ServoTelemetry {
  id: number;
  joint: string;
  ticks: number;
  load?: number;
  temperature?: number;
  voltage?: number;
  errors: string[];
}

export interface RobotTelemetry {
  /** ms since the bridge connected. */
  t: number;
  cycle: number;
  state: RobotState;
  /** Measured joint angles, radians, arm joints then the jaw (the simulated arm's convention). */
  joints: number[];
  /** The goal last sent to the servos, radians; absent while torque is off. */
  goal?: number[];
  servos: ServoTelemetry[];
  /** Why the state last changed, in words (a refusal, the watchdog, a fault). */
  message?: string;
}

export interface ScannedServo {
  id: number;
  /** The servo's model number (777 = Feetech STS3215). */
  model: number;
  modelName?: string;
  /** The joint this id drives on the expected arm. */
  joint?: string;
}

export interface BusScan {
  port: string;
  baudRate: number;
  protocol: 'feetech' | 'dynamixel';
  found: ScannedServo[];
  missing: Array<{ id: number; joint: string }>;
  /** What to check when servos are missing or garbled. */
  hint?: string;
}

export interface CalibrationSummary {
  name: string;
  arm: 'so100';
  source: 'recorded' | 'lerobot';
  createdAt: string;
  /** Servo id per joint. */
  joints: Array<{ joint: string; id: number }>;
  /** Where it is kept. */
  file: string;
  /** Why the file cannot be used (it was edited by hand, or is damaged), naming the field. */
  problem?: string;
}

export type RobotStatus =
  | { connected: false; lastMessage?: string }
  | {
      connected: true;
      port: string;
      calibration: string;
      /** The bridge process that owns the port. */
      bridgePid?: number;
      telemetry?: RobotTelemetry;
    };

/** The calibration wizard's state: what to do now, and per joint the ticks seen so far. */
export interface CalibrationProgress {
  step: 'reference-pose' | 'ranges' | 'saved';
  instructions: string[];
  joints: Array<{
    joint: string;
    id: number;
    /** Present position now. */
    ticks: number;
    min?: number;
    max?: number;
    travel: number;
    /** Moved far enough to make a calibration. */
    enough: boolean;
  }>;
  /** The last reading failed (a loose cable while moving the arm): the message says why. */
  problem?: string;
}

/** The joints a real arm followed during a trial, as measured (radians, arm joints then the jaw). */
export interface RealTrajectory {
  hz: number;
  jointNames: string[];
  /** [ms since the trial started, q1..q6] */
  frames: number[][];
}

/** A program run in simulation from the real scene, and what the real arm would do. */
export interface RobotDryRun {
  /** Pass to robot.execute after looking at the result. */
  plan: string;
  executable: boolean;
  /** Why the plan cannot run on the arm, when it cannot. */
  why?: string;
  /** Whether the simulation started from the connected arm's joints (else from home). */
  fromArm: boolean;
  steps: Array<{ primitive: PrimitiveName; status: PrimitiveStatus; message: string; waypoints: number }>;
  /** The simulated episode, with its recording for replay. */
  result: EpisodeResult;
  program?: string;
}

export interface RealTrial {
  /** Pass to robot.markTrial with the operator's verdict. */
  trial: string;
  status: 'completed' | 'estopped' | 'fault' | 'refused' | 'stopped';
  stepsDone: number;
  steps: number;
  message?: string;
  /** Where the arm ended, radians. */
  joints: number[];
  trajectory: RealTrajectory;
}

// ---- lessons ------------------------------------------------------------------------------------------

export type LessonNeed = 'model' | 'arm';
export type LessonScreen = 'simulator' | 'dataset' | 'generate' | 'train' | 'evaluate' | 'models' | 'robot';

/** A lesson in the course list. */
export interface LessonSummary {
  /** From the file name: `03-write-a-program.md` is `write-a-program`. */
  id: string;
  /** Its place in the course (the file name's number). */
  order: number;
  file: string;
  title: string;
  minutes: number;
  goals: string[];
  needs: LessonNeed[];
  /** The course is complete without it (the real-arm lesson). */
  optional: boolean;
  steps: number;
  /** Steps with a check. */
  checks: number;
}

/** A lesson file the lab refused, and why (file, line, field). */
export interface LessonProblem {
  file: string;
  line: number;
  field?: string;
  message: string;
}

/** Where a step sends the student, filled in. */
export interface LessonOpen {
  screen: LessonScreen;
  task?: string;
  seed?: number;
  arm?: ArmName;
  solver?: 'scripted' | 'program' | 'none' | 'model';
}

export type LessonCheckKind =
  'run' | 'scene-value' | 'choice' | 'find-episode' | 'dataset' | 'evaluation' | 'real-trial';

/** A step's exercise as the student sees it (never its answer). */
export interface LessonCheckView {
  kind: LessonCheckKind;
  /** What to do, in words, made from the parameters. */
  describe: string;
  /** What the student hands in: a program, a number, one of `options`, an episode id, a model, or nothing (the lab looks at their dataset). */
  submit: 'program' | 'number' | 'choice' | 'episode' | 'model' | 'dataset' | 'nothing';
  options?: string[];
  task?: string;
  seed?: number;
}

export interface LessonStep {
  id: string;
  title: string;
  /** The step's Markdown, without the blocks the app reads (open, starter, check, hint). */
  markdown: string;
  open?: LessonOpen;
  starter?: string;
  check?: LessonCheckView;
  /** How many hints the step has (they come with a failed check). */
  hints: number;
}

export interface Lesson extends Omit<LessonSummary, 'steps'> {
  /** The text before the first step. */
  intro: string;
  steps: LessonStep[];
  /** Figures the Markdown names (`figures/x.svg`), as data: URLs. */
  figures: Record<string, string>;
}

export interface StepProgress {
  met: boolean;
  /** When it was first met (ms since 1970). */
  metAt?: number;
  attempts: number;
  lastFailure?: { kind: string; message: string; at: number };
}

export interface LessonProgress {
  lesson: string;
  steps: Record<string, StepProgress>;
  /** Checked steps met, of `total`. */
  done: number;
  total: number;
  complete: boolean;
}

export interface LessonCheckResult {
  met: boolean;
  /** What the lab found, in words (the verifier's verdict, the right value, ...). */
  message: string;
  /** Why it is not met: a failure kind (blocked, syntax, wrong-answer, not-yet, ...) and its words. */
  failure?: { kind: string; message: string; line?: number };
  /** The step's hints for this failure, when not met. */
  hints: string[];
  progress: LessonProgress;
  /** The episode the lab ran for a `run` check. */
  episode?: { success: boolean; reason: string; trace: PrimitiveResult[]; program?: string };
}

/** One student's row of the teacher's table. */
export interface StudentRow {
  student: string;
  /** Why this student's progress file could not be read. */
  problem?: string;
  lessons: Record<string, { done: number; total: number; complete: boolean }>;
  /** The most recent failed check, any lesson. */
  lastFailure?: { lesson: string; step: string; kind: string; message: string; at: number };
  lastActive?: number;
}

export interface Classroom {
  lessons: LessonSummary[];
  students: StudentRow[];
  /** The same table as CSV (one row per student, one column per lesson). */
  csv: string;
}
