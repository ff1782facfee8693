// The contract as every shell meets it: calls by name through the one typed client, input checked
// by the call's schema with the field at fault named, errors crossing as {kind, message}, calls a
// remote shell may not make refused, and every call in the contract backed by a handler.
import { describe, expect, it } from 'vitest';
import { inProcessLab } from '../../api/in-process.ts';
import { CALLS, type CallName } from '../../api/contract.ts';
import { dispatch, handlerFor } from '../../api/dispatch.ts';

const lab = inProcessLab();

describe('api contract', () => {
  it('rejects input of the wrong shape, naming the field, as a bad-request with its issues', async () => {
    const model = 42 as unknown as string; // as a hostile client would send it
    await expect(lab.call('sim.info', { model })).rejects.toMatchObject({
      kind: 'bad-request',
      message: expect.stringMatching(/^sim\.info: model: /),
      issues: [{ path: 'model', message: expect.any(String) }],
    });
    await expect(lab.call('sim.state', {} as { scene: string })).rejects.toThrow(/^sim\.state: scene: /);
    await expect(lab.call('sim.state', null as unknown as { scene: string })).rejects.toThrow(
      /^sim\.state: scene: /,
    );
  });

  it('runs a valid call through to core and returns its typed result', async () => {
    const { state, text } = await lab.call('sim.state', { scene: 'panda-table' });
    expect(state.objects).toEqual([]);
    expect(state.gripper?.opening).toBeCloseTo(0.08, 3);
    expect(text).toMatch(/^# scene state v2/);
  });

  it("keeps a core error's kind across the boundary", async () => {
    await expect(lab.call('sim.state', { scene: 'kitchen' })).rejects.toMatchObject({ kind: 'bad-input' });
    await expect(lab.call('episode.run', { task: 'no_such_task', seed: 0 })).rejects.toMatchObject({
      message: expect.stringMatching(/no task 'no_such_task'/),
    });
  });

  it('refuses an unknown call and, from a remote shell, the calls kept for the lab machine', async () => {
    const context = { emit: () => {}, signal: new AbortController().signal };
    await expect(dispatch('fs.delete', {}, { ...context, shell: { local: true } })).rejects.toMatchObject({
      kind: 'unknown-call',
    });
    await expect(dispatch('toString', {}, { ...context, shell: { local: true } })).rejects.toMatchObject({
      kind: 'unknown-call',
    });
    const remote = inProcessLab({ local: false });
    await expect(remote.call('models.writeTiny', { out: '/tmp/x.gguf' })).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });

  it('has a handler for every call in the contract, and a schema that refuses unknown fields', async () => {
    const context = { emit: () => {}, signal: new AbortController().signal, shell: { local: true } };
    for (const name of Object.keys(CALLS) as CallName[]) {
      expect(typeof (await handlerFor(name)), name).toBe('function');
      await expect(dispatch(name, { 'not a field': 1 }, context), name).rejects.toMatchObject({
        kind: 'bad-request',
      });
    }
  });
});
