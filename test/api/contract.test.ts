import { describe, expect, it } from 'vitest';
import { ApiError, invoke } from '../../api/contract.ts';
import { simInfo, simState } from '../../api/sim.ts';

describe('api contract', () => {
  it('rejects input of the wrong shape, naming the field', async () => {
    await expect(invoke(simInfo, { model: 42 })).rejects.toThrow(ApiError);
    await expect(invoke(simInfo, { model: 42 })).rejects.toThrow(/^sim\.info: model: /);
    await expect(invoke(simState, {})).rejects.toThrow(/^sim\.state: scene: /);
    await expect(invoke(simState, null)).rejects.toThrow(/^sim\.state: input: /);
  });

  it('runs a valid call through to core', async () => {
    const state = await invoke(simState, { scene: 'panda-table' });
    expect(state.objects).toEqual([]);
    expect(state.gripper?.opening).toBeCloseTo(0.08, 3);
  });
});
