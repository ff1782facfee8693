// Near-miss states for the put_block_on_taller_platform verifier (held out).
import { describe, expect, it } from 'vitest';
import { placeFree, targetOrOther, verdictAfter, type Arranged, type Xy } from './harness.ts';

describe('put_block_on_taller_platform verifier', () => {
  type Platforms = Record<string, { at: Xy; height: number }>;
  const onto =
    (which: 'target' | 'other', dx = 0) =>
    ({ sim, params }: Arranged) => {
      const platforms = params.platforms as Platforms;
      const name = targetOrOther(params, which, ['platform_a', 'platform_b']);
      const { at, height } = platforms[name];
      placeFree(sim, `${params.colour}_block`, [at[0] + dx, at[1], height + 0.02]);
    };

  it('accepts the block on the taller platform', async () => {
    for (const seed of [7, 8])
      expect((await verdictAfter('put_block_on_taller_platform', seed, onto('target'))).success).toBe(true);
  });

  it('rejects the block on the shorter platform', async () => {
    const verdict = await verdictAfter('put_block_on_taller_platform', 7, onto('other'));
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/the shorter platform/) });
  });

  it('rejects the block hanging off the edge of the taller platform', async () => {
    // its centre 0.5 cm past the edge (half edge 4.5 cm), before it has time to tip off
    const verdict = await verdictAfter('put_block_on_taller_platform', 7, onto('target', 0.05), {
      settle: 0.02,
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/0\.5 cm outside platform_[ab]/),
    });
  });
});
