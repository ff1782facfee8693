// Near-miss states for the verifiers of stack_three_blocks, sort_blocks_by_colour,
// pick_and_place_with_distractor, put_block_in_box, knock_over and take_lid_off.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter, type Arranged } from './harness.ts';

const deg = (d: number): number => (d * Math.PI) / 180;

describe('stack_three_blocks verifier', () => {
  const tower =
    (dx: number, order: 'right' | 'swapped' = 'right') =>
    ({ sim, params }: Arranged) => {
      const [middle, top] = order === 'right' ? [params.middle, params.top] : [params.top, params.middle];
      placeFree(sim, `${params.other}_block`, [0.4, -0.2, 0.02]);
      placeFree(sim, `${params.bottom}_block`, [0.5, 0.1, 0.02]);
      placeFree(sim, `${middle}_block`, [0.5, 0.1, 0.06]);
      placeFree(sim, `${top}_block`, [0.5 + dx, 0.1, 0.1]);
    };

  it('accepts a tower in the right order', async () => {
    expect((await verdictAfter('stack_three_blocks', 1, tower(0.005))).success).toBe(true);
  });

  it('rejects a top block more than half a block off the middle one', async () => {
    const verdict = await verdictAfter('stack_three_blocks', 1, tower(0.025), { settle: 0.02 });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/2\.5 cm off the centre/),
    });
  });

  it('rejects the top two blocks swapped', async () => {
    const verdict = await verdictAfter('stack_three_blocks', 1, tower(0, 'swapped'));
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/4\.0 cm above/) });
  });
});

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

describe('pick_and_place_with_distractor verifier', () => {
  const onPad =
    (distractorShift = 0, dy = 0) =>
    ({ sim, params }: Arranged) => {
      const [px, py] = params.pad as number[];
      const [dx0, dy0] = params.distractor as number[];
      placeFree(sim, `${params.colour}_block`, [px, py + dy, 0.022]);
      // move the distractor straight away from the pad
      const d = Math.hypot(dx0 - px, dy0 - py);
      const u = [(dx0 - px) / d, (dy0 - py) / d];
      placeFree(sim, `${params.other}_block`, [
        dx0 + u[0] * distractorShift,
        dy0 + u[1] * distractorShift,
        0.02,
      ]);
    };

  it('accepts the block on the pad with the distractor untouched', async () => {
    expect((await verdictAfter('pick_and_place_with_distractor', 3, onPad())).success).toBe(true);
  });

  it('rejects a distractor knocked 3 cm aside', async () => {
    const verdict = await verdictAfter('pick_and_place_with_distractor', 3, onPad(0.03));
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/moved 3\.0 cm/) });
  });

  it('rejects the block just beside the pad', async () => {
    const verdict = await verdictAfter('pick_and_place_with_distractor', 3, onPad(0, 0.06));
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/1\.\d cm outside the target pad/),
    });
  });
});

describe('put_block_in_box verifier', () => {
  it('accepts a block on the box floor', async () => {
    const verdict = await verdictAfter('put_block_in_box', 4, ({ sim, params }) => {
      const [x, y] = params.box as number[];
      placeFree(sim, `${params.colour}_block`, [x, y, 0.024], 0.5);
    });
    expect(verdict.success).toBe(true);
  });

  it('rejects a block balanced on the rim', async () => {
    const verdict = await verdictAfter(
      'put_block_in_box',
      4,
      ({ sim, params }) => {
        const [x, y] = params.box as number[];
        // centred on the +x wall (inner half 0.0375 + half wall 0.005), resting on its top
        placeFree(sim, `${params.colour}_block`, [x + 0.0425, y, 0.09 + 0.02]);
      },
      { settle: 0.05 },
    );
    expect(verdict.success).toBe(false);
    expect(verdict.reason).toMatch(/outside the box|on the rim/);
  });

  it('rejects a block against the outside of the wall', async () => {
    const verdict = await verdictAfter('put_block_in_box', 4, ({ sim, params }) => {
      const [x, y] = params.box as number[];
      placeFree(sim, `${params.colour}_block`, [x, y - 0.0675, 0.02]);
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/3\.0 cm outside the box/),
    });
  });
});

describe('knock_over verifier', () => {
  const at =
    (tilt: number, z: number) =>
    ({ sim }: Arranged) =>
      placeFree(sim, 'tall_block', [0.5, 0, z], 0.3, tilt);

  it('accepts the block lying on its side', async () => {
    const verdict = await verdictAfter('knock_over', 5, at(deg(90), 0.02));
    expect(verdict).toMatchObject({ success: true, reason: expect.stringMatching(/90 degrees/) });
  });

  it('rejects a block pushed along but still standing', async () => {
    const verdict = await verdictAfter('knock_over', 5, at(0, 0.08));
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/tilted only 0 degrees/) });
  });

  it('rejects a block caught mid-fall at 30 degrees', async () => {
    const z = 0.08 * Math.cos(deg(30)) + 0.02 * Math.sin(deg(30));
    const verdict = await verdictAfter('knock_over', 5, at(deg(30), z), { settle: 0.005 });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/tilted only 3\d degrees/),
    });
  });
});

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
