// Near-miss states for the stack_three_blocks verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter, type Arranged } from './harness.ts';

describe('stack_three_blocks verifier', () => {
  const tower =
    (dx: number, order: 'right' | 'swapped' = 'right') =>
    ({ sim, params }: Arranged) => {
      const [middle, top] = order === 'right' ? [params.middle, params.top] : [params.top, params.middle];
      placeFree(sim, `${params.other}_block`, [0.4, -0.2, 0.02]);
      placeFree(sim, `${params.bottom}_block`, [0.5, 0.1, 0.02]);
      placeFree(sim, `${middle}_block`, [0.5, 0.1, 0.06]);
      placeFree(sim, `${top}_block`, [0.5 + dx, 0.1, 0.1]);
    };

  it('accepts a tower in the right order', async () => {
    expect((await verdictAfter('stack_three_blocks', 1, tower(0.005))).success).toBe(true);
  });

  it('rejects a top block more than half a block off the middle one', async () => {
    const verdict = await verdictAfter('stack_three_blocks', 1, tower(0.025), { settle: 0.02 });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/2\.5 cm off the centre/),
    });
  });

  it('rejects the top two blocks swapped', async () => {
    const verdict = await verdictAfter('stack_three_blocks', 1, tower(0, 'swapped'));
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/4\.0 cm above/) });
  });
});
