// A runner never outlives what started it, even in the middle of a program that never yields
// (no JavaScript timer can run then): when its parent process dies, or the worker thread that
// started it is stopped (a server replacing an overrunning call), the runner ends too.
import { describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { startModuleWorker } from '../../../core/worker-thread.ts';

const FIXTURE = new URL('../../fixtures/sandbox/endless.ts', import.meta.url);
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(statusOf(pid));
function statusOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

describe('the runner lifeline', () => {
  it('ends the runner when its parent process is killed mid-program', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', FIXTURE.pathname], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
    const runner = Number(chunk.toString().trim());
    expect(alive(runner)).toBe(true);
    parent.kill('SIGKILL');
    await vi.waitFor(() => expect(alive(runner)).toBe(false), { timeout: 10_000, interval: 100 });
  });

  it('ends the runner when the worker thread that started it is stopped mid-program', async () => {
    const worker = startModuleWorker(FIXTURE);
    const [runner] = (await once(worker, 'message')) as [number];
    expect(alive(runner)).toBe(true);
    await worker.terminate();
    await vi.waitFor(() => expect(alive(runner)).toBe(false), { timeout: 10_000, interval: 100 });
  });
});
