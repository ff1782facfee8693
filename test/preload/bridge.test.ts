// window.lab as the renderer uses it: the preload bridge over a fake ipcRenderer, then the whole
// path LabClient -> renderer IPC transport -> bridge -> IPC -> registerApi -> the real dispatch,
// without Electron.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { disposeResources } from '../../api/resources.ts';
import { LabClient, LabCallError } from '../../api/framing.ts';
import type { CallContext } from '../../api/dispatch.ts';
import { registerApi } from '../../main/ipc.ts';
import { createLabBridge } from '../../preload/bridge.ts';
import { ipcTransport, type LabBridge as RendererLabBridge } from '../../renderer/transport.ts';
import { FakeIpcMain, FakeIpcRenderer, FakeSender, ipcEvent } from '../main/fakes.ts';
import { tempDir } from '../helpers.ts';

// A loaded machine (a CI runner, tests in parallel) may take seconds to load the lab's modules.
const SLOW_MACHINE = { timeout: 15_000 };

beforeAll(() => {
  process.env.BLAZER_LAB_HOME = tempDir();
});
afterAll(() => disposeResources());

describe('createLabBridge', () => {
  it('send puts one call message on lab:call', () => {
    const ipc = new FakeIpcRenderer();
    createLabBridge(ipc).send({ id: 3, call: 'app.info', input: { a: 1 } });
    createLabBridge(ipc).send({ cancel: 3 });
    expect(ipc.sent).toEqual([
      ['lab:call', { id: 3, call: 'app.info', input: { a: 1 } }],
      ['lab:call', { cancel: 3 }],
    ]);
  });

  it('onReply passes the reply only, never the IPC event (its sender is ipcRenderer), until unsubscribed', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createLabBridge(ipc);
    const seen: unknown[][] = [];
    const unsubscribe = bridge.onReply((...args) => seen.push(args));
    ipc.receive('lab:reply', { id: 2, event: { type: 'model.text', text: 'a' } });
    expect(seen).toEqual([[{ id: 2, event: { type: 'model.text', text: 'a' } }]]);
    expect(JSON.stringify(seen)).not.toContain('sender');

    unsubscribe();
    ipc.receive('lab:reply', { id: 2, event: { type: 'model.text', text: 'b' } });
    expect(seen).toHaveLength(1);
    expect(ipc.listeners.get('lab:reply')?.size).toBe(0);
  });

  it('exposes exactly send and onReply', () => {
    expect(Object.keys(createLabBridge(new FakeIpcRenderer())).sort()).toEqual(['onReply', 'send']);
  });
});

type Dispatch = (name: unknown, input: unknown, context: CallContext) => Promise<unknown>;

/** A renderer page wired to a main process through fake IPC, as Electron would connect them. */
function connect(dispatch?: Dispatch, pageUrl = 'app://lab/index.html'): LabClient {
  const main = new FakeIpcMain();
  registerApi(main, { dispatch });
  const renderer = new FakeIpcRenderer();
  const sender = new FakeSender(1);
  // Main's sends to this page arrive as the page's IPC messages, and the page's sends reach main.
  sender.send = (channel, ...args) => renderer.receive(channel, ...args);
  renderer.onSend = (channel, ...args) => main.send(channel, ipcEvent(pageUrl, sender), ...args);
  // The preload's bridge must satisfy the interface the renderer's transport is written against.
  const bridge: RendererLabBridge = createLabBridge(renderer);
  return new LabClient(ipcTransport(bridge));
}

describe('the typed client over the bridge and registerApi', () => {
  it('gets app.info from the real api', async () => {
    const info = await connect().call('app.info', {});
    expect(info.name).toBe('BLAZER Lab');
  });

  it('rejects with the error report for bad input', async () => {
    const failed = connect().call('scene.view', { task: 'put_block_in_bin', seed: -1 });
    await expect(failed).rejects.toBeInstanceOf(LabCallError);
    await expect(failed).rejects.toMatchObject({ kind: 'bad-request', message: /seed/ });
  });

  it('delivers progress events to the call that asked, and an abort signal stops the call', async () => {
    const lab = connect(
      (_name, _input, context) =>
        new Promise((_resolve, reject) => {
          context.emit({ type: 'model.text', text: 'thinking' });
          context.signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    );
    const onEvent = vi.fn();
    const controller = new AbortController();
    const call = lab.call('models.test', { model: 'm', prompt: 'p' }, { onEvent, signal: controller.signal });
    await vi.waitFor(
      () => expect(onEvent).toHaveBeenCalledWith({ type: 'model.text', text: 'thinking' }),
      SLOW_MACHINE,
    );
    controller.abort();
    await expect(call).rejects.toMatchObject({ kind: 'stopped' });
  });

  it('a page that is not the app gets a refusal, not a result', async () => {
    const call = connect(undefined, 'https://evil.example/').call('app.info', {});
    await expect(call).rejects.toMatchObject({ kind: 'forbidden' });
  });
});
