// The parent treats every line from a runner as untrusted input. A runner that breaks the
// protocol (bad JSON, wrong shapes, oversized lines, unexpected or stale messages, output after
// its result, dying) is killed and replaced: the attempt fails with a reason, the parent never
// throws, and the next program gets its own result, never an earlier one's.
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { PythonSandbox } from '../../../core/sandbox/python-sandbox.ts';
import { runRecorded } from './helpers.ts';

const runner = fileURLToPath(new URL('./fixtures/misbehaving-runner.mjs', import.meta.url));
const sandbox = new PythonSandbox({ runner });
afterAll(() => sandbox.dispose());

const marked = (mode: string): string => `# fixture:${mode}\nopen_gripper()\nprint("marked")`;

async function expectNextProgramNormal(): Promise<void> {
  const next = await runRecorded(sandbox, 'close_gripper()\nprint("mine")');
  expect(next).toMatchObject({ ok: true, kind: 'completed', output: 'mine\n', primitiveCalls: 1 });
  expect(next.calls).toEqual(['close']);
}

describe('a runner that breaks the protocol', () => {
  const failing: [string, RegExp][] = [
    ['garbage', /not JSON/],
    ['huge', /longer than/],
    ['wrong-shape', /call/],
    ['wrong-done', /result/],
    ['unexpected', /ready/],
    ['forged-done', /another program/],
    // The same call twice: seen before its reply, or (when the parent has answered meanwhile) as a repeat.
    ['two-calls', /before its reply|call 1 where call 2 was due/],
  ];

  it.each(failing)(
    '%s: the attempt fails as a sandbox violation, the next program runs normally',
    async (mode, why) => {
      const r = await runRecorded(sandbox, marked(mode));
      expect(r).toMatchObject({ ok: false, kind: 'sandbox-violation' });
      expect(r.message).toMatch(why);
      await expectNextProgramNormal();
    },
  );

  it("stale-done: an earlier program's result replayed during a later one is refused", async () => {
    await expectNextProgramNormal();
    const r = await runRecorded(sandbox, marked('stale-done'));
    expect(r).toMatchObject({ ok: false, kind: 'sandbox-violation' });
    expect(r.message).toMatch(/another program/);
    expect(r.output).toBe('');
    await expectNextProgramNormal();
  });

  it.each(['after-done', 'stray-idle'])(
    '%s: output after a result never reaches the next program',
    async (mode) => {
      const r = await runRecorded(sandbox, marked(mode));
      expect(r.output).toBe('marked\n');
      await expectNextProgramNormal();
    },
  );

  it('no-ready: a runner that never gets ready for the next program is replaced, and that program runs', async () => {
    const impatient = new PythonSandbox({ runner, prepareTimeoutMs: 3000 });
    try {
      expect(await runRecorded(impatient, marked('no-ready'))).toMatchObject({
        ok: true,
        output: 'marked\n',
      });
      const next = await runRecorded(impatient, 'close_gripper()\nprint("mine")');
      expect(next).toMatchObject({ ok: true, output: 'mine\n', calls: ['close'] });
    } finally {
      impatient.dispose();
    }
  });

  it('die: a runner that exits mid-program is a crash, and is replaced', async () => {
    const r = await runRecorded(sandbox, marked('die'));
    expect(r).toMatchObject({ ok: false, kind: 'crash' });
    await expectNextProgramNormal();
  });
});
