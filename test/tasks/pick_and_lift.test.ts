// Near-miss states for the pick_and_lift verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter } from './harness.ts';

describe('pick_and_lift verifier', () => {
  it('rejects a block raised onto the other block but not lifted', async () => {
    const verdict = await verdictAfter('pick_and_lift', 2, ({ sim, params }) => {
      placeFree(sim, `${params.other}_block`, [0.5, 0, 0.02]);
      placeFree(sim, `${params.colour}_block`, [0.5, 0, 0.06]);
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/only 4\.0 cm above the table/),
    });
  });
});
