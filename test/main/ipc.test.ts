// The api over IPC as the desktop window meets it: real calls through the real dispatch, bad input
// named, unknown calls and foreign frames refused, replies and events routed to the calling page by
// id, and cancelling, closing or reloading a page stopping its calls.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { disposeResources } from '../../api/resources.ts';
import type { CallContext } from '../../api/dispatch.ts';
import type { ReplyMessage } from '../../api/framing.ts';
import type { AppInfo, TaskSummary } from '../../api/types.ts';
import { registerApi, type RegisterOptions } from '../../main/ipc.ts';
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

type Dispatch = NonNullable<RegisterOptions['dispatch']>;

/** A main process with the api registered, and pages that send it call messages. */
function mainProcess(options: RegisterOptions = {}) {
  const ipc = new FakeIpcMain();
  const api = registerApi(ipc, options);
  const page = new FakeSender(); // one page unless a test names others
  const replies = (sender: FakeSender): ReplyMessage[] =>
    sender.sent.filter(([channel]) => channel === 'lab:reply').map(([, message]) => message as ReplyMessage);
  return {
    api,
    replies,
    send: (message: unknown, sender = page, url?: string | null) =>
      ipc.send('lab:call', ipcEvent(url, sender), message),
    /** Send a call and wait for how it ended. */
    call: async (id: unknown, call: string, input: unknown, sender = page, url?: string | null) => {
      ipc.send('lab:call', ipcEvent(url, sender), { id, call, input });
      const ended = (): ReplyMessage | undefined =>
        replies(sender).find((r) => r.id === id && !('event' in r));
      await vi.waitFor(() => expect(ended()).toBeDefined(), { timeout: 60_000, interval: 5 });
      return ended()!;
    },
  };
}

const errorOf = (reply: ReplyMessage): { kind: string; message: string } => {
  if (!('error' in reply)) throw new Error(`expected an error, got ${JSON.stringify(reply)}`);
  return reply.error;
};

/** A dispatch that runs until its signal fires, and remembers what it was given. */
function pendingDispatch() {
  const calls: { name: unknown; input: unknown; context: CallContext }[] = [];
  const dispatch: Dispatch = (name, input, context) => {
    calls.push({ name, input, context });
    return new Promise((_resolve, reject) => {
      context.signal.addEventListener('abort', () =>
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
      );
    });
  };
  return { calls, dispatch };
}

describe('registerApi: calls through the real dispatch', () => {
  it('answers app.info and tasks.list with their results', async () => {
    const main = mainProcess();
    const info = await main.call(1, 'app.info', {});
    const app = (info as { result: AppInfo }).result;
    expect(app.name).toBe(pkg.productName);
    expect(app.version).toBe(pkg.version);
    expect(app.arms).toContain('panda');
    const tasks = (await main.call(2, 'tasks.list', {})) as { result: TaskSummary[] };
    expect(tasks.result.map((t) => t.id)).toContain('put_block_in_bin');
  });

  it('refuses bad input with an error naming the field', async () => {
    const main = mainProcess();
    const error = errorOf(await main.call(1, 'scene.view', { task: 'put_block_in_bin', seed: -1 }));
    expect(error.kind).toBe('bad-request');
    expect(error.message).toMatch(/^scene\.view: seed:/);
    expect(errorOf(await main.call(2, 'dataset.list', {})).message).toMatch(/db:/);
  });

  it('refuses an unknown call name', async () => {
    const error = errorOf(await mainProcess().call(1, 'fs.delete', { path: '/' }));
    expect(error).toEqual({ kind: 'unknown-call', message: "unknown api call 'fs.delete'" });
  });

  it('refuses a call without a numeric id, and a message that is not an object', async () => {
    const main = mainProcess();
    const sender = new FakeSender();
    main.send({ id: '1', call: 'app.info', input: {} }, sender);
    main.send('app.info', sender);
    expect(main.replies(sender)).toEqual([
      { error: { kind: 'bad-request', message: 'a call needs a numeric id' } },
      { error: { kind: 'bad-request', message: 'the message is not an object' } },
    ]);
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
      const refused: string[] = [];
      const main = mainProcess({
        dispatch: async (name) => calls.push(name),
        onRefused: (u) => refused.push(u),
      });
      const error = errorOf(await main.call(1, 'app.info', {}, new FakeSender(), url));
      expect(error.kind).toBe('forbidden');
      expect(error.message).toContain(url);
      expect(calls).toHaveLength(0);
      expect(refused).toEqual([url]);
    });

  it('refuses a call from a frame that is gone (senderFrame null)', async () => {
    const calls: unknown[] = [];
    const main = mainProcess({ dispatch: async (name) => calls.push(name) });
    expect(errorOf(await main.call(1, 'app.info', {}, new FakeSender(), null)).kind).toBe('forbidden');
    expect(calls).toHaveLength(0);
  });
});

describe('registerApi: events and cancelling', () => {
  it("sends a call's events to the calling page with the call's id", async () => {
    const main = mainProcess({
      dispatch: async (_name, _input, context) => {
        context.emit({ type: 'model.text', text: 'open_gripper()' });
        context.emit({ type: 'model.text', text: '\n' });
        return 'done';
      },
    });
    const sender = new FakeSender(4);
    expect(await main.call(17, 'models.test', {}, sender)).toEqual({ id: 17, result: 'done' });
    expect(main.replies(sender)).toEqual([
      { id: 17, event: { type: 'model.text', text: 'open_gripper()' } },
      { id: 17, event: { type: 'model.text', text: '\n' } },
      { id: 17, result: 'done' },
    ]);
  });

  it('passes the name and input to dispatch unchanged (dispatch validates them)', () => {
    const { calls, dispatch } = pendingDispatch();
    const main = mainProcess({ dispatch });
    main.send({ id: 1, call: 'episode.run', input: { task: 'x', seed: 2 } });
    expect(calls.map(({ name, input }) => ({ name, input }))).toEqual([
      { name: 'episode.run', input: { task: 'x', seed: 2 } },
    ]);
  });

  it("cancel fires the call's signal and the call ends as stopped", async () => {
    const { calls, dispatch } = pendingDispatch();
    const main = mainProcess({ dispatch });
    const sender = new FakeSender(1);
    const reply = main.call(5, 'generate.run', {}, sender);
    const signal = calls[0].context.signal;
    expect(signal.aborted).toBe(false);

    main.send({ cancel: 5 }, new FakeSender(2)); // another page's id 5: not this call
    main.send({ cancel: 5 }, sender, 'https://evil.example/'); // not from the app page
    expect(signal.aborted).toBe(false);

    main.send({ cancel: 5 }, sender);
    expect(signal.aborted).toBe(true);
    expect(await reply).toEqual({ id: 5, error: { kind: 'stopped', message: 'stopped' } });
  });

  it('refuses a second call with an id that is still running', async () => {
    const main = mainProcess({ dispatch: pendingDispatch().dispatch });
    const sender = new FakeSender(1);
    main.send({ id: 3, call: 'generate.run', input: {} }, sender);
    const error = errorOf(await main.call(3, 'app.info', {}, sender));
    expect(error.message).toBe('call id 3 is already running');
  });

  it("a page that reloads or closes stops its calls, not other pages' calls; a reloaded page can reuse ids", async () => {
    const { calls, dispatch } = pendingDispatch();
    const main = mainProcess({ dispatch });
    const page = new FakeSender(1);
    const other = new FakeSender(2);
    main.send({ id: 1, call: 'generate.run', input: {} }, page);
    main.send({ id: 1, call: 'generate.run', input: {} }, other);

    main.api.abortSender(1);
    expect(calls[0].context.signal.aborted).toBe(true);
    expect(calls[1].context.signal.aborted).toBe(false);
    // A stopped call's late progress must not reach the reloaded page.
    calls[0].context.emit({ type: 'model.text', text: 'late' });
    expect(main.replies(page).filter((r) => 'event' in r)).toEqual([]);

    main.send({ id: 1, call: 'generate.run', input: {} }, page);
    expect(calls).toHaveLength(3);
    expect(calls[2].context.signal.aborted).toBe(false);

    main.api.abortAll();
    expect(calls.every((c) => c.context.signal.aborted)).toBe(true);
  });

  it('does not send to a page that was destroyed mid-call', async () => {
    const sender = new FakeSender(1);
    let finished = false;
    const main = mainProcess({
      dispatch: async (_name, _input, context) => {
        sender.destroyed = true;
        context.emit({ type: 'model.text', text: 'nobody listens' });
        finished = true;
        return 1;
      },
    });
    main.send({ id: 1, call: 'x', input: {} }, sender);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(finished).toBe(true);
    expect(sender.sent).toEqual([]);
  });

  it('reports an unexpected failure as internal, with its message', async () => {
    const main = mainProcess({
      dispatch: async () => {
        throw new TypeError('boom');
      },
    });
    const reply = errorOf(await main.call(1, 'x', {}));
    expect(reply).toMatchObject({ kind: 'internal', message: 'unexpected error: boom' });
  });
});
