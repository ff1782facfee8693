// lab robot run as an operator types it, against an emulated SO-100 on a pty: the dry run is shown,
// the arm executes it, the trial is stored as real, the arm goes back to where it started, torque
// off; a program that would not reach its goal never moves the arm.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveCalibration } from '../../core/robot/calibration-store.ts';
import { STS3215 } from '../../core/robot/feetech.ts';
import { LAB, useTempLabHome } from '../helpers.ts';
import {
  HOME,
  radiansOf,
  startEmulatedArm,
  testCalibration,
  type EmulatedArm,
} from '../fixtures/emulated-arm.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const home = useTempLabHome('blazer-robot-run-cli-');
const db = join(home, 'lab.sqlite');
let emulated: EmulatedArm | undefined;

beforeAll(async () => {
  await saveCalibration(testCalibration('desk-arm'));
});
afterEach(async () => {
  await emulated?.close();
  emulated = undefined;
});

/** `lab <args>` as its own process: this process's event loop keeps the emulator answering. */
function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [LAB, ...args], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
}

function program(source: string): string {
  const file = join(home, `plan-${Math.random().toString(36).slice(2)}.py`);
  writeFileSync(file, source);
  return file;
}

const ALL = [1, 2, 3, 4, 5, 6];
const run = (...extra: string[]) =>
  lab(
    'robot',
    'run',
    '--port',
    emulated!.pair.app,
    '--calibration',
    'desk-arm',
    '--task',
    'reach_target',
    '--seed',
    '3',
    ...extra,
  );

describe('lab robot run', () => {
  it('dry run, execute, store the trial as real, back to the start, torque off', async () => {
    emulated = await startEmulatedArm();
    const plan = program('move_gripper(objects["target"].position, 0)\n');
    const result = await run('--program', plan, '--yes', '--db', db, '--mark', 'yes');
    expect(result.stderr).toMatch(/simulated reach_target seed 3: success/);
    expect(result.stderr).toMatch(/1\. move_gripper: reached/);
    expect(result.stderr).toMatch(/1\/1 move_gripper/);
    expect(result.stderr).toMatch(/done: 1 of 1 primitives/);
    expect(result.stderr).toMatch(/stored as episode \d+ in .*lab\.sqlite \(real\)/);
    expect(result.code).toBe(0);
    // The arm reached the target, then went back to where it started; torque is off.
    const pan = emulated.bus.writes.filter((w) => w.id === 1 && w.address === STS3215.goalPosition.address);
    expect(
      Math.max(...pan.map((w) => Math.abs(radiansOf(w.data[0] | (w.data[1] << 8)) - HOME[0]))),
    ).toBeGreaterThan(0.01);
    ALL.slice(0, 5).forEach((id, i) =>
      expect(Math.abs(radiansOf(emulated!.bus.servo(id).position) - HOME[i])).toBeLessThan(0.04),
    );
    expect(ALL.every((id) => !emulated!.bus.servo(id).torque)).toBe(true);
    const listed = await lab('dataset', 'list', '--db', db, '--json');
    expect(JSON.parse(listed.stdout).rows).toMatchObject([
      { task: 'reach_target', success: true, real: true },
    ]);
  });

  it('a program that does not reach its goal in simulation never moves the arm', async () => {
    emulated = await startEmulatedArm();
    const plan = program('move_gripper([0.39, 0.0, 0.3], 0)\n');
    const result = await run('--program', plan, '--yes');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /the arm will not run it: primitive 1 \(move_gripper\) did not reach its goal/,
    );
    const goals = emulated.bus.writes.filter((w) => w.address === STS3215.goalPosition.address);
    // Only torque on's hold (goal = present) reached the bus: no motion.
    const home = ALL.map((id) => emulated!.bus.servo(id).position);
    expect(goals.every((w) => Math.abs((w.data[0] | (w.data[1] << 8)) - home[w.id - 1]) <= 1)).toBe(true);
    expect(ALL.every((id) => !emulated!.bus.servo(id).torque)).toBe(true);
  });

  it('without a terminal it will not move the arm unless told --yes', async () => {
    emulated = await startEmulatedArm();
    const result = await run('--program', program('move_gripper(objects["target"].position, 0)\n'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no terminal to confirm in: pass --yes/);
    expect(emulated.bus.writes).toEqual([]);
  });
});
