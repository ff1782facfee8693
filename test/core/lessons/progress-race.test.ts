// A student with two tabs open (two worker threads under lab serve) pressing Check at the same
// moment: every check is kept, none lost to the other thread's write of the progress file.
import { once } from 'node:events';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import { startModuleWorker } from '../../../core/worker-thread.ts';
import { progressFile, readStudent, recordCheck } from '../../../core/lessons/students.ts';
import { tempDir } from '../../helpers.ts';

it('keeps every step met and every attempt counted when three threads record checks at once', async () => {
  const home = tempDir('blazer-progress-race-');
  const checks = 60;
  const tabs = [0, 1, 2].map((tab) =>
    startModuleWorker(new URL('../../fixtures/record-checks-worker.ts', import.meta.url), {
      workerData: { home, student: 'Ada', tab, checks },
    }),
  );
  await Promise.all(tabs.map((worker) => once(worker, 'message')));
  await Promise.all(tabs.map((worker) => worker.terminate()));
  const steps = Object.values(readStudent(home, 'Ada').lessons.race ?? {});
  expect(steps.filter((s) => s.met)).toHaveLength(3 * checks);
  expect(steps.reduce((n, s) => n + s.attempts, 0)).toBe(3 * checks);
}, 60_000);

it('takes over a progress lock left by a killed process, and leaves no lock behind', () => {
  const home = tempDir('blazer-progress-stale-');
  const lock = `${progressFile(home, 'Ada')}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  writeFileSync(lock, '12345-left-by-a-killed-lab');
  const tenSecondsAgo = new Date(Date.now() - 10_000);
  utimesSync(lock, tenSecondsAgo, tenSecondsAgo);
  recordCheck(home, 'Ada', { lesson: 'l', step: 's' }, { met: true }); // not 'busy' after 5 s
  expect(readStudent(home, 'Ada').lessons.l.s.met).toBe(true);
  expect(existsSync(lock)).toBe(false);
});
