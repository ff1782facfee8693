// `npm start`: the desktop app where Electron can start, otherwise the same UI served to a browser.
// Electron needs its downloaded binary and, on Linux, a display; without them (CI machines, SSH
// sessions, containers) the lab is still one command away, with one line saying why.
//   tsx scripts/start.ts               build (scripts/build.ts), then launch Electron or serve on $PORT (8080)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LAB_ROOT, UI_DIR } from '../api/shell-files.ts';
import { buildAll } from './build.ts';
import { serveUntilStopped } from '../server/serve-until-stopped.ts';

type Env = Record<string, string | undefined>;

/** A non-zero exit sooner than this after spawning is Electron failing to start, not the app's end. */
const STARTUP_MS = 5000;

export interface LaunchCheck {
  platform: string;
  env: Env;
  /** The Electron executable, or undefined when the package has not downloaded one. */
  electronPath: string | undefined;
  exists: (path: string) => boolean;
}

/** Why Electron cannot start on this machine, or undefined when it is worth trying. */
export function electronLaunchProblem({
  platform,
  env,
  electronPath,
  exists,
}: LaunchCheck): string | undefined {
  if (!electronPath || !exists(electronPath)) return 'no Electron binary downloaded';
  return displayProblem(platform, env);
}

/** Windows and macOS always have a desktop; everything else needs an X11 or Wayland display. */
export function displayProblem(platform: string, env: Env): string | undefined {
  if (platform !== 'win32' && platform !== 'darwin' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return 'no display: neither $DISPLAY nor $WAYLAND_DISPLAY is set';
  return undefined;
}

/**
 * Electron 45 downloads its binary on first use, not at install. Where a window could open, try that
 * once (it needs the network); offline it fails in a moment and the browser fallback follows.
 */
function fetchElectronBinary(electronDir: string): Promise<boolean> {
  process.stdout.write(
    'Fetching the Electron binary (first start only; BLAZER_NO_ELECTRON_DOWNLOAD=1 skips it)\n',
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(electronDir, 'install.js')], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      resolve(ok);
    };
    child.once('error', () => done(false));
    child.once('exit', (code) => done(code === 0));
  });
}

/**
 * The executable the `electron` package points at, read the way its index.js does but without its
 * side effect: require('electron') downloads the binary when it is missing, which here fails slowly.
 */
export function electronBinaryPath(
  electronDir: string | undefined,
  env: Env,
  readText: (path: string) => string | undefined,
): string | undefined {
  if (!electronDir) return undefined;
  const executable = readText(join(electronDir, 'path.txt'))?.trim();
  if (env.ELECTRON_OVERRIDE_DIST_PATH) return join(env.ELECTRON_OVERRIDE_DIST_PATH, executable || 'electron');
  return executable ? join(electronDir, 'dist', executable) : undefined;
}

/** $PORT as a port number (8080 when unset); a clear error for anything else. */
export function portFromEnv(env: Env): number {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number 0-65535, not '${env.PORT}'`);
  return port;
}

const require = createRequire(import.meta.url);

function electronPackageDir(): string | undefined {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined; // a production install (npm ci --omit=dev) has no electron package
  }
}

function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

type LaunchOutcome = { exitCode: number } | { problem: string };

function launchElectron(executable: string): Promise<LaunchOutcome> {
  const env: Env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // set by some editors' terminals; Electron would run as plain Node
  const child = spawn(executable, [LAB_ROOT], { stdio: 'inherit', env });
  const started = Date.now();
  let interrupted = false; // Ctrl+C during start-up is the person's choice, not a failure to start
  const forward = (signal: NodeJS.Signals): void => {
    interrupted = true;
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<LaunchOutcome>((resolve) => {
    child.once('error', (err) => resolve({ problem: `Electron did not start: ${err.message}` }));
    child.once('exit', (code, signal) => {
      if (!interrupted && code !== null && code !== 0 && Date.now() - started < STARTUP_MS)
        resolve({ problem: `Electron exited at start-up with code ${code}` });
      else resolve({ exitCode: code ?? (signal === 'SIGINT' ? 130 : 1) });
    });
  }).finally(() => {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  });
}

function serveInBrowser(uiDir: string, problem: string): Promise<number> {
  process.stdout.write(
    `Electron cannot start here (${problem}): serving the same UI to your browser instead\n`,
  );
  // The operator's own app on this machine: the Robot screen may drive the arm (loopback clients only).
  return serveUntilStopped({ uiDir, port: portFromEnv(process.env), robot: true });
}

async function main(): Promise<number> {
  // A development start goes on after a type error, as tsx would; packaging (npm run dist) does not.
  if (!(await buildAll()))
    process.stderr.write('start: TypeScript reported errors (above); starting anyway\n');
  const uiDir = UI_DIR;
  const electronDir = electronPackageDir();
  let electronPath = electronBinaryPath(electronDir, process.env, readTextOrUndefined);
  if (
    electronDir &&
    !(electronPath && existsSync(electronPath)) &&
    !displayProblem(process.platform, process.env) &&
    !process.env.BLAZER_NO_ELECTRON_DOWNLOAD &&
    (await fetchElectronBinary(electronDir))
  )
    electronPath = electronBinaryPath(electronDir, process.env, readTextOrUndefined);
  const problem = electronLaunchProblem({
    platform: process.platform,
    env: process.env,
    electronPath,
    exists: existsSync,
  });
  if (problem !== undefined) return serveInBrowser(uiDir, problem);
  const outcome = await launchElectron(electronPath as string); // no problem means a path
  return 'exitCode' in outcome ? outcome.exitCode : serveInBrowser(uiDir, outcome.problem);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
