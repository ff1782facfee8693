// window.lab as the renderer uses it: the preload bridge over a fake ipcRenderer, then the whole
// path renderer transport -> bridge -> IPC -> registerApi -> the real dispatch, without Electron.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../api/index.ts';
import { disposeResources } from '../../api/resources.ts';
import type { AppInfo } from '../../api/app.ts';
import { registerApi, type Dispatch } from '../../main/ipc.ts';
import { createLabBridge } from '../../preload/bridge.ts';
import { IpcTransport, LabCallError, type LabBridge as RendererLabBridge } from '../../renderer/transport.ts';
import { FakeIpcMain, FakeIpcRenderer, FakeSender, ipcEvent } from './fakes.ts';
import { tempDir } from '../helpers.ts';

beforeAll(() => {
  process.env.BLAZER_LAB_HOME = tempDir();
});
afterAll(() => disposeResources());

describe('createLabBridge', () => {
  it('call invokes lab:call with the id, name and input and returns the reply', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.answer = async () => ({ result: { ok: true } });
    const reply = await createLabBridge(ipc).call(3, 'app.info', { a: 1 });
    expect(reply).toEqual({ result: { ok: true } });
    expect(ipc.invoked).toEqual([['lab:call', 3, 'app.info', { a: 1 }]]);
  });

  it('cancel sends lab:cancel with the id', () => {
    const ipc = new FakeIpcRenderer();
    createLabBridge(ipc).cancel(8);
    expect(ipc.sent).toEqual([['lab:cancel', 8]]);
  });

  it('onEvent passes (id, event) only, never the IPC event (its sender is ipcRenderer), until unsubscribed', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createLabBridge(ipc);
    const seen: unknown[][] = [];
    const unsubscribe = bridge.onEvent((...args) => seen.push(args));
    ipc.receive('lab:event', 2, { type: 'model.text', text: 'a' });
    expect(seen).toEqual([[2, { type: 'model.text', text: 'a' }]]);
    expect(JSON.stringify(seen)).not.toContain('sender');

    unsubscribe();
    ipc.receive('lab:event', 2, { type: 'model.text', text: 'b' });
    expect(seen).toHaveLength(1);
    expect(ipc.listeners.get('lab:event')?.size).toBe(0);
  });

  it('exposes exactly call, cancel and onEvent', () => {
    expect(Object.keys(createLabBridge(new FakeIpcRenderer())).sort()).toEqual(['call', 'cancel', 'onEvent']);
  });
});

/** A renderer page wired to a main process through fake IPC, as Electron would connect them. */
function connect(dispatchFn: Dispatch, pageUrl = 'app://lab/index.html') {
  const main = new FakeIpcMain();
  registerApi(main, dispatchFn);
  const renderer = new FakeIpcRenderer();
  const sender = new FakeSender(1);
  // Main's sends to this page arrive as the page's IPC messages.
  sender.send = (channel, ...args) => renderer.receive(channel, ...args);
  renderer.answer = (channel, ...args) => main.invoke(channel, ipcEvent(pageUrl, sender), ...args);
  const send = renderer.send.bind(renderer);
  renderer.send = (channel, ...args) => {
    send(channel, ...args);
    main.send(channel, ipcEvent(pageUrl, sender), ...args);
  };
  // The preload's bridge must satisfy the interface the renderer's transport is written against.
  const bridge: RendererLabBridge = createLabBridge(renderer);
  return new IpcTransport(bridge);
}

describe('renderer transport over the bridge and registerApi', () => {
  it('gets app.info from the real api', async () => {
    const info = await connect(dispatch).call<AppInfo>('app.info', {});
    expect(info.name).toBe('BLAZER Lab');
  });

  it('rejects with the error report for bad input', async () => {
    const failed = connect(dispatch).call('scene.view', { task: 'put_block_in_bin', seed: -1 });
    await expect(failed).rejects.toBeInstanceOf(LabCallError);
    await expect(failed).rejects.toMatchObject({ report: { expected: true, message: /seed/ } });
  });

  it('delivers progress events to the call that asked, and an abort signal stops the call', async () => {
    const transport = connect(
      (_name, _input, context) =>
        new Promise((_resolve, reject) => {
          context?.emit({ type: 'model.text', text: 'thinking' });
          context?.signal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    );
    const onEvent = vi.fn();
    const controller = new AbortController();
    const call = transport.call('models.test', {}, { onEvent, signal: controller.signal });
    await vi.waitFor(() => expect(onEvent).toHaveBeenCalledWith({ type: 'model.text', text: 'thinking' }));
    controller.abort();
    await expect(call).rejects.toMatchObject({ report: { kind: 'aborted' } });
  });

  it('a page that is not the app gets a refusal, not a result', async () => {
    const call = connect(dispatch, 'https://evil.example/').call('app.info', {});
    await expect(call).rejects.toMatchObject({ report: { kind: 'forbidden' } });
  });
});
