// Near-miss states for the put_block_in_side_bin verifier (held out).
import { describe, expect, it } from 'vitest';
import { intoBin as into, verdictAfter } from './harness.ts';

describe('put_block_in_side_bin verifier', () => {
  it('accepts the block in the bin on the instructed side', async () => {
    for (const seed of [0, 1, 2, 3])
      expect((await verdictAfter('put_block_in_side_bin', seed, into('target'))).success).toBe(true);
  });

  it('rejects the block in the bin on the other side', async () => {
    const verdict = await verdictAfter('put_block_in_side_bin', 1, into('other'));
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/is in bin_[ab], the (left|right) bin, not the (left|right) one/),
    });
  });

  it('rejects the block balanced on the rim of the right bin', async () => {
    // centred on the +x wall (inner half 0.06 + half wall 0.005), resting on its top
    const verdict = await verdictAfter('put_block_in_side_bin', 2, into('target', 0.07, 0.065), {
      settle: 0.05,
    });
    expect(verdict.success).toBe(false);
    expect(verdict.reason).toMatch(/outside bin_[ab]|on the rim/);
  });
});
