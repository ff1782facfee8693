import { afterAll, describe, expect, it } from 'vitest';
import { SandboxPool } from '../../../core/sandbox/sandbox-pool.ts';

const pool = new SandboxPool(2);
afterAll(() => pool.dispose());
const state = { version: 1, objects: [] };

describe('sandbox pool', () => {
  it('runs programs on warm runners, more programs than runners, in parallel', async () => {
    await pool.warm();
    const calls: string[] = [];
    const started = performance.now();
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        pool.run(
          `import math\nx = 0\nfor i in range(300000):\n    x += math.sqrt(i)\nmove_gripper([0.4, 0.0, 0.${n}], 0)`,
          state,
          (_name, args) => {
            calls.push(String((args[0] as string[])[2]));
            return { result: { status: 'reached' } };
          },
        ),
      ),
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(calls.sort()).toEqual(['0.1', '0.2', '0.3', '0.4']);
    expect(performance.now() - started).toBeLessThan(60_000);
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

  it('refuses an empty pool', () => {
    expect(() => new SandboxPool(0)).toThrow(/at least one runner/);
  });
});
