// Near-miss states for the press_buttons_in_order verifier, and the observe() latch it verifies
// from.
import { describe, expect, it } from 'vitest';
import { paramsOf, pressButton, verdictAfter } from './harness.ts';
import { findTask } from '../../core/tasks/registry.ts';
import type { TaskMemory } from '../../core/tasks/types.ts';

describe('press_buttons_in_order', () => {
  const orderOf = async (seed: number) =>
    ((await paramsOf('press_buttons_in_order', seed)).order as string[]).map((c) => `${c}_button`);
  const verdict = (presses: string[]) =>
    verdictAfter('press_buttons_in_order', 5, () => {}, { memory: { presses } });

  it('accepts the exact order and rejects a wrong, short or repeated sequence', async () => {
    const [a, b, c] = await orderOf(5);
    expect((await verdict([a, b, c])).success).toBe(true);
    expect(await verdict([a, c, b])).toMatchObject({
      success: false,
      reason: expect.stringMatching(/press 2 was/),
    });
    expect(await verdict([a, b])).toMatchObject({
      success: false,
      reason: expect.stringMatching(/only 2 of 3/),
    });
    expect((await verdict([a, a, b, c])).success).toBe(false);
    expect((await verdict([a, b, c, a])).success).toBe(false);
  });

  it('records rising edges in observe(), in order', async () => {
    const task = await findTask('press_buttons_in_order');
    const [a, b, c] = await orderOf(5);
    const memory: TaskMemory = {};
    const result = await verdictAfter(
      'press_buttons_in_order',
      5,
      (arranged) => {
        const step = (button: string, depth: number) => pressButton(task, arranged, button, depth, memory);
        step(a, 0.012);
        step(a, 0.01); // still down: not a second press
        step(a, 0);
        step(c, 0.012);
        step(c, 0);
        step(b, 0.012);
        step(b, 0);
      },
      { memory },
    );
    expect(memory.presses).toEqual([a, c, b]);
    expect(result).toMatchObject({ success: false, reason: expect.stringMatching(/press 2 was/) });
  });
});
