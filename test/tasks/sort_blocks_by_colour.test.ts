// Near-miss states for the sort_blocks_by_colour verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter, type Arranged } from './harness.ts';

describe('sort_blocks_by_colour verifier', () => {
  const sorted =
    (redOffset = 0) =>
    ({ sim, params }: Arranged) => {
      for (const colour of ['red', 'blue']) {
        const [x, y] = params[`${colour}_pad`] as number[];
        const shift = colour === 'red' ? redOffset : 0;
        placeFree(sim, `${colour}_block_1`, [x - 0.03, y + shift, 0.022]);
        placeFree(sim, `${colour}_block_2`, [x + 0.03, y, 0.022]);
      }
    };

  it('accepts every block on the pad of its colour', async () => {
    expect((await verdictAfter('sort_blocks_by_colour', 2, sorted())).success).toBe(true);
  });

  it('rejects a block half off its pad', async () => {
    const verdict = await verdictAfter('sort_blocks_by_colour', 2, sorted(0.07));
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/red_block_1 is 1\.\d cm outside/),
    });
  });

  it('rejects a block on the pad of the other colour', async () => {
    const verdict = await verdictAfter('sort_blocks_by_colour', 2, ({ sim, params }) => {
      sorted()({ sim, params } as Arranged);
      const [x, y] = params.red_pad as number[];
      placeFree(sim, 'blue_block_2', [x, y + 0.035, 0.022]);
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/blue_block_2 is .* outside the blue pad/),
    });
  });
});
