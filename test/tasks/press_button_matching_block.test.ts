// Near-miss states for the press_button_matching_block verifier (held out), pressed through its
// observe() latch.
import { describe, expect, it } from 'vitest';
import { pressButton, verdictAfter, type Arranged } from './harness.ts';
import { findTask } from '../../core/tasks/registry.ts';
import type { TaskMemory } from '../../core/tasks/types.ts';

const pressTask = await findTask('press_button_matching_block');

describe('press_button_matching_block verifier', () => {
  // Push a button's cap down and let observe() latch it; the spring lifts it before verify().
  const pressWith =
    (pick: (params: Record<string, unknown>) => string, depth: number, memory: TaskMemory) =>
    (arranged: Arranged) =>
      pressButton(pressTask, arranged, `${pick(arranged.params)}_button`, depth, memory);
  const matching = (p: Record<string, unknown>) => p.colour as string;
  const other = (p: Record<string, unknown>) => (p.buttons as string[]).find((c) => c !== p.colour)!;

  it('accepts a press of the matching button, latched after the cap springs back', async () => {
    const memory: TaskMemory = {};
    const verdict = await verdictAfter('press_button_matching_block', 6, pressWith(matching, 0.012, memory), {
      memory,
    });
    expect(verdict).toMatchObject({ success: true, reason: expect.stringMatching(/pressed and no other/) });
  });

  it('rejects a press of another button', async () => {
    const memory: TaskMemory = {};
    const verdict = await verdictAfter('press_button_matching_block', 6, pressWith(other, 0.012, memory), {
      memory,
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/_button was pressed; the block is/),
    });
  });

  it('rejects a push of the matching button that is too shallow', async () => {
    const memory: TaskMemory = {};
    const verdict = await verdictAfter('press_button_matching_block', 6, pressWith(matching, 0.005, memory), {
      memory,
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/pushed only 0\.5 cm down/),
    });
  });
});
