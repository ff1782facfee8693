// The bridge streams telemetry to the app. When the app is killed, a send made before Node has
// noticed the closed channel fails with EPIPE, raised as an 'error' event on `process`: unheard, it
// killed the bridge before its 'disconnect' handler could turn torque off (a flaky CI failure).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'blazer-app-channel-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const parentScript = new URL('../../fixtures/app-channel-parent.mjs', import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('a send to an app killed a moment before does not crash the child: its disconnect handler runs', async () => {
  const noteFile = join(folder, 'disconnected');
  const app = spawn(process.execPath, [parentScript, noteFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const childPid = await new Promise<number>((resolve, reject) => {
    createInterface({ input: app.stdout! }).once('line', (line) => resolve(Number(line)));
    app.once('exit', (code) => reject(new Error(`the app exited early with ${code}`)));
  });
  app.kill('SIGKILL');
  const start = Date.now();
  while (alive(childPid) && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 10));
  expect(alive(childPid), 'the child outlived its app by 15 s').toBe(false);
  expect(existsSync(noteFile), 'the child died before its disconnect handler ran').toBe(true);
}, 30_000);
