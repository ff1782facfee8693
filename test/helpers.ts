// Shared test set-up: a temp folder holding the user-arm fixture with its generated mesh.
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
