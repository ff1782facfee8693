// Near-miss states for the put_block_in_bin verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter } from './harness.ts';

describe('put_block_in_bin verifier', () => {
  it('accepts a block on the bin floor', async () => {
    const verdict = await verdictAfter('put_block_in_bin', 3, ({ sim, params }) => {
      const [x, y] = params.bin as number[];
      placeFree(sim, `${params.colour}_block`, [x, y, 0.024]);
    });
    expect(verdict.success).toBe(true);
  });

  it('rejects a block balanced on the rim', async () => {
    const verdict = await verdictAfter(
      'put_block_in_bin',
      3,
      ({ sim, params }) => {
        const [x, y] = params.bin as number[];
        // centred on the +x wall (inner half 0.06 + half wall 0.005), resting on its top
        placeFree(sim, `${params.colour}_block`, [x + 0.065, y, 0.05 + 0.02]);
      },
      { settle: 0.05 },
    );
    expect(verdict).toMatchObject({ success: false });
    expect(verdict.reason).toMatch(/outside the bin|on the rim/);
  });

  it('rejects a block just outside the wall', async () => {
    const verdict = await verdictAfter('put_block_in_bin', 3, ({ sim, params }) => {
      const [x, y] = params.bin as number[];
      placeFree(sim, `${params.colour}_block`, [x, y + 0.095, 0.02]);
    });
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/outside the bin/) });
  });
});
