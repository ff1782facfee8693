// Near-miss states for the verifiers of the held-out tasks: put_block_in_side_bin,
// put_block_in_closest_bin, put_block_in_drawer_and_close, press_button_matching_block and
// put_block_on_taller_platform.
import { describe, expect, it } from 'vitest';
import { placeFree, setJoint, verdictAfter, type Arranged } from './harness.ts';
import { findTask } from '../../core/tasks/registry.ts';
import type { TaskMemory } from '../../core/tasks/types.ts';

type Xy = [number, number];

describe('put_block_in_side_bin verifier', () => {
  const into =
    (which: 'target' | 'other', dz = 0.024, dx = 0) =>
    ({ sim, params }: Arranged) => {
      const bins = params.bins as Record<string, Xy>;
      const name =
        which === 'target' ? (params.target as string) : params.target === 'bin_a' ? 'bin_b' : 'bin_a';
      placeFree(sim, `${params.colour}_block`, [bins[name][0] + dx, bins[name][1], dz]);
    };

  it('accepts the block in the bin on the instructed side', async () => {
    for (const seed of [0, 1, 2, 3])
      expect((await verdictAfter('put_block_in_side_bin', seed, into('target'))).success).toBe(true);
  });

  it('rejects the block in the bin on the other side', async () => {
    const verdict = await verdictAfter('put_block_in_side_bin', 1, into('other'));
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/is in bin_[ab], the (left|right) bin, not the (left|right) one/),
    });
  });

  it('rejects the block balanced on the rim of the right bin', async () => {
    // centred on the +x wall (inner half 0.06 + half wall 0.005), resting on its top
    const verdict = await verdictAfter('put_block_in_side_bin', 2, into('target', 0.07, 0.065), {
      settle: 0.05,
    });
    expect(verdict.success).toBe(false);
    expect(verdict.reason).toMatch(/outside bin_[ab]|on the rim/);
  });
});

describe('put_block_in_closest_bin verifier', () => {
  const into =
    (which: 'target' | 'other') =>
    ({ sim, params }: Arranged) => {
      const bins = params.bins as Record<string, Xy>;
      const name =
        which === 'target' ? (params.target as string) : params.target === 'bin_a' ? 'bin_b' : 'bin_a';
      placeFree(sim, `${params.colour}_block`, [bins[name][0], bins[name][1], 0.024]);
    };

  it('accepts the block in the closer bin and rejects it in the farther one', async () => {
    expect((await verdictAfter('put_block_in_closest_bin', 4, into('target'))).success).toBe(true);
    const wrong = await verdictAfter('put_block_in_closest_bin', 4, into('other'));
    expect(wrong).toMatchObject({ success: false, reason: expect.stringMatching(/the farther bin/) });
  });
});

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

const pressTask = await findTask('press_button_matching_block');

describe('press_button_matching_block verifier', () => {
  // Push a button's cap down and let observe() latch it; the spring lifts it before verify().
  const pressWith =
    (pick: (params: Record<string, unknown>) => string, depth: number, memory: TaskMemory) =>
    ({ sim, world, params }: Arranged) => {
      setJoint(sim, `${pick(params)}_button_press`, -depth);
      pressTask.observe!(world, params, memory);
    };
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

describe('put_block_on_taller_platform verifier', () => {
  type Platforms = Record<string, { at: Xy; height: number }>;
  const onto =
    (which: 'target' | 'other', dx = 0) =>
    ({ sim, params }: Arranged) => {
      const platforms = params.platforms as Platforms;
      const name =
        which === 'target'
          ? (params.target as string)
          : params.target === 'platform_a'
            ? 'platform_b'
            : 'platform_a';
      const { at, height } = platforms[name];
      placeFree(sim, `${params.colour}_block`, [at[0] + dx, at[1], height + 0.02]);
    };

  it('accepts the block on the taller platform', async () => {
    for (const seed of [7, 8])
      expect((await verdictAfter('put_block_on_taller_platform', seed, onto('target'))).success).toBe(true);
  });

  it('rejects the block on the shorter platform', async () => {
    const verdict = await verdictAfter('put_block_on_taller_platform', 7, onto('other'));
    expect(verdict).toMatchObject({ success: false, reason: expect.stringMatching(/the shorter platform/) });
  });

  it('rejects the block hanging off the edge of the taller platform', async () => {
    // its centre 0.5 cm past the edge (half edge 4.5 cm), before it has time to tip off
    const verdict = await verdictAfter('put_block_on_taller_platform', 7, onto('target', 0.05), {
      settle: 0.02,
    });
    expect(verdict).toMatchObject({
      success: false,
      reason: expect.stringMatching(/0\.5 cm outside platform_[ab]/),
    });
  });
});
