// Near-miss states for the close_drawer verifier.
import { describe, expect, it } from 'vitest';
import { setJoint, verdictAfter } from './harness.ts';

describe('close_drawer verifier', () => {
  it('accepts the drawer pushed in to 1 cm and rejects it half closed', async () => {
    expect(
      (await verdictAfter('close_drawer', 1, ({ sim }) => setJoint(sim, 'cabinet_slide', -0.01))).success,
    ).toBe(true);
    const half = await verdictAfter('close_drawer', 1, ({ sim }) => setJoint(sim, 'cabinet_slide', -0.07));
    expect(half).toMatchObject({ success: false, reason: expect.stringMatching(/still open 7\.0 cm/) });
  });

  it('rejects the drawer as it starts', async () => {
    expect((await verdictAfter('close_drawer', 2, () => {})).success).toBe(false);
  });
});
