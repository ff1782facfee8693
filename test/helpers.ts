// Shared test set-up: a temp folder holding the user-arm fixture with its generated mesh.
import { spawnSync } from 'node:child_process';
import { afterAll } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePlateStl } from './fixtures/stl.ts';

export const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;

export function tempDir(prefix = 'blazer-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A copy of test/fixtures/user-arm with meshes/plate.stl written beside it; returns the model path. */
export function userArmModel(): string {
  const dir = tempDir();
  cpSync(join(fixturesDir, 'user-arm'), dir, { recursive: true });
  mkdirSync(join(dir, 'meshes'));
  writePlateStl(join(dir, 'meshes', 'plate.stl'));
  return join(dir, 'two_link_arm.xml');
}

/** The `lab` command as a user runs it. */
export const LAB = new URL('../bin/lab.js', import.meta.url).pathname;
const ROOT = new URL('../', import.meta.url).pathname;

/** Run `lab <args>` from the checkout and collect its exit code and output. */
export function lab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [LAB, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/**
 * A fresh lab home (BLAZER_LAB_HOME) for the calling test file: set before its tests, put back
 * after. Returns the folder, which exists at once (beforeAll hooks may write into it).
 */
export function useTempLabHome(prefix = 'blazer-home-'): string {
  const home = tempDir(prefix);
  const previous = process.env.BLAZER_LAB_HOME;
  process.env.BLAZER_LAB_HOME = home;
  afterAll(() => {
    if (previous === undefined) delete process.env.BLAZER_LAB_HOME;
    else process.env.BLAZER_LAB_HOME = previous;
  });
  return home;
}
