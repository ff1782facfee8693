// Near-miss states for the slide_block_to_colour_target verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter, type Arranged } from './harness.ts';

describe('slide_block_to_colour_target verifier', () => {
  const onto =
    (which: 'colour' | 'other', dx = 0) =>
    ({ sim, params }: Arranged) => {
      const targets = params.targets as Record<string, number[]>;
      const [x, y] = targets[params[which] as string];
      placeFree(sim, 'block', [x + dx, y, 0.025]);
    };

  it('accepts the block on the named target', async () => {
    expect((await verdictAfter('slide_block_to_colour_target', 7, onto('colour'))).success).toBe(true);
  });

  it('rejects the block on the other target or half on the named one', async () => {
    const wrong = await verdictAfter('slide_block_to_colour_target', 7, onto('other'));
    expect(wrong).toMatchObject({ success: false, reason: expect.stringMatching(/outside the \w+ target/) });
    const half = await verdictAfter('slide_block_to_colour_target', 7, onto('colour', 0.065));
    expect(half).toMatchObject({ success: false, reason: expect.stringMatching(/1\.5 cm outside/) });
  });
});
