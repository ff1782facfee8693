// Near-miss states for the put_block_in_drawer verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter, type Arranged } from './harness.ts';

describe('put_block_in_drawer verifier', () => {
  const putAt =
    (dx: number, z: number) =>
    ({ sim, world, params }: Arranged) => {
      const [x, y] = world.position('cabinet_drawer');
      placeFree(sim, `${params.colour}_block`, [x + dx, y, z]);
    };

  it('accepts the block on the tray floor', async () => {
    expect((await verdictAfter('put_block_in_drawer', 3, putAt(-0.02, 0.051))).success).toBe(true);
  });

  it('rejects the block balanced on the tray rim', async () => {
    // centred on the front wall (outer half 0.09, wall 1 cm), resting on its top at 0.085
    const verdict = await verdictAfter('put_block_in_drawer', 3, putAt(-0.085, 0.106), { settle: 0.05 });
    expect(verdict.success).toBe(false);
    expect(verdict.reason).toMatch(/outside the drawer|on the drawer's rim/);
  });

  it('rejects the block on the table in front of the drawer', async () => {
    const verdict = await verdictAfter('put_block_in_drawer', 3, putAt(-0.12, 0.02));
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/4\.0 cm outside the drawer/),
    });
  });
});
