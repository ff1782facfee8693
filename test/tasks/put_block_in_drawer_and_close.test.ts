// Near-miss states for the put_block_in_drawer_and_close verifier (held out).
import { describe, expect, it } from 'vitest';
import { placeFree, setJoint, verdictAfter, type Arranged, type Xy } from './harness.ts';

describe('put_block_in_drawer_and_close verifier', () => {
  // The tray's centre is 1 cm in front of the cabinet's centre; its floor is 3 cm above the table.
  const inTray =
    (open: number) =>
    ({ sim, params }: Arranged) => {
      const [x, y] = params.cabinet as Xy;
      setJoint(sim, 'cabinet_slide', -open);
      placeFree(sim, `${params.colour}_block`, [x - 0.01 - open, y, 0.051]);
    };

  it('accepts the block in the closed drawer', async () => {
    const verdict = await verdictAfter('put_block_in_drawer_and_close', 5, inTray(0.005));
    expect(verdict).toMatchObject({ success: true, reason: expect.stringMatching(/the drawer is closed/) });
  });

  it('rejects the block in a drawer left half closed', async () => {
    const verdict = await verdictAfter('put_block_in_drawer_and_close', 5, inTray(0.07));
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/still open 7\.0 cm/) });
  });

  it('rejects a closed drawer with the block left on the table', async () => {
    const verdict = await verdictAfter('put_block_in_drawer_and_close', 5, () => {});
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/outside the drawer tray/),
    });
  });
});
