// Near-miss states for the stack_two_blocks verifier.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter } from './harness.ts';

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
