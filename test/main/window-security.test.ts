// The window's hardening: isolation settings, where links may go, no pop-ups, no permissions, the
// CSP on every response, and the app:// protocol serving only the renderer folder.
import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applySessionPolicy,
  applyWindowPolicy,
  decideLink,
  guardNavigation,
  injectContentSecurityPolicy,
  secureWebPreferences,
  windowOpenPolicy,
  type HeadersResponse,
  type NavigationEventLike,
  type SessionLike,
  type WebContentsLike,
} from '../../main/window-security.ts';
import { appFilePath, serveAppRequest } from '../../main/app-protocol.ts';
import { APP_PAGE_URL, isAppUrl } from '../../main/app-origin.ts';
import { CONTENT_SECURITY_POLICY_HEADER } from '../../api/shell-files.ts';
import { tempDir } from '../helpers.ts';

function navigation(url: string): NavigationEventLike & { prevented: boolean } {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

/** Let openExternal's promise chain run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the page, with no Node and the given preload', () => {
    const prefs = secureWebPreferences('/app/dist/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('navigation and window.open', () => {
  it('the app page is its own origin; lookalikes are not', () => {
    expect(isAppUrl(APP_PAGE_URL)).toBe(true);
    expect(isAppUrl('app://lab/app.js')).toBe(true);
    for (const url of ['app://lab.evil/', 'app://x@lab/', 'app://evil/', 'file:///index.html', 'not a url'])
      expect(isAppUrl(url)).toBe(false);
  });

  it('lets the window reload its own page', () => {
    const event = navigation('app://lab/index.html');
    guardNavigation(vi.fn())(event);
    expect(event.prevented).toBe(false);
  });

  it('keeps a foreign https page out of the window and opens it in the browser', async () => {
    const openExternal = vi.fn();
    const event = navigation('https://evil.example/phish');
    guardNavigation(openExternal)(event);
    expect(event.prevented).toBe(true);
    await settle();
    expect(openExternal).toHaveBeenCalledWith('https://evil.example/phish');
  });

  it('denies navigation to http, file and javascript URLs without opening anything', async () => {
    const openExternal = vi.fn();
    for (const url of [
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
    ]) {
      const event = navigation(url);
      guardNavigation(openExternal)(event);
      expect(event.prevented, url).toBe(true);
    }
    await settle();
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('denies every window.open, opening only https links in the browser', async () => {
    const openExternal = vi.fn();
    const policy = windowOpenPolicy(openExternal);
    expect(policy({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' });
    expect(policy({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(policy({ url: 'app://lab/index.html' })).toEqual({ action: 'deny' });
    expect(policy({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    await settle();
    expect(openExternal.mock.calls).toEqual([['https://example.com/docs']]);
  });

  it('survives the browser failing to open a link', async () => {
    const openExternal = vi.fn(() => Promise.reject(new Error('no browser')));
    expect(windowOpenPolicy(openExternal)({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    await settle();
    expect(decideLink('https://example.com/')).toBe('open-externally');
  });

  it('applyWindowPolicy guards will-navigate and will-redirect and sets the window open handler', () => {
    const on = new Map<string, (event: NavigationEventLike) => void>();
    let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
    const contents: WebContentsLike = {
      on: (name: string, listener: (event: NavigationEventLike) => void) => on.set(name, listener),
      setWindowOpenHandler: (handler) => (openHandler = handler),
    };
    applyWindowPolicy(contents, vi.fn());
    expect([...on.keys()].sort()).toEqual(['will-navigate', 'will-redirect']);
    for (const listener of on.values()) {
      const event = navigation('https://evil.example/');
      listener(event);
      expect(event.prevented).toBe(true);
    }
    expect(openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('session policy', () => {
  function fakeSession() {
    const session = {
      request: undefined as
        undefined | ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void),
      check: undefined as undefined | (() => boolean),
      headers: undefined as
        | undefined
        | ((
            details: { responseHeaders?: Record<string, string[]> },
            cb: (r: HeadersResponse) => void,
          ) => void),
    };
    const like: SessionLike = {
      setPermissionRequestHandler: (handler) => (session.request = handler),
      setPermissionCheckHandler: (handler) => (session.check = handler),
      webRequest: { onHeadersReceived: (listener) => (session.headers = listener) },
    };
    applySessionPolicy(like);
    return session;
  }

  it('denies every permission request and check', () => {
    const session = fakeSession();
    for (const permission of ['media', 'geolocation', 'notifications', 'serial', 'openExternal']) {
      const callback = vi.fn();
      session.request!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(session.check!()).toBe(false);
  });

  it('puts the CSP header on every response, replacing a weaker one and keeping the rest', () => {
    const session = fakeSession();
    let response: HeadersResponse | undefined;
    session.headers!(
      {
        responseHeaders: {
          'content-security-policy': ["default-src *; script-src 'unsafe-inline'"],
          'Content-Type': ['text/html'],
        },
      },
      (r) => (response = r),
    );
    expect(response?.responseHeaders).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER],
    });
    expect(CONTENT_SECURITY_POLICY_HEADER).toContain("script-src 'self'");
  });

  it('adds the CSP header to a response that had no headers', () => {
    let response: HeadersResponse | undefined;
    injectContentSecurityPolicy({}, (r) => (response = r));
    expect(response).toEqual({
      responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER] },
    });
  });
});

describe('app:// protocol', () => {
  const root = tempDir();
  const rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>BLAZER Lab</title>');
  writeFileSync(join(rendererDir, 'app.js'), 'console.log(1)');
  writeFileSync(join(rendererDir, 'assets', 'icon.svg'), '<svg/>');
  writeFileSync(join(root, 'secret.txt'), 'beside the renderer folder');

  it('serves the page with the CSP header and the right types', async () => {
    const page = await serveAppRequest(rendererDir, APP_PAGE_URL);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>BLAZER Lab</title>');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY_HEADER);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const root = await serveAppRequest(rendererDir, 'app://lab/');
    expect(await root.text()).toContain('BLAZER Lab');
    const script = await serveAppRequest(rendererDir, 'app://lab/app.js?v=1');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await serveAppRequest(rendererDir, 'app://lab/assets/icon.svg')).status).toBe(200);
  });

  it('serves nothing outside the renderer folder, missing or from another host', async () => {
    for (const url of [
      'app://lab/../secret.txt',
      'app://lab/%2e%2e/secret.txt',
      'app://lab/..%2fsecret.txt',
      'app://lab/assets/..%2f..%2fsecret.txt',
      'app://lab/missing.js',
      'app://lab/assets',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      const response = await serveAppRequest(rendererDir, url);
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('beside the renderer folder');
    }
    expect(appFilePath(rendererDir, 'app://lab/%E0%A4%A')).toBeUndefined(); // malformed escape
  });
});
