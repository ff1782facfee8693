// Near-miss states for the pick_and_place_with_distractor verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter, type Arranged } from './harness.ts';

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
