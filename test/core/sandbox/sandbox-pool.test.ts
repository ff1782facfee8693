import { afterAll, describe, expect, it } from 'vitest';
import { SandboxPool } from '../../../core/sandbox/sandbox-pool.ts';
import type { CallHandler } from '../../../core/sandbox/python-sandbox.ts';
import { runRecorded } from './helpers.ts';

const pool = new SandboxPool(2);
afterAll(() => pool.dispose());
const state = { version: 1, objects: [] };

describe('sandbox pool', () => {
  it('runs programs on warm runners, more programs than runners, two at a time', async () => {
    await pool.warm();
    // Each program announces itself, then keeps asking until another program has announced itself
    // too: on a pool that runs one program at a time, the first can never see a second and hits
    // its call limit. Each program's span runs from its first call to the end of its run.
    const announced = new Set<number>();
    const spans: { first: number; last: number }[] = [];
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        let first = 0;
        const onCall: CallHandler = (name) => {
          if (name === 'open_gripper') {
            first = performance.now();
            announced.add(n);
            return { result: { status: 'reached' } };
          }
          if (name === 'close_gripper')
            return { result: { others: [...announced].filter((m) => m !== n).length } };
          return { result: { status: 'reached' } };
        };
        const outcome = await pool.run(
          [
            'open_gripper()',
            'while close_gripper()["others"] == 0:',
            '    sum(range(20000))',
            `move_gripper([0.4, 0.0, 0.${n}], 0)`,
          ].join('\n'),
          state,
          onCall,
          { primitiveCalls: 5000 },
        );
        spans.push({ first, last: performance.now() });
        return outcome;
      }),
    );
    const overlapping = spans.some((a) => spans.some((b) => a !== b && a.first < b.last && b.first < a.last));
    expect(overlapping).toBe(true);
    expect(outcomes.map((o) => [o.ok, o.kind])).toEqual(Array(4).fill([true, 'completed']));
  });

  it('replaces a runner that was killed and carries on', async () => {
    const [killed, fine] = await Promise.all([
      pool.run('while True:\n    pass', state, () => ({ result: null }), { seconds: 1 }),
      pool.run('open_gripper()', state, () => ({ result: null })),
    ]);
    expect(killed.kind).toBe('timeout');
    expect(fine.ok).toBe(true);
    const again = await Promise.all(
      [1, 2].map(() => pool.run('open_gripper()', state, () => ({ result: null }))),
    );
    expect(again.every((o) => o.ok)).toBe(true);
  });

  it('gives each of many racing programs, hostile and honest, its own result', async () => {
    const hostile = [
      'import math\nmath.pi = 3.0\nprint(math.pi)',
      'import json\njson.JSONEncoder.encode = lambda self, o: "null"\nopen_gripper()',
      'move_gripper.__globals__.clear()\nprint("cleared")',
    ];
    const honest = (n: number): string =>
      `import math\nmove_gripper([0.4, 0.0, 0.${n}], 0)\nprint(n := ${n}, math.pi)`;
    const runs = await Promise.all([
      ...hostile.map((p) => runRecorded(pool, p)),
      ...[1, 2, 3].map((n) => runRecorded(pool, honest(n))),
    ]);
    for (const [i, n] of [1, 2, 3].entries()) {
      expect(runs[hostile.length + i]).toMatchObject({ ok: true, output: `${n} 3.141592653589793\n` });
      expect(runs[hostile.length + i].calls).toEqual([`move 0.4,0,0.${n} 0`]);
    }
    expect(runs[0]).toMatchObject({ ok: true, output: '3.0\n', calls: [] });
    expect(runs[1]).toMatchObject({ ok: false, calls: [] });
  });

  it('refuses an empty pool', () => {
    expect(() => new SandboxPool(0)).toThrow(/at least one runner/);
  });
});
