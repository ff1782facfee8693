// One client of `lab serve` (from its own address) sends slow models, a trapping model, programs
// that never end or do not parse, and a flood of scenes, all at once; another client keeps working.
// The other client's calls all succeed, and they finish while the hostile ones are still running:
// simulations run on worker threads, one per client at a time, with a deadline. (How fast it stays
// is measured in bench/server, not asserted here.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLabServer, type LabServer } from '../../server/lab-server.ts';
import { generate } from '../../core/generate/generate.ts';
import { disposeResources } from '../../api/resources.ts';
import { tempDir } from '../helpers.ts';
import { postFrom } from './post-from.ts';
import { writeSlowModel } from '../fixtures/slow-model.ts';

const TOKEN = 'classroom-token-0123456789';
let lab: LabServer;

beforeAll(async () => {
  const home = tempDir();
  process.env.BLAZER_LAB_HOME = home;
  writeSlowModel(join(home, 'slow.xml'));
  mkdirSync(join(home, 'deep'));
  for (let i = 0; i < 300; i++)
    writeFileSync(join(home, 'deep', `f${i}.xml`), `<mujoco><include file="f${i + 1}.xml"/></mujoco>`);
  writeFileSync(
    join(home, 'deep', 'f300.xml'),
    '<mujoco><worldbody><geom type="sphere" size="0.1"/></worldbody></mujoco>',
  );
  writeFileSync(join(home, 'deep', 'top.xml'), '<mujoco><include file="f0.xml"/></mujoco>');
  await generate({
    db: join(home, 'class.sqlite'),
    tasks: ['reach_target'],
    teacher: 'scripted',
    scenes: 3,
    samples: 1,
  });
  const uiDir = join(home, 'ui');
  mkdirSync(uiDir);
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html>');
  lab = await startLabServer({ uiDir, token: TOKEN, workers: { size: 2, deadlineMs: 20_000 } });
}, 120_000);

afterAll(async () => {
  await lab?.close();
  await disposeResources();
});

/** What the server answers, loosely: the test reads the parts it checks. */
interface Reply {
  result?: { result: { success: boolean; program?: { kind: string; line?: number } } };
  error?: { kind: string; message: string };
}

/** An api call from a given local address (127.0.0.x: different clients to the server). */
async function call(from: string, name: string, input: unknown): Promise<{ status: number; body: Reply }> {
  const { status, text } = await postFrom(lab, from, name, input);
  return { status, body: JSON.parse(text) as Reply };
}

describe('lab serve under a hostile client', () => {
  it('keeps serving another client while one sends slow models, a trap, bad programs and a flood', async () => {
    const HOSTILE = '127.0.0.2';
    const NICE = '127.0.0.1';
    const finished: string[] = [];
    const hostile = async (label: string, name: string, input: unknown) => {
      const reply = await call(HOSTILE, name, input);
      finished.push(label);
      return reply;
    };
    const slow = hostile('slow model', 'sim.info', { model: 'slow.xml' });
    const attacks = Promise.all([
      hostile('trap', 'sim.info', { model: 'deep/top.xml' }),
      hostile('endless program', 'episode.run', {
        task: 'reach_target',
        seed: 0,
        solver: { kind: 'program', source: 'while True:\n    pass' },
      }),
      hostile('broken program', 'episode.run', {
        task: 'reach_target',
        seed: 0,
        solver: { kind: 'program', source: 'move_gripper([0.4, 0, 0.2], 0' },
      }),
      ...Array.from({ length: 12 }, (_, i) =>
        hostile('flood', 'scene.view', { task: 'pick_and_lift', seed: i }),
      ),
    ]);

    // Meanwhile the other client browses the dataset and the task list, and runs an episode.
    const nice: { name: string; status: number }[] = [];
    for (let round = 0; round < 4; round++) {
      for (const [name, input] of [
        ['app.info', {}],
        ['tasks.list', {}],
        ['dataset.stats', { db: 'class.sqlite' }],
        ['dataset.list', { db: 'class.sqlite', limit: 10 }],
      ] as [string, unknown][])
        nice.push({ name, status: (await call(NICE, name, input)).status });
    }
    const episode = await call(NICE, 'episode.run', { task: 'reach_target', seed: 1 });
    finished.push('nice client done');

    expect(
      nice.every((r) => r.status === 200),
      JSON.stringify(nice),
    ).toBe(true);
    expect(episode.body.result?.result.success).toBe(true);

    const slowReply = await slow;
    const [trap, endless, broken, ...flood] = await attacks;
    // The other client finished before the slow model gave up: it never waited behind it.
    expect(finished.indexOf('nice client done')).toBeLessThan(finished.indexOf('slow model'));
    expect(slowReply.body.error).toMatchObject({
      kind: 'timeout',
      message: expect.stringMatching(/ran longer than 20 s/),
    });
    expect(trap.body.error?.kind ?? trap.body.result).toBeDefined();
    // The endless program is stopped by the sandbox or the deadline; the broken one names its line.
    expect(endless.body.result?.result.program?.kind ?? endless.body.error?.kind).toMatch(/^(timeout)$/);
    expect(broken.body.result?.result.program).toMatchObject({ kind: 'syntax', line: 1 });
    // The flood queues up to its limit, then is told the lab is busy.
    const busy = flood.filter((r) => r.body.error?.kind === 'busy');
    expect(busy.length).toBeGreaterThan(0);
    expect(flood.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    // And afterwards the server serves everyone as before.
    expect((await call(HOSTILE, 'scene.view', { task: 'pick_and_lift', seed: 0 })).status).toBe(200);
  }, 180_000);
});
