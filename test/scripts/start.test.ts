// `npm start` (scripts/start.ts): when Electron can start, and what a person sees when it cannot —
// one line saying why, then the same UI served to a browser. With a fake Electron binary that fails
// at start-up it also builds the desktop shell, and the built main process is then run in plain
// Node against a fake 'electron' module, as far as it goes without a real window.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { electronBinaryPath, electronLaunchProblem, portFromEnv } from '../../scripts/start.ts';
import { CONTENT_SECURITY_POLICY_HEADER } from '../../api/shell-files.ts';
import { tempDir } from '../helpers.ts';
import { bundlePreload } from '../../scripts/bundle-preload.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('electronLaunchProblem', () => {
  const exists = (path: string) => path === '/e/dist/electron';
  const check = (platform: string, env: Record<string, string>, electronPath?: string) =>
    electronLaunchProblem({ platform, env, electronPath, exists });

  it('names a missing binary first', () => {
    expect(check('linux', { DISPLAY: ':0' }, undefined)).toBe('no Electron binary downloaded');
    expect(check('linux', { DISPLAY: ':0' }, '/e/dist/gone')).toBe('no Electron binary downloaded');
    expect(check('win32', {}, undefined)).toBe('no Electron binary downloaded');
  });

  it('needs a display on Linux (X11 or Wayland)', () => {
    expect(check('linux', {}, '/e/dist/electron')).toBe(
      'no display: neither $DISPLAY nor $WAYLAND_DISPLAY is set',
    );
    expect(check('linux', { DISPLAY: '' }, '/e/dist/electron')).toMatch(/^no display/);
    expect(check('freebsd', {}, '/e/dist/electron')).toMatch(/^no display/);
    expect(check('linux', { DISPLAY: ':0' }, '/e/dist/electron')).toBeUndefined();
    expect(check('linux', { WAYLAND_DISPLAY: 'wayland-0' }, '/e/dist/electron')).toBeUndefined();
  });

  it('does not ask for a display on Windows or macOS', () => {
    expect(check('win32', {}, '/e/dist/electron')).toBeUndefined();
    expect(check('darwin', {}, '/e/dist/electron')).toBeUndefined();
  });
});

describe('electronBinaryPath', () => {
  it("reads the package's path.txt as require('electron') does, without downloading", () => {
    const dir = tempDir();
    const files: Record<string, string> = { [join(dir, 'path.txt')]: 'electron\n' };
    expect(electronBinaryPath(dir, {}, (p) => files[p])).toBe(join(dir, 'dist', 'electron'));
    expect(electronBinaryPath(dir, {}, () => undefined)).toBeUndefined();
    expect(electronBinaryPath(undefined, {}, (p) => files[p])).toBeUndefined();
    expect(electronBinaryPath(dir, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/e' }, () => undefined)).toBe(
      '/opt/e/electron',
    );
  });
});

describe('portFromEnv', () => {
  it('defaults to 8080 and refuses what is not a port', () => {
    expect(portFromEnv({})).toBe(8080);
    expect(portFromEnv({ PORT: '9000' })).toBe(9000);
    expect(() => portFromEnv({ PORT: 'http' })).toThrow("PORT must be a port number 0-65535, not 'http'");
    expect(() => portFromEnv({ PORT: '70000' })).toThrow(/PORT/);
  });
});

/** Run a CommonJS preload bundle as a sandboxed preload would, with only 'electron' to require. */
function runPreload(code: string): { required: string[]; exposed: Map<string, unknown> } {
  const required: string[] = [];
  const exposed = new Map<string, unknown>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: { invoke: async () => ({}), send: () => {}, on: () => {}, removeListener: () => {} },
  };
  const module = { exports: {} };
  const require = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require '${name}'`);
    return electron;
  };
  runInNewContext(code, { require, module, exports: module.exports });
  return { required, exposed };
}

describe('bundlePreload', () => {
  it('makes one CommonJS file that requires only electron and exposes window.lab', async () => {
    const file = await bundlePreload(join(tempDir(), 'index.cjs'));
    const { required, exposed } = runPreload(readFileSync(file, 'utf8'));
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['lab']);
    expect(Object.keys(exposed.get('lab') as object).sort()).toEqual(['onReply', 'send']);
  });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  /** The line's URL once the server says where it is. */
  openUrl: Promise<string>;
  exit: Promise<number | null>;
}

/** `tsx scripts/start.ts` as `npm start` runs it, with no display unless env gives one. */
function start(env: Record<string, string>): Started {
  const base = { ...process.env };
  delete base.DISPLAY;
  delete base.WAYLAND_DISPLAY;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...base, PORT: '0', BLAZER_LAB_HOME: tempDir(), ...env },
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const openUrl = new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /^open: (\S+)$/m.exec(text);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', look);
    void exit.then(() => reject(new Error(`start exited before serving:\n${text}`)));
  });
  return { child, output: () => text, openUrl, exit };
}

async function expectServedUi(openUrl: string): Promise<void> {
  const url = new URL(openUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  expect(token).toBeTruthy();
  const page = await fetch(new URL('/', url));
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root"></div>');
  const info = await fetch(new URL('/api/app.info', url), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: '{}',
  });
  expect(((await info.json()) as { result: { name: string } }).result.name).toBe('BLAZER Lab');
}

async function stop(started: Started): Promise<void> {
  started.child.kill('SIGINT');
  expect(await started.exit).toBe(0);
}

describe('npm start where Electron cannot start', () => {
  it('says there is no Electron binary and serves the UI to a browser until interrupted', async () => {
    const started = start({ ELECTRON_OVERRIDE_DIST_PATH: tempDir() });
    try {
      await expectServedUi(await started.openUrl);
      expect(started.output().split('\n')[0]).toBe(
        'Electron cannot start here (no Electron binary downloaded): serving the same UI to your browser instead',
      );
    } finally {
      await stop(started);
    }
  });

  it('builds the desktop shell, sees Electron fail at start-up, and serves instead', async () => {
    const fakeDist = tempDir();
    writeFileSync(
      join(fakeDist, 'electron'),
      '#!/bin/sh\necho "fake electron: cannot open display" >&2\nexit 3\n',
    );
    chmodSync(join(fakeDist, 'electron'), 0o755);
    const started = start({ ELECTRON_OVERRIDE_DIST_PATH: fakeDist, DISPLAY: ':99' });
    try {
      await expectServedUi(await started.openUrl);
      expect(started.output()).toContain('fake electron: cannot open display');
      expect(started.output()).toContain(
        'Electron cannot start here (Electron exited at start-up with code 3): serving the same UI to your browser instead',
      );
    } finally {
      await stop(started);
    }
  });

  it('left a main process (package.json "main") that loads the app page and answers api calls', () => {
    const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string }).main;
    const run = spawnSync(
      process.execPath,
      ['--import', join(ROOT, 'test/main/fixtures/electron-hooks.mjs'), join(ROOT, main)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BLAZER_LAB_HOME: tempDir() }, timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(report.url).toBe('app://lab/index.html');
    expect(report.schemes[0]).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
    expect(report.preload).toBe(join(ROOT, 'dist/preload/index.cjs'));
    expect(report.preloadExists).toBe(true);
    expect(report.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(report.page).toMatchObject({ status: 200, csp: CONTENT_SECURITY_POLICY_HEADER });
    expect(report.page.html).toContain('<script type="module" src="./app.js"></script>');
    expect(report.script).toEqual({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(report.appInfo.result.name).toBe('BLAZER Lab');
    expect(report.tasks.result.length).toBeGreaterThan(10);
    expect(report.foreign.error.kind).toBe('forbidden');

    const { required, exposed } = runPreload(readFileSync(report.preload, 'utf8'));
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['lab']);
  });
});
