// Near-miss states for the put_block_in_box verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter } from './harness.ts';

describe('put_block_in_box verifier', () => {
  it('accepts a block on the box floor', async () => {
    const verdict = await verdictAfter('put_block_in_box', 4, ({ sim, params }) => {
      const [x, y] = params.box as number[];
      placeFree(sim, `${params.colour}_block`, [x, y, 0.024], 0.5);
    });
    expect(verdict.success).toBe(true);
  });

  it('rejects a block balanced on the rim', async () => {
    const verdict = await verdictAfter(
      'put_block_in_box',
      4,
      ({ sim, params }) => {
        const [x, y] = params.box as number[];
        // centred on the +x wall (inner half 0.0375 + half wall 0.005), resting on its top
        placeFree(sim, `${params.colour}_block`, [x + 0.0425, y, 0.09 + 0.02]);
      },
      { settle: 0.05 },
    );
    expect(verdict.success).toBe(false);
    expect(verdict.reason).toMatch(/outside the box|on the rim/);
  });

  it('rejects a block against the outside of the wall', async () => {
    const verdict = await verdictAfter('put_block_in_box', 4, ({ sim, params }) => {
      const [x, y] = params.box as number[];
      placeFree(sim, `${params.colour}_block`, [x, y - 0.0675, 0.02]);
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/3\.0 cm outside the box/),
    });
  });
});
