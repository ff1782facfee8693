// Near-miss states for the knock_over verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter, type Arranged } from './harness.ts';

const deg = (d: number): number => (d * Math.PI) / 180;

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
