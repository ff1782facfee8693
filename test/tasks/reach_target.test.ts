// Near-miss states for the reach_target verifier.
import { describe, expect, it } from 'vitest';
import { verdictAfter } from './harness.ts';

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
