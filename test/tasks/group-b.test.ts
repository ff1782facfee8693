// Near-miss states for the verifiers of close_drawer, put_block_in_drawer, press_button,
// press_buttons_in_order, push_block_to_target and slide_block_to_colour_target, and the
// observe() latches that the button and push tasks verify from.
import { describe, expect, it } from 'vitest';
import { placeFree, setJoint, verdictAfter, type Arranged } from './harness.ts';
import { findTask } from '../../core/tasks/registry.ts';
import type { TaskMemory } from '../../core/tasks/types.ts';

describe('close_drawer verifier', () => {
  it('accepts the drawer pushed in to 1 cm and rejects it half closed', async () => {
    expect(
      (await verdictAfter('close_drawer', 1, ({ sim }) => setJoint(sim, 'cabinet_slide', -0.01))).success,
    ).toBe(true);
    const half = await verdictAfter('close_drawer', 1, ({ sim }) => setJoint(sim, 'cabinet_slide', -0.07));
    expect(half).toMatchObject({ success: false, reason: expect.stringMatching(/still open 7\.0 cm/) });
  });

  it('rejects the drawer as it starts', async () => {
    expect((await verdictAfter('close_drawer', 2, () => {})).success).toBe(false);
  });
});

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

describe('press_button', () => {
  const buttons = async (seed: number) => {
    let params: Record<string, unknown> = {};
    await verdictAfter('press_button', seed, (a) => (params = a.params));
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
      ({ sim, world, params }) => {
        const joint = `${params.target}_button_press`;
        setJoint(sim, joint, -0.004); // 4 mm: not a press
        task.observe!(world, params, memory);
        expect(memory.presses).toEqual([]);
        setJoint(sim, joint, -0.012);
        task.observe!(world, params, memory);
        setJoint(sim, joint, 0);
        task.observe!(world, params, memory);
      },
      { memory },
    );
    expect(memory.presses).toEqual([`${(await buttons(4)).target}`]);
    expect(verdict.success).toBe(true);
  });
});

describe('press_buttons_in_order', () => {
  const orderOf = async (seed: number) => {
    let order: string[] = [];
    await verdictAfter('press_buttons_in_order', seed, ({ params }) => (order = params.order as string[]));
    return order.map((c) => `${c}_button`);
  };
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
      ({ sim, world, params }) => {
        const step = (button: string, depth: number) => {
          setJoint(sim, `${button}_press`, -depth);
          task.observe!(world, params, memory);
        };
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

describe('slide_block_to_colour_target verifier', () => {
  const onto =
    (which: 'colour' | 'other', dx = 0) =>
    ({ sim, params }: Arranged) => {
      const targets = params.targets as Record<string, number[]>;
      const [x, y] = targets[params[which] as string];
      placeFree(sim, 'block', [x + dx, y, 0.025]);
    };

  it('accepts the block on the named target', async () => {
    expect((await verdictAfter('slide_block_to_colour_target', 7, onto('colour'))).success).toBe(true);
  });

  it('rejects the block on the other target or half on the named one', async () => {
    const wrong = await verdictAfter('slide_block_to_colour_target', 7, onto('other'));
    expect(wrong).toMatchObject({ success: false, reason: expect.stringMatching(/outside the \w+ target/) });
    const half = await verdictAfter('slide_block_to_colour_target', 7, onto('colour', 0.065));
    expect(half).toMatchObject({ success: false, reason: expect.stringMatching(/1\.5 cm outside/) });
  });
});
