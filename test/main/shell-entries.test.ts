// The two files that import 'electron', run against a mocked module (the real one would try to
// download its binary): the main entry wires the tested pieces as intended, the preload exposes
// window.lab and nothing else.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { disposeResources } from '../../api/resources.ts';
import type { IpcEventLike } from '../../main/ipc.ts';

// A loaded machine (a CI runner, tests in parallel) may take seconds to load the lab's modules.
const SLOW_MACHINE = { timeout: 15_000 };

const fake = await vi.hoisted(async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const rendererDir = mkdtempSync(join(tmpdir(), 'blazer-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>BLAZER Lab</title>');
  process.env.BLAZER_LAB_HOME = mkdtempSync(join(tmpdir(), 'blazer-home-'));

  type Fn = (...args: never[]) => unknown;
  const appListeners = new Map<string, Fn[]>();
  const windows: { options: Record<string, unknown>; urls: string[] }[] = [];
  const state = {
    rendererDir,
    appListeners,
    windows,
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
    ipcHandlers: new Map<string, Fn>(),
    exposed: new Map<string, unknown>(),
    sandboxEnabled: false,
    menu: undefined as unknown,
    quits: 0,
    permissionRequestHandler: undefined as unknown,
  };
  class BrowserWindow {
    readonly webContents = { id: 7, on: () => {}, once: () => {} };
    private readonly record: { options: Record<string, unknown>; urls: string[] };
    constructor(options: Record<string, unknown>) {
      this.record = { options, urls: [] };
      windows.push(this.record);
    }
    once() {}
    on() {}
    async loadURL(url: string) {
      this.record.urls.push(url);
    }
  }
  const electron = {
    app: {
      name: 'BLAZER Lab',
      isPackaged: false,
      getVersion: () => '0.1.0',
      enableSandbox: () => (state.sandboxEnabled = true),
      requestSingleInstanceLock: () => true,
      on: (name: string, listener: Fn) =>
        appListeners.set(name, [...(appListeners.get(name) ?? []), listener]),
      whenReady: () => Promise.resolve(),
      quit: () => state.quits++,
      exit: () => {},
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.schemes.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) =>
        state.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: unknown) => (state.permissionRequestHandler = handler),
        setPermissionCheckHandler: () => {},
        webRequest: { onHeadersReceived: () => {} },
      },
    },
    ipcMain: {
      handle: (channel: string, handler: Fn) => state.ipcHandlers.set(channel, handler),
      on: (channel: string, handler: Fn) => state.ipcHandlers.set(channel, handler),
    },
    ipcRenderer: { invoke: async () => ({}), send: () => {}, on: () => {}, removeListener: () => {} },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => state.exposed.set(key, api) },
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (m: unknown) => (state.menu = m),
    },
    shell: { openExternal: async () => {} },
    dialog: { showErrorBox: () => {}, showMessageBox: async () => ({}) },
    BrowserWindow,
  };
  return { state, electron };
});

vi.mock('electron', () => fake.electron);
vi.mock('../../api/shell-files.ts', async (original) => ({
  ...(await original<typeof import('../../api/shell-files.ts')>()),
  UI_DIR: fake.state.rendererDir,
  PRELOAD_BUNDLE: '/lab/dist/preload/index.cjs',
}));

afterAll(() => disposeResources());

describe('main/index.ts', async () => {
  await import('../../main/index.ts');
  const { state } = fake;
  await vi.waitFor(() => expect(state.windows[0]?.urls).toEqual(['app://lab/index.html']), SLOW_MACHINE);

  it('registers app:// as a standard, secure scheme and enables the sandbox before ready', () => {
    expect(state.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(state.sandboxEnabled).toBe(true);
  });

  it('opens one hardened window on the app page, with the bundled preload', () => {
    expect(state.windows).toHaveLength(1);
    expect(state.windows[0].options.webPreferences).toMatchObject({
      preload: '/lab/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
  });

  it('serves the renderer folder on app://lab/', async () => {
    const response = await state.protocolHandlers.get('app')!({ url: 'app://lab/index.html' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>BLAZER Lab</title>');
  });

  it('answers api calls from the app page and refuses (and logs) others', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const call = state.ipcHandlers.get('lab:call') as (event: IpcEventLike, message: unknown) => void;
    const replies: unknown[] = [];
    const sender = {
      id: 7,
      send: (_channel: string, reply: unknown) => replies.push(reply),
      isDestroyed: () => false,
    };
    call({ sender, senderFrame: { url: 'app://lab/index.html' } }, { id: 1, call: 'app.info', input: {} });
    await vi.waitFor(
      () => expect(replies).toMatchObject([{ id: 1, result: { name: 'BLAZER Lab' } }]),
      SLOW_MACHINE,
    );
    call({ sender, senderFrame: { url: 'https://evil.example/' } }, { id: 2, call: 'app.info', input: {} });
    expect(replies[1]).toMatchObject({ id: 2, error: { kind: 'forbidden' } });
    expect(warn).toHaveBeenCalledWith('BLAZER Lab: refused an api call from https://evil.example/');
    warn.mockRestore();
  });

  it('denies permissions, sets the menu and guards every new web contents', () => {
    const callback = vi.fn();
    (state.permissionRequestHandler as (wc: unknown, p: string, cb: (granted: boolean) => void) => void)(
      {},
      'media',
      callback,
    );
    expect(callback).toHaveBeenCalledWith(false);
    expect((state.menu as { label: string }[]).map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Help']);
    expect(state.appListeners.has('web-contents-created')).toBe(true);
    expect(state.appListeners.has('second-instance')).toBe(true);
  });

  it('holds the quit until resources are released, then quits', async () => {
    const [willQuit] = state.appListeners.get('will-quit') as ((event: { preventDefault(): void }) => void)[];
    const preventDefault = vi.fn();
    willQuit({ preventDefault });
    expect(preventDefault).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(state.quits).toBe(1), SLOW_MACHINE);
    const again = vi.fn();
    willQuit({ preventDefault: again }); // the second time round the quit goes through
    expect(again).not.toHaveBeenCalled();
  });
});

describe('preload/index.ts', () => {
  it('exposes window.lab as the bridge, and nothing else', async () => {
    await import('../../preload/index.ts');
    expect([...fake.state.exposed.keys()]).toEqual(['lab']);
    expect(Object.keys(fake.state.exposed.get('lab') as object).sort()).toEqual(['onReply', 'send']);
  });
});
