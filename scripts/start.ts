// `npm start`: the desktop app where Electron can start, otherwise the same UI served to a browser.
// Electron needs its downloaded binary and, on Linux, a display; without them (CI machines, SSH
// sessions, containers) the lab is still one command away, with one line saying why.
//   tsx scripts/start.ts               build, then launch Electron or serve on $PORT (8080)
//   tsx scripts/start.ts --build-only  build what the desktop app loads (for packaging), then exit
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { projectRoot } from '../core/paths.ts';
import { PRELOAD_BUNDLE } from '../main/paths.ts';
import { buildRenderer } from './build-renderer.ts';
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

/** The preload as one CommonJS file that requires nothing but 'electron' (a sandboxed preload's limit). */
export async function bundlePreload(outfile = PRELOAD_BUNDLE): Promise<string> {
  await build({
    entryPoints: [join(projectRoot, 'preload', 'index.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/**
 * The main process runs the compiled tree (tsc with tsconfig.build.json's options, as `npm run
 * build`), not a bundle: core/ finds its Python runner, task files and episode worker beside its own
 * modules. Only main/ and what it loads: a compiled dist/cli would make bin/lab.js stop running the
 * sources. Resolves to whether tsc found no type errors (it emits regardless).
 */
function compileMain(): Promise<boolean> {
  const config = join(projectRoot, 'dist', 'tsconfig.desktop.json');
  mkdirSync(dirname(config), { recursive: true });
  // Relative paths in the extended file resolve against that file: outDir stays dist/.
  const desktop = { extends: '../tsconfig.build.json', include: ['../main', '../core', '../tasks'] };
  writeFileSync(config, JSON.stringify(desktop, null, 2) + '\n');
  const tsc = require.resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', config], { cwd: projectRoot, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** The files core/ loads at run time that tsc does not emit (the Python runner and its robot API). */
function copyRuntimeFiles(dir = join(projectRoot, 'core')): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyRuntimeFiles(path);
    else if (!['.ts', '.md'].includes(extname(entry.name)))
      cpSync(path, join(projectRoot, 'dist', relative(projectRoot, path)));
  }
}

/**
 * Everything Electron loads from dist/ besides the renderer: main, its imports, the preload.
 * Resolves to whether the TypeScript compiled without type errors.
 */
export async function buildDesktopShell(): Promise<boolean> {
  const typesOk = await compileMain();
  copyRuntimeFiles();
  await bundlePreload();
  return typesOk;
}

type LaunchOutcome = { exitCode: number } | { problem: string };

function launchElectron(executable: string): Promise<LaunchOutcome> {
  const env: Env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // set by some editors' terminals; Electron would run as plain Node
  const child = spawn(executable, [projectRoot], { stdio: 'inherit', env });
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

function serveInBrowser(rendererDir: string, problem: string): Promise<number> {
  process.stdout.write(
    `Electron cannot start here (${problem}): serving the same UI to your browser instead\n`,
  );
  return serveUntilStopped({ rendererDir, port: portFromEnv(process.env) });
}

async function main(args: string[]): Promise<number> {
  const rendererDir = await buildRenderer();
  if (args.includes('--build-only')) {
    // Packaging stops at a type error; a development start (below) goes on, as tsx would.
    if (!(await buildDesktopShell())) throw new Error('TypeScript reported errors (above): not packaging');
    process.stdout.write(
      `built the renderer (${rendererDir}), the main process and the preload into dist/\n`,
    );
    return 0;
  }
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
  if (problem !== undefined) return serveInBrowser(rendererDir, problem);
  if (!(await buildDesktopShell()))
    process.stderr.write('start: TypeScript reported errors (above); starting anyway\n');
  const outcome = await launchElectron(electronPath as string); // no problem means a path
  return 'exitCode' in outcome ? outcome.exitCode : serveInBrowser(rendererDir, outcome.problem);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
