// Near-miss states for the push_block_to_target verifier, and the observe() latch it verifies
// from.
import { describe, expect, it } from 'vitest';
import { placeFree, verdictAfter, type Arranged } from './harness.ts';
import { findTask } from '../../core/tasks/registry.ts';
import type { TaskMemory } from '../../core/tasks/types.ts';

describe('push_block_to_target verifier', () => {
  const at =
    (dx: number) =>
    ({ sim, params }: Arranged) => {
      const [x, y] = params.target as number[];
      placeFree(sim, 'block', [x + dx, y, 0.025]);
    };

  it('accepts the block on the target and rejects it half on', async () => {
    expect((await verdictAfter('push_block_to_target', 6, at(0.03))).success).toBe(true);
    const half = await verdictAfter('push_block_to_target', 6, at(0.06));
    expect(half).toMatchObject({
      success: false,
      reason: expect.stringMatching(/1\.0 cm outside the target/),
    });
  });

  it('rejects a block that was carried there', async () => {
    const verdict = await verdictAfter('push_block_to_target', 6, at(0), { memory: { highest: 0.06 } });
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/lifted 6\.0 cm/) });
  });

  it('latches the highest the block got in observe()', async () => {
    const task = await findTask('push_block_to_target');
    const memory: TaskMemory = {};
    await verdictAfter('push_block_to_target', 6, ({ sim, world, params }) => {
      placeFree(sim, 'block', [0.5, 0, 0.105]);
      task.observe!(world, params, memory);
    });
    expect(memory.highest).toBeCloseTo(0.08, 3);
  });
});
