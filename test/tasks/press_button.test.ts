// Near-miss states for the press_button verifier, and the observe() latch it verifies from.
import { describe, expect, it } from 'vitest';
import { paramsOf, pressButton, verdictAfter } from './harness.ts';
import { findTask } from '../../core/tasks/registry.ts';
import type { TaskMemory } from '../../core/tasks/types.ts';

describe('press_button', () => {
  const buttons = async (seed: number) => {
    const params = await paramsOf('press_button', seed);
    const target = `${params.target}_button`;
    const other = `${(params.colours as string[]).find((c) => c !== params.target)}_button`;
    return { target, other };
  };

  it('accepts the named button pressed and rejects a wrong, extra or shallow press', async () => {
    const { target, other } = await buttons(4);
    const verdict = (memory: TaskMemory) => verdictAfter('press_button', 4, () => {}, { memory });
    expect((await verdict({ presses: [target] })).success).toBe(true);
    expect(await verdict({ presses: [other] })).toMatchObject({
      success: false,
      reason: expect.stringMatching(/wrong button/),
    });
    expect((await verdict({ presses: [target, other] })).success).toBe(false);
    expect(await verdict({ presses: [], deepest: { [target]: 0.004 } })).toMatchObject({
      success: false,
      reason: expect.stringMatching(/only 0\.4 cm down/),
    });
    expect((await verdict({})).success).toBe(false);
  });

  it('latches a press in observe() after the button springs back', async () => {
    const task = await findTask('press_button');
    const memory: TaskMemory = {};
    const verdict = await verdictAfter(
      'press_button',
      4,
      (arranged) => {
        const button = `${arranged.params.target}_button`;
        pressButton(task, arranged, button, 0.004, memory); // 4 mm: not a press
        expect(memory.presses).toEqual([]);
        pressButton(task, arranged, button, 0.012, memory);
        pressButton(task, arranged, button, 0, memory);
      },
      { memory },
    );
    expect(memory.presses).toEqual([`${(await buttons(4)).target}`]);
    expect(verdict.success).toBe(true);
  });
});
