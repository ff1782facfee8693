// Builds and runs bench/sim/native.c, the native MuJoCo anchor for the WASM/native ratio. Native
// MuJoCo here is whatever the system has (on Debian 12: `apt-get install libmujoco-dev`, MuJoCo
// 2.2.2, a baseline x86-64 build without AVX). Without it the bench still reports WASM numbers.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const buildDir = join(here, 'build');
const source = join(here, 'native.c');
const binary = join(buildDir, 'native');

export interface NativeResult {
  /** mj_versionString(), e.g. "2.2.2". */
  engine: string;
  version: number;
  steps: number;
  reps: number;
  /** Best rep. */
  stepsPerSecond: number;
  usPerStep: number;
  /** Contacts after the last step. */
  ncon: number;
  /** Simulated seconds at the end of the last rep. */
  time: number;
  /** Sum of mjData.warning counts (e.g. a full contact buffer); non-zero makes the number suspect. */
  warnings: number;
  nq: number;
  /** qpos after the last step. */
  qpos: number[];
}

/** Compile native.c (cc -O2 -lmujoco) unless the binary is newer; undefined, with the reason printed, if that fails. */
export async function buildNative(): Promise<string | undefined> {
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  const compiler = process.env.CC ?? 'cc';
  mkdirSync(buildDir, { recursive: true });
  try {
    await run(compiler, ['-O2', '-o', binary, source, '-lmujoco'], { timeout: 60_000 });
    return binary;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const reason =
      e.code === 'ENOENT'
        ? `no C compiler '${compiler}' on PATH`
        : /mujoco\/mujoco\.h/.test(e.stderr ?? '')
          ? 'MuJoCo headers not found (Debian: apt-get install libmujoco-dev)'
          : /-lmujoco|cannot find/.test(e.stderr ?? '')
            ? 'libmujoco not found (Debian: apt-get install libmujoco-dev)'
            : (e.stderr ?? String(err)).trim().split('\n').slice(0, 5).join('\n');
    console.error(`native MuJoCo anchor skipped: ${reason}`);
    return undefined;
  }
}

/** Run the native stepping benchmark on a model file; throws with the loader's message on failure. */
export async function runNative(
  bin: string,
  xmlPath: string,
  steps: number,
  reps: number,
): Promise<NativeResult> {
  let stdout: string;
  try {
    ({ stdout } = await run(bin, [xmlPath, String(steps), String(reps)], { timeout: 600_000 }));
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`native MuJoCo failed on ${xmlPath}: ${(e.stderr ?? '').trim() || e.message}`);
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as NativeResult;
  } catch {
    throw new Error(`native MuJoCo printed no JSON: '${line.slice(0, 200)}'`);
  }
}
