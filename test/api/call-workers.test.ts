// The server's call workers when the server shuts down: a call still running (here, a model
// MuJoCo takes half a minute to compile) ends at once with a clear reason, instead of hanging its
// client and holding the process open until its deadline.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { CallWorkers } from '../../api/call-workers.ts';
import { remoteShell } from '../../api/access.ts';
import { tempDir } from '../helpers.ts';
import { writeSlowModel } from '../fixtures/slow-model.ts';

let home: string;
const previousHome = process.env.BLAZER_LAB_HOME;

beforeAll(() => {
  home = tempDir();
  process.env.BLAZER_LAB_HOME = home;
  writeSlowModel(join(home, 'slow.xml'));
});

afterAll(() => {
  process.env.BLAZER_LAB_HOME = previousHome;
});

it('closing the call workers ends a call still running with "shutting down", well before its deadline', async () => {
  const workers = new CallWorkers(undefined, { size: 1, deadlineMs: 120_000 });
  const context = {
    emit: () => {},
    signal: new AbortController().signal,
    shell: { ...remoteShell(), client: 'a' },
  };
  const running = workers.run('sim.info', { model: 'slow.xml' }, context);
  const waiting = workers.run('sim.info', { model: 'slow.xml' }, context);
  const outcome = Promise.allSettled([running, waiting]);
  await new Promise((r) => setTimeout(r, 1000)); // the worker is compiling by now
  expect(workers.load).toEqual({ running: 1, waiting: 1 });
  const start = performance.now();
  await workers.close();
  const [ran, waited] = await outcome;
  expect(performance.now() - start).toBeLessThan(10_000);
  expect(ran).toMatchObject({
    status: 'rejected',
    reason: { kind: 'busy', message: 'the lab server is shutting down' },
  });
  expect(waited).toMatchObject({ status: 'rejected', reason: { kind: 'busy' } });
  expect(workers.load).toEqual({ running: 0, waiting: 0 });
}, 60_000);
