// Near-miss states for the take_lid_off verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter } from './harness.ts';

describe('take_lid_off verifier', () => {
  it('accepts the lid on the table beside the pot', async () => {
    const verdict = await verdictAfter('take_lid_off', 6, ({ sim, params }) => {
      placeFree(sim, 'lid', [...(params.spot as number[]), 0.005]);
    });
    expect(verdict.success).toBe(true);
  });

  it('rejects the lid slid 4 cm but still on the pot', async () => {
    const verdict = await verdictAfter('take_lid_off', 6, ({ sim, params }) => {
      const [x, y] = params.pot as number[];
      placeFree(sim, 'lid', [x + 0.04, y, 0.065]);
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/overlaps the pot by 7\.5 cm/),
    });
  });

  it('accepts the lid on the table just clear of the pot', async () => {
    const verdict = await verdictAfter('take_lid_off', 6, ({ sim, params }) => {
      const [x, y] = params.pot as number[];
      placeFree(sim, 'lid', [x, y - 0.118, 0.005]);
    });
    expect(verdict.success).toBe(true);
  });

  it('rejects the lid dropped half over the pot edge', async () => {
    const verdict = await verdictAfter(
      'take_lid_off',
      6,
      ({ sim, params }) => {
        const [x, y] = params.pot as number[];
        placeFree(sim, 'lid', [x, y - 0.09, 0.07]);
      },
      { settle: 1 },
    );
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/overlaps the pot by 2\.\d cm/),
    });
  });
});
