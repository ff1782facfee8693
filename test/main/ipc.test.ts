// The api over IPC as the desktop window meets it: real calls through the real dispatch, bad input
// named, unknown calls and foreign frames refused, events routed to the calling page by id, and
// cancelling, closing or reloading a page stopping its calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dispatch } from '../../api/index.ts';
import { disposeResources } from '../../api/resources.ts';
import type { AppInfo } from '../../api/app.ts';
import type { TaskSummary } from '../../api/tasks.ts';
import type { CallContext } from '../../api/contract.ts';
import { registerApi, type Dispatch, type Reply } from '../../main/ipc.ts';
import { FakeIpcMain, FakeSender, ipcEvent } from './fakes.ts';
import { tempDir } from '../helpers.ts';

beforeAll(() => {
  process.env.BLAZER_LAB_HOME = tempDir();
});
afterAll(() => disposeResources());

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  productName: string;
  version: string;
};

function withRealApi(): FakeIpcMain {
  const ipc = new FakeIpcMain();
  registerApi(ipc, dispatch);
  return ipc;
}

function errorOf(reply: Reply): { kind: string; message: string; expected: boolean } {
  if (!('error' in reply)) throw new Error(`expected an error, got ${JSON.stringify(reply)}`);
  return reply.error;
}

/** A dispatch that runs until its signal fires, and remembers what it was given. */
function pendingDispatch() {
  const calls: { name: unknown; input: unknown; context?: CallContext }[] = [];
  const dispatch: Dispatch = (name, input, context) => {
    calls.push({ name, input, context });
    return new Promise((_resolve, reject) => {
      context?.signal?.addEventListener('abort', () =>
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
      );
    });
  };
  return { calls, dispatch };
}

describe('registerApi: calls through the real dispatch', () => {
  it('answers app.info and tasks.list with their results', async () => {
    const ipc = withRealApi();
    const info = await ipc.invoke('lab:call', ipcEvent(), 1, 'app.info', {});
    expect(info).toHaveProperty('result');
    const app = (info as { result: AppInfo }).result;
    expect(app.name).toBe(pkg.productName);
    expect(app.version).toBe(pkg.version);
    expect(app.arms).toContain('panda');

    const tasks = (await ipc.invoke('lab:call', ipcEvent(), 2, 'tasks.list', {})) as {
      result: TaskSummary[];
    };
    expect(tasks.result.map((t) => t.id)).toContain('put_block_in_bin');
  });

  it('refuses bad input with an error naming the field', async () => {
    const ipc = withRealApi();
    const reply = await ipc.invoke('lab:call', ipcEvent(), 1, 'scene.view', {
      task: 'put_block_in_bin',
      seed: -1,
    });
    const error = errorOf(reply);
    expect(error.expected).toBe(true);
    expect(error.message).toMatch(/^scene\.view: seed:/);

    const noDb = errorOf(await ipc.invoke('lab:call', ipcEvent(), 2, 'dataset.list', {}));
    expect(noDb.message).toMatch(/db:/);
  });

  it('refuses an unknown call name', async () => {
    const error = errorOf(await withRealApi().invoke('lab:call', ipcEvent(), 1, 'fs.delete', { path: '/' }));
    expect(error.kind).toBe('ApiError');
    expect(error.message).toBe("unknown api call 'fs.delete'");
  });

  it('refuses a call without a numeric id', async () => {
    const error = errorOf(await withRealApi().invoke('lab:call', ipcEvent(), '1', 'app.info', {}));
    expect(error).toEqual({ kind: 'bad-request', message: 'a call needs a numeric id', expected: true });
  });
});

describe('registerApi: only the app page may call', () => {
  const foreign = [
    'https://evil.example/',
    'file:///etc/passwd',
    'app://lab.evil.example/index.html',
    'app://evil@lab.example/',
    'http://127.0.0.1:8080/',
    'devtools://devtools/bundled/inspector.html',
  ];
  for (const url of foreign)
    it(`refuses a call from ${url} before dispatch`, async () => {
      const calls: unknown[] = [];
      const dispatch: Dispatch = async (name) => calls.push(name);
      const ipc = new FakeIpcMain();
      const refused: string[] = [];
      registerApi(ipc, dispatch, { onRefused: (u) => refused.push(u) });
      const error = errorOf(await ipc.invoke('lab:call', ipcEvent(url), 1, 'app.info', {}));
      expect(error.kind).toBe('forbidden');
      expect(error.message).toContain(url);
      expect(calls).toHaveLength(0);
      expect(refused).toEqual([url]);
    });

  it('refuses a call from a frame that is gone (senderFrame null)', async () => {
    const calls: unknown[] = [];
    const dispatch: Dispatch = async (name) => calls.push(name);
    const ipc = new FakeIpcMain();
    registerApi(ipc, dispatch);
    expect(errorOf(await ipc.invoke('lab:call', ipcEvent(null), 1, 'app.info', {})).kind).toBe('forbidden');
    expect(calls).toHaveLength(0);
  });
});

describe('registerApi: events and cancelling', () => {
  it("sends a call's events to the calling page with the call's id", async () => {
    const ipc = new FakeIpcMain();
    registerApi(ipc, async (_name, _input, context) => {
      context?.emit({ type: 'model.text', text: 'open_gripper()' });
      context?.emit({ type: 'model.text', text: '\n' });
      return 'done';
    });
    const sender = new FakeSender(4);
    const reply = await ipc.invoke('lab:call', ipcEvent(undefined, sender), 17, 'models.test', {});
    expect(reply).toEqual({ result: 'done' });
    expect(sender.sent).toEqual([
      ['lab:event', 17, { type: 'model.text', text: 'open_gripper()' }],
      ['lab:event', 17, { type: 'model.text', text: '\n' }],
    ]);
  });

  it('passes the name and input to dispatch unchanged (dispatch validates them)', async () => {
    const { calls, dispatch } = pendingDispatch();
    const ipc = new FakeIpcMain();
    registerApi(ipc, dispatch);
    void ipc.invoke('lab:call', ipcEvent(), 1, 'episode.run', { task: 'x', seed: 2 });
    expect(calls.map(({ name, input }) => ({ name, input }))).toEqual([
      { name: 'episode.run', input: { task: 'x', seed: 2 } },
    ]);
  });

  it("cancel fires the call's signal and the call ends as stopped", async () => {
    const { calls, dispatch } = pendingDispatch();
    const ipc = new FakeIpcMain();
    registerApi(ipc, dispatch);
    const sender = new FakeSender(1);
    const reply = ipc.invoke('lab:call', ipcEvent(undefined, sender), 5, 'generate.run', {});
    const signal = calls[0].context!.signal!;
    expect(signal.aborted).toBe(false);

    ipc.send('lab:cancel', ipcEvent(undefined, new FakeSender(2)), 5); // another page's id 5: not this call
    ipc.send('lab:cancel', ipcEvent('https://evil.example/', sender), 5); // not from the app page
    expect(signal.aborted).toBe(false);

    ipc.send('lab:cancel', ipcEvent(undefined, sender), 5);
    expect(signal.aborted).toBe(true);
    expect(await reply).toEqual({ error: { kind: 'aborted', message: 'stopped', expected: true } });
  });

  it('refuses a second call with an id that is still running', async () => {
    const { dispatch } = pendingDispatch();
    const ipc = new FakeIpcMain();
    registerApi(ipc, dispatch);
    const sender = new FakeSender(1);
    void ipc.invoke('lab:call', ipcEvent(undefined, sender), 3, 'generate.run', {});
    const error = errorOf(await ipc.invoke('lab:call', ipcEvent(undefined, sender), 3, 'app.info', {}));
    expect(error.message).toBe('call id 3 is already running');
  });

  it("a page that reloads or closes stops its calls, not other pages' calls; a reloaded page can reuse ids", async () => {
    const { calls, dispatch } = pendingDispatch();
    const ipc = new FakeIpcMain();
    const api = registerApi(ipc, dispatch);
    const page = new FakeSender(1);
    const other = new FakeSender(2);
    const first = ipc.invoke('lab:call', ipcEvent(undefined, page), 1, 'generate.run', {});
    void ipc.invoke('lab:call', ipcEvent(undefined, other), 1, 'generate.run', {});

    api.abortSender(1);
    expect(calls[0].context!.signal!.aborted).toBe(true);
    expect(calls[1].context!.signal!.aborted).toBe(false);
    // A stopped call's late progress must not reach the reloaded page.
    calls[0].context!.emit({ type: 'model.text', text: 'late' });
    expect(page.sent).toEqual([]);

    void ipc.invoke('lab:call', ipcEvent(undefined, page), 1, 'generate.run', {});
    expect(calls).toHaveLength(3);
    expect(await first).toEqual({ error: { kind: 'aborted', message: 'stopped', expected: true } });

    api.abortAll();
    expect(calls.every((c) => c.context!.signal!.aborted)).toBe(true);
  });

  it('does not send events to a page that was destroyed mid-call', async () => {
    const ipc = new FakeIpcMain();
    const sender = new FakeSender(1);
    registerApi(ipc, async (_name, _input, context) => {
      sender.destroyed = true;
      context?.emit({ type: 'model.text', text: 'nobody listens' });
      return 1;
    });
    expect(await ipc.invoke('lab:call', ipcEvent(undefined, sender), 1, 'x', {})).toEqual({ result: 1 });
  });

  it('reports an unexpected failure as unexpected, with its message', async () => {
    const ipc = new FakeIpcMain();
    registerApi(ipc, async () => {
      throw new TypeError('boom');
    });
    expect(await ipc.invoke('lab:call', ipcEvent(), 1, 'x', {})).toEqual({
      error: { kind: 'unexpected', message: 'unexpected error: boom', expected: false },
    });
  });
});
