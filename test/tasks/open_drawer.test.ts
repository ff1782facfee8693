// Near-miss states for the open_drawer verifier.
import { describe, expect, it } from 'vitest';
import { setJoint, verdictAfter } from './harness.ts';

describe('open_drawer verifier', () => {
  it('accepts the drawer open 12 cm and rejects it half open', async () => {
    expect(
      (await verdictAfter('open_drawer', 5, ({ sim }) => setJoint(sim, 'cabinet_slide', -0.12))).success,
    ).toBe(true);
    const half = await verdictAfter('open_drawer', 5, ({ sim }) => setJoint(sim, 'cabinet_slide', -0.07));
    expect(half).toMatchObject({ success: false, reason: expect.stringMatching(/open only 7\.0 cm/) });
  });
});
