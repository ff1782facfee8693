// lab robot: the real arm (an SO-100 / SO-101 on a USB serial adapter) from a terminal: the ports,
// a scan of the servos, LeRobot calibration import, a jog that ends with torque off, and an e-stop
// from another terminal through the running bridge's socket (or, with no bridge, torque off sent on
// the port directly). Everything but the e-stop goes through the lab's api like the Robot screen.
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError, numeric, text, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { print } from './print.ts';
import type {
  BusScan,
  CalibrationProgress,
  CalibrationSummary,
  RobotTelemetry,
  SerialPortInfo,
} from '../api/types.ts';

type Flags = ParsedArgs['flags'];

/** The SO-100 / SO-101 as the api sees it: ids 1..6 from the base, the jaw last, 1 Mbaud by default. */
const SO100_JOINTS = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'jaw'];
const SO100_IDS = [1, 2, 3, 4, 5, 6];
const SO100_BAUD = 1_000_000;

/** A problem the user can act on: lab prints its message as one line (a `kind` marks it as not a bug). */
class RobotCommandError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

const SUBCOMMANDS = 'ports, scan, calibrate, calibrations, jog, run, estop, status';
const POWER_OFF = 'switch the servo power supply off: it is the only sure stop';

export async function robotCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  if (sub === undefined) throw new UsageError(`lab robot needs a subcommand: ${SUBCOMMANDS}`);
  if (rest.length) throw new UsageError(`lab robot ${sub} takes options only, not '${rest[0]}'`);
  const json = flags.json === true;
  const only = (...allowed: string[]): void => onlyFlags(`lab robot ${sub}`, flags, ['json', ...allowed]);
  switch (sub) {
    case 'ports':
      only();
      return ports(json);
    case 'scan':
      only('port', 'baud');
      return scan(flags, json);
    case 'calibrate':
      only('import', 'name', 'port', 'baud');
      return calibrate(flags, json);
    case 'calibrations':
      only();
      return calibrations(json);
    case 'jog':
      only('port', 'baud', 'calibration', 'joint', 'by', 'pose');
      return jog(flags, json);
    case 'estop':
      only('port', 'baud');
      return estop(flags, json);
    case 'run':
      only(
        'port',
        'baud',
        'calibration',
        'task',
        'seed',
        'program',
        'model',
        'adapter',
        'format',
        'objects',
        'yes',
        'mark',
        'db',
      );
      return (await import('./robot-run.ts')).robotRun(flags, json);
    case 'status':
      only('port');
      return status(flags, json);
    default:
      throw new UsageError(`lab robot: unknown subcommand '${sub}' (${SUBCOMMANDS})`);
  }
}

/** A flag another subcommand takes is refused, never ignored: a jog must not drop half its request. */
function onlyFlags(command: string, flags: Flags, allowed: string[]): void {
  const other = Object.keys(flags).find((flag) => !allowed.includes(flag));
  if (other) throw new UsageError(`${command} does not take --${other}`);
}

function need(flags: Flags, command: string, name: string, what = ''): string {
  const value = text(flags, name);
  if (value === undefined || value === '') throw new UsageError(`${command} needs --${name}${what}`);
  return value;
}

function baudOf(flags: Flags): { baudRate?: number } {
  return flags.baud === undefined ? {} : { baudRate: numeric(text(flags, 'baud')) as number };
}

// ---- ports --------------------------------------------------------------------------------------

async function ports(json: boolean): Promise<number> {
  const found = (await call('robot.ports', {})).map((port) => ({ ...port, problem: accessProblem(port) }));
  if (json) print(found, true);
  else if (found.length === 0) process.stdout.write(NO_PORTS);
  else process.stdout.write(found.map(portLines).join(''));
  return found.length > 0 ? 0 : 1;
}

const NO_PORTS = `no USB serial port found. Check:
  - the servo adapter is plugged in, with a USB cable that carries data (some only charge): try another cable or USB socket
  - the computer sees it: on Linux \`sudo dmesg | tail\` just after plugging it in should name a ttyACM or ttyUSB
    device; on macOS and Windows a CH340/CH343 adapter may need its driver
  - permissions (Linux): opening it needs the dialout group: sudo usermod -aG dialout $USER, then log in again
`;

/** Why this user cannot open the port, when the file's mode says so (Linux and macOS). */
function accessProblem(port: SerialPortInfo): string | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    accessSync(port.path, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM')
      return 'no permission to open it: sudo usermod -aG dialout $USER, then log in again';
    if (code === 'ENOENT') return 'listed by the system but not in /dev: unplug it and plug it in again';
    return (error as Error).message;
  }
}

function portLines(port: SerialPortInfo & { problem?: string }): string {
  const usb = port.vendorId && port.productId ? `${port.vendorId}:${port.productId}` : undefined;
  const maker = [port.manufacturer, port.product].filter(Boolean).join(' ');
  const lines = [`${port.path}  ${port.hint ?? 'a USB serial adapter (not one known on lab arms)'}`];
  const about = [usb, maker, port.serialNumber ? `serial ${port.serialNumber}` : ''].filter(Boolean);
  if (about.length) lines.push(`    ${about.join(', ')}`);
  if (port.stablePath) lines.push(`    same name after replugging: ${port.stablePath}`);
  if (port.problem) lines.push(`    ${port.problem}`);
  return `${lines.join('\n')}\n`;
}

// ---- scan ---------------------------------------------------------------------------------------

async function scan(flags: Flags, json: boolean): Promise<number> {
  const port = need(flags, 'lab robot scan', 'port', ' (lab robot ports lists them)');
  const result = await call('robot.scan', { port, ...baudOf(flags) }, { flags: { baudRate: '--baud' } });
  print(json ? result : formatScan(result), json);
  return result.missing.length > 0 ? 3 : 0;
}

export function formatScan(scan: BusScan): string {
  const total = scan.found.length + scan.missing.length;
  const lines = [
    `${scan.port} at ${scan.baudRate.toLocaleString('en-US')} baud (${scan.protocol}): ${scan.found.length} of ${total} servos answered`,
    ...scan.found.map(
      (servo) =>
        `  found    id ${servo.id}  ${(servo.joint ?? '(not an SO-100 id)').padEnd(13)} ${servo.modelName ?? 'unknown model'} (model ${servo.model})`,
    ),
    ...scan.missing.map(({ id, joint }) => `  missing  id ${id}  ${joint}`),
  ];
  if (scan.hint) lines.push(scan.hint);
  return `${lines.join('\n')}\n`;
}

// ---- calibrations -------------------------------------------------------------------------------

async function calibrate(flags: Flags, json: boolean): Promise<number> {
  const file = text(flags, 'import');
  if (file === undefined) {
    if (flags.port === undefined)
      throw new UsageError(
        'lab robot calibrate needs --port P (calibrate the arm by hand) or --import FILE (a LeRobot ' +
          `SO-100/SO-101 calibration file)${await leRobotFilesHint()}`,
      );
    return calibrateByHand(flags, json);
  }
  if (flags.port !== undefined || flags.baud !== undefined)
    throw new UsageError('lab robot calibrate --import reads a file: it takes no --port or --baud');
  const name = need(flags, 'lab robot calibrate --import FILE', 'name', ' (what to call this arm)');
  const content = await readCalibrationFile(file);
  let replaced = false;
  try {
    replaced = (await call('robot.calibrations', {})).some((saved) => saved.name === name);
  } catch {
    // a broken saved file must not stop an import; it is named by lab robot calibrations
  }
  let summary: CalibrationSummary;
  try {
    summary = await call('robot.importCalibration', { name, json: content }, { flags: { json: '--import' } });
  } catch (error) {
    const { kind, message } = error as { kind?: string; message?: string };
    if (kind === 'lerobot-file' || kind === 'bad-calibration' || kind === 'invalid')
      throw new RobotCommandError(kind, `${file}: ${message}`);
    throw error;
  }
  if (json) print(summary, true);
  else {
    process.stdout.write(
      `imported ${file} as "${summary.name}" (a LeRobot SO-100/SO-101 calibration, servos ${summary.joints.map((j) => j.id).join(', ')})` +
        `${replaced ? ', replacing the one saved before under that name' : ''}\n` +
        `  saved in ${summary.file}\n` +
        `  use it: lab robot jog --port P --calibration ${summary.name} --joint elbow_flex --by 5deg\n`,
    );
  }
  return 0;
}

async function readCalibrationFile(file: string): Promise<string> {
  let content: string;
  try {
    if (statSync(file).isDirectory())
      throw new RobotCommandError('bad-calibration', `${file} is a folder, not a calibration file`);
    content = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof RobotCommandError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `no such file${await leRobotFilesHint()}`
        : code === 'EACCES'
          ? 'permission denied'
          : (error as Error).message;
    throw new RobotCommandError('bad-calibration', `cannot read ${file}: ${why}`);
  }
  if (content.trim() === '') throw new RobotCommandError('bad-calibration', `${file} is empty`);
  if (content.length > 1_000_000)
    throw new RobotCommandError('bad-calibration', `${file} is too large for a calibration (over 1 MB)`);
  return content;
}

/** The LeRobot SO-100/SO-101 calibration files on this machine, as a hint; or where LeRobot keeps them. */
async function leRobotFilesHint(): Promise<string> {
  const { files, folder } = await call('robot.leRobotFiles', {});
  if (files.length > 0) return `; LeRobot calibrations on this machine: ${files.join(', ')}`;
  return `; LeRobot keeps them in ${folder}/robots/<so101_follower or so_follower>/<id>.json`;
}

/**
 * The calibration wizard in a terminal: robot.calibrate runs (torque off) and streams the table;
 * Enter marks the reference pose, then Enter finishes (refused, with the reason, until every joint
 * moved enough); Ctrl-C or the end of the input stops it with nothing saved.
 */
async function calibrateByHand(flags: Flags, json: boolean): Promise<number> {
  const port = need(flags, 'lab robot calibrate', 'port', ' (lab robot ports lists them)');
  const name = need(flags, 'lab robot calibrate --port P', 'name', ' (what to call this arm)');
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const table = calibrationTable();
  let progress: CalibrationProgress | undefined;
  let stoppedBy: 'Ctrl-C' | 'input' | undefined;
  return withCtrlC(async (signal, stop) => {
    // The call is stopped only once it runs (its first table): robot.calibrate listens for a stop
    // only after opening the port, and one that came earlier would leave it waiting for ever.
    const stopCall = new AbortController();
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    signal.addEventListener('abort', () => void running.then(() => stopCall.abort()), { once: true });
    const calibrating = call(
      'robot.calibrate',
      { port, name, ...baudOf(flags) },
      {
        signal: stopCall.signal,
        flags: { baudRate: '--baud' },
        onEvent: (event) => {
          if (event.type !== 'robot.calibration') return;
          started();
          if (event.progress.step !== progress?.step) {
            table.end();
            say(stepText(event.progress));
          }
          progress = event.progress;
          table.show(progress);
        },
      },
    );
    const ended = calibrating.then(
      (summary) => ({ summary }),
      (error: unknown) => ({ error }),
    );
    void ended.then(started);
    signal.addEventListener('abort', () => (stoppedBy ??= 'Ctrl-C'), { once: true });
    const input = lines();
    try {
      for (;;) {
        const next = await Promise.race([ended, input.next()]);
        if (typeof next === 'object' && next !== null) break; // the calibration call ended
        if (next === undefined) {
          stoppedBy ??= 'input';
          stop(); // the call ends with nothing saved
          break;
        }
        if (!progress) continue; // still opening the port
        const action = progress.step === 'reference-pose' ? 'reference-pose' : 'finish';
        try {
          await call('robot.calibrationStep', { action });
        } catch (error) {
          table.end();
          say(`not yet: ${(error as Error).message}`);
        }
      }
    } finally {
      input.close();
      table.end();
    }
    const result = await ended;
    if ('summary' in result) {
      const summary = result.summary;
      if (json) print(summary, true);
      else
        process.stdout.write(
          `saved the calibration "${summary.name}" (recorded by hand, servos ${summary.joints.map((j) => j.id).join(', ')}) in ${summary.file}\n` +
            `  use it: lab robot jog --port ${port} --calibration ${summary.name} --joint elbow_flex --by 5deg\n`,
        );
      return 0;
    }
    if (!stoppedBy) throw result.error;
    process.stderr.write(
      stoppedBy === 'Ctrl-C'
        ? 'lab: calibration stopped by Ctrl-C: nothing was saved\n'
        : 'lab: the input ended before the calibration was finished (it needs Enter from a terminal): nothing was saved\n',
    );
    return stoppedBy === 'Ctrl-C' ? 130 : 1;
  }, 'stopping the calibration: nothing is saved');
}

function stepText(progress: CalibrationProgress): string {
  const steps = progress.instructions.map((line) => `  - ${line}`).join('\n');
  if (progress.step === 'reference-pose')
    return `torque is off. Hold the arm in the reference pose:\n${steps}\nthen press Enter (Ctrl-C stops; nothing is saved).`;
  if (progress.step === 'ranges')
    return `reference pose recorded.\n${steps}\nPress Enter to finish and save.`;
  return 'saved.';
}

/** Lines typed on stdin, one at a time; undefined once the input ends. */
function lines(): { next(): Promise<string | undefined>; close(): void } {
  const reader = createInterface({ input: process.stdin });
  const queued: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  let closed = false;
  reader.on('line', (line) => (waiting ? (waiting(line), (waiting = undefined)) : queued.push(line)));
  reader.on('close', () => {
    closed = true;
    waiting?.(undefined);
    waiting = undefined;
  });
  return {
    next: () =>
      queued.length > 0
        ? Promise.resolve(queued.shift())
        : closed
          ? Promise.resolve(undefined)
          : new Promise((resolve) => (waiting = resolve)),
    close: () => reader.close(),
  };
}

/** The live min / now / max table on stderr: redrawn in place on a terminal; in a log, when a row changes state. */
function calibrationTable(): { show(progress: CalibrationProgress): void; end(): void } {
  const tty = process.stderr.isTTY;
  let drawn = 0;
  let lastState = '';
  const cell = (value: number | undefined): string =>
    (value === undefined || Number.isNaN(value) ? '-' : String(value)).padStart(6);
  const render = (progress: CalibrationProgress): string[] => [
    `  ${'joint'.padEnd(13)} id    now    min    max travel`,
    ...progress.joints.map((row) =>
      `  ${row.joint.padEnd(13)} ${String(row.id).padStart(2)} ${cell(row.ticks)} ${cell(row.min)} ${cell(row.max)} ${cell(row.travel)}  ${row.enough ? 'enough' : progress.step === 'ranges' ? 'move it' : ''}`.trimEnd(),
    ),
    ...(progress.problem ? [`  ${progress.problem}`] : []),
  ];
  return {
    show(progress) {
      if (progress.step === 'saved') return;
      const rows = render(progress);
      if (tty) {
        const up = drawn > 0 ? `\x1b[${drawn}F` : '';
        process.stderr.write(`${up}${rows.map((row) => `${row}\x1b[K`).join('\n')}\n`);
        drawn = rows.length;
        return;
      }
      const state = `${progress.step} ${progress.joints.map((row) => row.enough).join()} ${progress.problem ?? ''}`;
      if (state === lastState) return;
      lastState = state;
      process.stderr.write(`${rows.join('\n')}\n`);
    },
    end() {
      drawn = 0;
      lastState = '';
    },
  };
}

async function calibrations(json: boolean): Promise<number> {
  const saved = await call('robot.calibrations', {});
  if (json) print(saved, true);
  else if (saved.length === 0)
    process.stdout.write(
      'no arm calibration saved yet: import a LeRobot one (lab robot calibrate --import FILE --name N) or record one on the Robot screen\n',
    );
  else
    process.stdout.write(
      saved
        .map((c) =>
          c.problem
            ? `${c.name.padEnd(16)} cannot be used: ${c.problem}\n`
            : `${c.name.padEnd(16)} ${c.arm} ${c.source === 'lerobot' ? 'imported from LeRobot' : 'recorded'} ${c.createdAt.slice(0, 16).replace('T', ' ')}  ${c.file}\n`,
        )
        .join(''),
    );
  return 0;
}

// ---- jog ----------------------------------------------------------------------------------------

const JOINT_ALIASES: Record<string, string> = { gripper: 'jaw' };

/** An angle as typed: radians (0.2, 0.2rad) or degrees (10deg, 10°). */
export function parseAngle(value: string, flag: string): number {
  const match = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(rad|deg|°)?\s*$/i.exec(value);
  if (!match)
    throw new UsageError(
      `${flag}: '${value}' is not an angle (radians, e.g. 0.2, or degrees with deg, e.g. 10deg)`,
    );
  const number = Number(match[1]);
  return match[2] && match[2].toLowerCase() !== 'rad' ? (number * Math.PI) / 180 : number;
}

type JogRequest = { joint: number; by: number } | { pose: number[] };

function jogRequest(flags: Flags): JogRequest {
  const joint = text(flags, 'joint');
  const by = text(flags, 'by');
  const pose = text(flags, 'pose');
  if (pose !== undefined) {
    if (joint !== undefined || by !== undefined)
      throw new UsageError('lab robot jog takes either --joint NAME --by ANGLE or --pose, not both');
    const values = pose.split(',');
    if (values.length !== 6)
      throw new UsageError(`--pose: 6 angles are needed (${SO100_JOINTS.join(', ')}), got ${values.length}`);
    return { pose: values.map((value, i) => parseAngle(value, `--pose (${SO100_JOINTS[i]})`)) };
  }
  if (joint === undefined || by === undefined)
    throw new UsageError(
      'lab robot jog needs --joint NAME --by ANGLE (e.g. --joint elbow_flex --by 10deg) or --pose a,b,c,d,e,f',
    );
  const name = JOINT_ALIASES[joint] ?? joint;
  const index = SO100_JOINTS.indexOf(name);
  if (index < 0)
    throw new UsageError(`--joint: no joint '${joint}' on an SO-100 (${SO100_JOINTS.join(', ')})`);
  return { joint: index, by: parseAngle(by, '--by') };
}

const deg = (radians: number): string => `${((radians * 180) / Math.PI).toFixed(1)}°`;
const signed = (value: number, text: string): string => (value >= 0 ? `+${text}` : text);

function poseLines(joints: readonly number[], marked?: number): string {
  return joints
    .map(
      (q, i) =>
        `  ${(SO100_JOINTS[i] ?? `joint ${i + 1}`).padEnd(13)} ${q.toFixed(3).padStart(7)} rad ${deg(q).padStart(7)}${i === marked ? '  <' : ''}\n`,
    )
    .join('');
}

type JogOutcome = 'arrived' | 'estopped' | 'interrupted';

async function jog(flags: Flags, json: boolean): Promise<number> {
  const port = need(flags, 'lab robot jog', 'port', ' (lab robot ports lists them)');
  const calibration = need(flags, 'lab robot jog', 'calibration', ' (lab robot calibrations lists them)');
  const request = jogRequest(flags);
  return withCtrlC(async (signal) => {
    try {
      return await jogOnce({ port, calibration, ...baudOf(flags) }, request, json, signal);
    } catch (error) {
      if (!signal.aborted) throw error;
      const { kind, message } = error as { kind?: string; message?: string };
      // A terminal's Ctrl-C reaches the bridge process too (the same process group): it ends, and
      // its supervisor sends torque off instead of holding the arm where it stopped.
      process.stderr.write(
        kind === 'stopped'
          ? 'lab: stopped by Ctrl-C before anything moved; torque off, disconnected\n'
          : `lab: stopped by Ctrl-C (${message}); the lab sends torque off when its bridge ends: if the arm still holds or moves, ${POWER_OFF}\n`,
      );
      return 130;
    }
  });
}

/**
 * Run with Ctrl-C (or SIGTERM) as a stop through `signal` (`stop` does the same from the code); a
 * second Ctrl-C leaves at once (a bridge turns torque off when the lab goes away). The listener
 * stays on until the end, unlike process.once: the lab loads signal-exit (through proper-lockfile),
 * which re-raises a signal when its own listener is the only one left, and would end the process
 * before the arm is stopped.
 */
async function withCtrlC<T>(
  run: (signal: AbortSignal, stop: () => void) => Promise<T>,
  stopping = 'stopping: e-stop, then torque off',
): Promise<T> {
  const controller = new AbortController();
  const interrupt = (): void => {
    if (controller.signal.aborted) {
      process.stderr.write('\nleaving now: the bridge turns torque off when the lab goes away\n');
      process.exit(130);
    }
    process.stderr.write(`\n${stopping} (Ctrl-C again to leave at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    return await run(controller.signal, () => controller.abort());
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

async function jogOnce(
  connect: { port: string; calibration: string; baudRate?: number },
  request: JogRequest,
  json: boolean,
  signal: AbortSignal,
): Promise<number> {
  const note = (line: string): void => void process.stderr.write(`${line}\n`);
  const notBefore = (): void => {
    if (signal.aborted) throw new RobotCommandError('stopped', 'stopped before anything moved');
  };
  const scan = await call('robot.connect', connect, { flags: { baudRate: '--baud' } });
  let outcome: JogOutcome = 'arrived';
  let from: number[] | undefined;
  let target: number[] | undefined;
  let telemetry: RobotTelemetry | undefined;
  try {
    note(
      `connected to ${connect.port}: ${scan.found.length} servos at ${scan.baudRate.toLocaleString('en-US')} baud, calibration ${connect.calibration} (torque off)`,
    );
    notBefore();
    from = (await call('robot.torque', { on: true })).joints;
    if ('pose' in request) {
      target = request.pose;
      note(`torque on; moving to the pose ${target.map((q) => q.toFixed(3)).join(', ')} rad`);
    } else {
      const { joint, by } = request;
      target = from.map((q, i) => (i === joint ? q + by : q));
      note(
        `torque on; moving ${SO100_JOINTS[joint]} by ${signed(by, `${by.toFixed(3)} rad`)} (${signed(by, deg(by))}): ` +
          `${from[joint].toFixed(3)} -> ${target[joint].toFixed(3)} rad`,
      );
    }
    notBefore();
    try {
      await call('robot.move', { joints: target }, { signal });
      // Arrival is declared within a few hundredths of a radian; the servos go on to the goal.
      telemetry = await settle(target, signal);
    } catch (error) {
      const { kind, message } = error as { kind?: string; message?: string };
      if (signal.aborted) outcome = 'interrupted';
      else if (kind === 'estopped') outcome = 'estopped';
      else if (kind === 'refused')
        throw new RobotCommandError('refused', `pose refused: ${message}; nothing moved (torque off)`);
      else if (kind === undefined || kind === 'internal') throw error;
      else throw new RobotCommandError(kind, `the move did not finish: ${message}; torque off`);
      telemetry = await freshStatus();
    }
  } finally {
    await call('robot.disconnect', {}).catch(() => undefined);
  }
  if (json) {
    print({ ...connect, scan, outcome, from, target, telemetry, torque: 'off' }, true);
  } else {
    const marked = 'joint' in request ? request.joint : undefined;
    const where = telemetry?.joints.length ? `\n${poseLines(telemetry.joints, marked)}` : ' (no reading)\n';
    const headline: Record<JogOutcome, string> = {
      arrived: `arrived: the arm is at${where}`,
      estopped: `e-stopped (by lab robot estop or the Robot screen) before arriving; the arm stopped at${where}`,
      interrupted: `stopped by Ctrl-C (e-stop) before arriving; the arm stopped at${where}`,
    };
    process.stdout.write(`${headline[outcome]}torque off, disconnected\n`);
  }
  return outcome === 'arrived' ? 0 : outcome === 'interrupted' ? 130 : 1;
}

/**
 * The arm's telemetry once it has settled on `target` (every joint within SETTLED rad) or stopped
 * moving, at most SETTLE_MS: the move call returns at its arrival tolerance, and torque off right
 * then would leave the arm short of the goal.
 */
async function settle(target: readonly number[], signal: AbortSignal): Promise<RobotTelemetry | undefined> {
  const SETTLED = 0.005;
  const SETTLE_MS = 1500;
  const watch = new AbortController();
  const stop = (): void => watch.abort();
  signal.addEventListener('abort', stop, { once: true });
  let last: RobotTelemetry | undefined;
  let still = 0;
  const timer = setTimeout(stop, SETTLE_MS);
  await call(
    'robot.watch',
    {},
    {
      signal: watch.signal,
      onEvent: (event) => {
        if (event.type !== 'robot.telemetry' || event.telemetry.joints.length !== target.length) return;
        const telemetry = event.telemetry;
        const moved = last
          ? Math.max(...telemetry.joints.map((q, i) => Math.abs(q - last!.joints[i])))
          : Infinity;
        still = moved < 0.001 ? still + 1 : 0;
        last = telemetry;
        const off = Math.max(...telemetry.joints.map((q, i) => Math.abs(q - target[i])));
        if (off <= SETTLED || still >= 5 || telemetry.state !== 'holding') stop();
      },
    },
  ).catch((error: unknown) => {
    if ((error as { kind?: string }).kind !== 'stopped') throw error;
  });
  clearTimeout(timer);
  signal.removeEventListener('abort', stop);
  return last ?? (await freshStatus());
}

async function freshStatus(): Promise<RobotTelemetry | undefined> {
  const now = await call('robot.status', {}).catch(() => undefined);
  return now?.connected ? now.telemetry : undefined;
}

// ---- estop and status: other processes' bridges, through their sockets --------------------------

/** The e-stop sockets of the bridges this lab home may have running (Unix sockets, or Windows pipes). */
async function estopSockets(): Promise<string[]> {
  if (process.platform === 'win32') {
    try {
      return readdirSync('\\\\.\\pipe\\')
        .filter((name) => name.startsWith('blazer-lab-estop-'))
        .map((name) => `\\\\.\\pipe\\${name}`);
    } catch {
      return [];
    }
  }
  const dir = dirname(await socketFor('any port')); // <lab home>/robot
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^estop-[0-9a-f]+\.sock$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

async function socketFor(port: string): Promise<string> {
  return (await import('../api/robot-session.ts')).estopSocketFor(port);
}

interface SocketAnswer {
  /** What the bridge wrote back, trimmed; undefined when nothing answered. */
  answer?: string;
  /** Why nothing answered: no socket, a stale one (no bridge behind it), a timeout. */
  error?: string;
}

/** Connect to a bridge's socket, send `line` (or nothing: only see whether it is there), read the answer. */
function talk(path: string, line: string | undefined, timeoutMs = 3000): Promise<SocketAnswer> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let answer = '';
    let done = false;
    const finish = (result: SocketAnswer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      if (line === undefined) finish({ answer: '' });
      else socket.write(`${line}\n`);
    });
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => finish({ answer: answer.trim() }));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        error:
          error.code === 'ENOENT'
            ? 'no bridge'
            : error.code === 'ECONNREFUSED'
              ? 'no bridge (a socket left by one that ended)'
              : error.message,
      }),
    );
  });
}

interface EstopReport {
  socket: string;
  port?: string;
  answer?: string;
  error?: string;
  /** Torque off sent on the port directly, when no bridge answered. */
  direct?: { ids: number[]; sent: boolean; error?: string };
  stopped: boolean;
}

async function estop(flags: Flags, json: boolean): Promise<number> {
  const port = text(flags, 'port');
  const reports: EstopReport[] = [];
  if (port !== undefined) {
    const socket = await socketFor(port);
    const reply = await talk(socket, 'estop');
    const report: EstopReport = {
      socket,
      port,
      ...reply,
      stopped: reply.answer?.startsWith('estopped') === true,
    };
    if (!report.stopped) {
      // No bridge has the port (or it did not stop the arm): torque off, straight on the wire.
      const ids = [...SO100_IDS];
      const baudRate = (numeric(text(flags, 'baud')) as number | undefined) ?? SO100_BAUD;
      if (!Number.isInteger(baudRate) || baudRate <= 0)
        throw new UsageError(`--baud: expected a baud rate such as 1000000, got '${flags.baud}'`);
      try {
        await call('robot.torqueOff', { port, baudRate });
        report.direct = { ids, sent: true };
        report.stopped = true;
      } catch (error) {
        report.direct = { ids, sent: false, error: (error as Error).message };
      }
    }
    reports.push(report);
  } else {
    if (flags.baud !== undefined) throw new UsageError('lab robot estop: --baud goes with --port');
    for (const socket of await estopSockets()) {
      const reply = await talk(socket, 'estop');
      reports.push({ socket, ...reply, stopped: reply.answer?.startsWith('estopped') === true });
    }
  }
  const stopped = reports.some((report) => report.stopped);
  if (json) print({ stopped, reports }, true);
  else {
    for (const report of reports) {
      const port = report.port ?? report.answer?.match(/^estopped (.+)$/)?.[1]; // the bridge names its port
      const who = port ? `the bridge that has ${port} open` : `bridge ${report.socket}`;
      if (report.answer?.startsWith('estopped'))
        process.stdout.write(`${who} answered: estopped (the arm holds where it stopped)\n`);
      else if (report.answer !== undefined)
        process.stdout.write(`${who} answered: ${report.answer || '(nothing)'}\n`);
      else if (!report.port) process.stdout.write(`${report.socket}: ${report.error}\n`);
      else if (report.error === 'no bridge') process.stdout.write(`no bridge has ${report.port} open\n`);
      else process.stdout.write(`no bridge answered for ${report.port} (${report.error})\n`);
      if (report.direct?.sent)
        process.stdout.write(
          `sent torque off on ${report.port} directly to servos ${report.direct.ids.join(', ')} and as a broadcast ` +
            '(servos do not confirm it: if the arm still holds or moves, switch the servo power off)\n',
        );
    }
  }
  if (stopped) return 0;
  const failure = reports.find((report) => report.direct?.error);
  const why = failure
    ? `torque off could not be sent on ${failure.port}: ${failure.direct!.error}`
    : port === undefined
      ? reports.length === 0
        ? 'no bridge is running for this lab home (give --port P to send torque off on the port directly)'
        : 'no running bridge answered (give --port P to send torque off on the port directly)'
      : 'nothing answered';
  process.stderr.write(`lab: e-stop failed: ${why}; ${POWER_OFF}\n`);
  return 1;
}

async function status(flags: Flags, json: boolean): Promise<number> {
  const port = text(flags, 'port');
  const sockets = port !== undefined ? [await socketFor(port)] : await estopSockets();
  const bridges = await Promise.all(
    sockets.map(async (socket) => {
      const reply = await talk(socket, undefined);
      return {
        socket,
        ...(port !== undefined ? { port } : {}),
        running: reply.answer !== undefined,
        ...(reply.error ? { error: reply.error } : {}),
      };
    }),
  );
  const running = bridges.filter((bridge) => bridge.running);
  if (json) print({ bridges }, true);
  else if (port !== undefined)
    process.stdout.write(
      running.length
        ? `a bridge has ${port} open (lab robot estop --port ${port} stops it)\n`
        : `no bridge has ${port} open\n`,
    );
  else if (running.length === 0) process.stdout.write('no bridge is running: no lab process drives an arm\n');
  else
    process.stdout.write(
      `${running.length} bridge${running.length > 1 ? 's are' : ' is'} running (lab robot estop stops ${running.length > 1 ? 'them' : 'it'}):\n` +
        running.map((bridge) => `  ${bridge.socket}\n`).join(''),
    );
  return 0;
}
