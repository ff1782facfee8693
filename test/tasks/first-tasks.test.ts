// Near-miss states for the verifiers of reach_target, pick_and_lift, put_block_in_bin,
// stack_two_blocks and open_drawer.
import { describe, expect, it } from 'vitest';
import { placeFree, setJoint, verdictAfter } from './harness.ts';

describe('reach_target verifier', () => {
  it('accepts the gripper at the target and rejects it 3 cm away', async () => {
    const at = await verdictAfter('reach_target', 1, ({ arm, params }) => {
      const target = params.target as number[];
      arm.setJointPositions(arm.solve(target as [number, number, number], 0).q);
    });
    expect(at.success).toBe(true);
    const near = await verdictAfter('reach_target', 1, ({ arm, params }) => {
      const [x, y, z] = params.target as number[];
      arm.setJointPositions(arm.solve([x + 0.03, y, z], 0).q);
    });
    expect(near).toMatchObject({ success: false, reason: expect.stringMatching(/3\.0 cm from the target/) });
  });
});

describe('pick_and_lift verifier', () => {
  it('rejects a block raised onto the other block but not lifted', async () => {
    const verdict = await verdictAfter('pick_and_lift', 2, ({ sim, params }) => {
      placeFree(sim, `${params.other}_block`, [0.5, 0, 0.02]);
      placeFree(sim, `${params.colour}_block`, [0.5, 0, 0.06]);
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/only 4\.0 cm above the table/),
    });
  });
});

describe('put_block_in_bin verifier', () => {
  it('accepts a block on the bin floor', async () => {
    const verdict = await verdictAfter('put_block_in_bin', 3, ({ sim, params }) => {
      const [x, y] = params.bin as number[];
      placeFree(sim, `${params.colour}_block`, [x, y, 0.024]);
    });
    expect(verdict.success).toBe(true);
  });

  it('rejects a block balanced on the rim', async () => {
    const verdict = await verdictAfter(
      'put_block_in_bin',
      3,
      ({ sim, params }) => {
        const [x, y] = params.bin as number[];
        // centred on the +x wall (inner half 0.06 + half wall 0.005), resting on its top
        placeFree(sim, `${params.colour}_block`, [x + 0.065, y, 0.05 + 0.02]);
      },
      { settle: 0.05 },
    );
    expect(verdict).toMatchObject({ success: false });
    expect(verdict.reason).toMatch(/outside the bin|on the rim/);
  });

  it('rejects a block just outside the wall', async () => {
    const verdict = await verdictAfter('put_block_in_bin', 3, ({ sim, params }) => {
      const [x, y] = params.bin as number[];
      placeFree(sim, `${params.colour}_block`, [x, y + 0.095, 0.02]);
    });
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/outside the bin/) });
  });
});

describe('stack_two_blocks verifier', () => {
  const stack =
    (dx: number) =>
    ({ sim, params }: { sim: Parameters<typeof placeFree>[0]; params: Record<string, unknown> }) => {
      placeFree(sim, `${params.bottom}_block`, [0.5, 0.1, 0.02]);
      placeFree(sim, `${params.top}_block`, [0.5 + dx, 0.1, 0.06]);
    };

  it('accepts a centred stack', async () => {
    expect((await verdictAfter('stack_two_blocks', 4, stack(0.005))).success).toBe(true);
  });

  it('rejects a stack offset by more than half a block', async () => {
    const verdict = await verdictAfter('stack_two_blocks', 4, stack(0.025), { settle: 0.02 });
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/off the centre/) });
  });

  it('rejects the blocks side by side', async () => {
    const verdict = await verdictAfter('stack_two_blocks', 4, ({ sim, params }) => {
      placeFree(sim, `${params.bottom}_block`, [0.5, 0.1, 0.02]);
      placeFree(sim, `${params.top}_block`, [0.5, 0.15, 0.02]);
    });
    expect(verdict.success).toBe(false);
  });
});

describe('open_drawer verifier', () => {
  it('accepts the drawer open 12 cm and rejects it half open', async () => {
    expect(
      (await verdictAfter('open_drawer', 5, ({ sim }) => setJoint(sim, 'cabinet_slide', -0.12))).success,
    ).toBe(true);
    const half = await verdictAfter('open_drawer', 5, ({ sim }) => setJoint(sim, 'cabinet_slide', -0.07));
    expect(half).toMatchObject({ success: false, reason: expect.stringMatching(/open only 7\.0 cm/) });
  });
});
