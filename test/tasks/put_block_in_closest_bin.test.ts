// Near-miss states for the put_block_in_closest_bin verifier (held out).
import { describe, expect, it } from 'vitest';
import { intoBin as into, verdictAfter } from './harness.ts';

describe('put_block_in_closest_bin verifier', () => {
  it('accepts the block in the closer bin and rejects it in the farther one', async () => {
    expect((await verdictAfter('put_block_in_closest_bin', 4, into('target'))).success).toBe(true);
    const wrong = await verdictAfter('put_block_in_closest_bin', 4, into('other'));
    expect(wrong).toMatchObject({ success: false, reason: expect.stringMatching(/the farther bin/) });
  });
});
