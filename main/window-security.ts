// The window's hardening as plain data and functions (the Electron entry wires them; tests call
// them): renderer isolation, navigation and pop-up policy, no permissions, the CSP header.
import { CONTENT_SECURITY_POLICY_HEADER } from '../api/shell-files.ts';
import { isAppUrl } from './app-origin.ts';

/** BrowserWindow webPreferences: no Node in the page, the preload isolated and sandboxed. */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false, // a file dropped on the window must not replace the app
    spellcheck: false, // the spellchecker downloads dictionaries
  } as const;
}

export type LinkDecision = 'stay' | 'open-externally' | 'deny';

/** Where a link may go: the app's own pages stay in the window, https opens in the browser, nothing else. */
export function decideLink(url: string): LinkDecision {
  if (isAppUrl(url)) return 'stay';
  try {
    return new URL(url).protocol === 'https:' ? 'open-externally' : 'deny';
  } catch {
    return 'deny';
  }
}

export type OpenExternal = (url: string) => Promise<void> | void;

function openOutside(openExternal: OpenExternal, url: string): void {
  // The browser failing to open is not the app's failure; nothing to recover.
  Promise.resolve()
    .then(() => openExternal(url))
    .catch(() => {});
}

export interface NavigationEventLike {
  readonly url: string;
  preventDefault(): void;
}

/** For 'will-navigate' and 'will-redirect': the window only ever shows the app's own page. */
export function guardNavigation(openExternal: OpenExternal): (event: NavigationEventLike) => void {
  return (event) => {
    const decision = decideLink(event.url);
    if (decision === 'stay') return;
    event.preventDefault();
    if (decision === 'open-externally') openOutside(openExternal, event.url);
  };
}

/** For setWindowOpenHandler: no new windows ever; https links open in the browser instead. */
export function windowOpenPolicy(
  openExternal: OpenExternal,
): (details: { url: string }) => { action: 'deny' } {
  return ({ url }) => {
    if (decideLink(url) === 'open-externally') openOutside(openExternal, url);
    return { action: 'deny' };
  };
}

export interface HeadersDetails {
  responseHeaders?: Record<string, string[]>;
}

export interface HeadersResponse {
  responseHeaders?: Record<string, string | string[]>;
}

/** For session.webRequest.onHeadersReceived: every response carries the app's CSP (any other is replaced). */
export function injectContentSecurityPolicy(
  details: HeadersDetails,
  callback: (response: HeadersResponse) => void,
): void {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(details.responseHeaders ?? {}))
    if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
  headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY_HEADER];
  callback({ responseHeaders: headers });
}

/** The parts of Electron's Session the policy sets. */
export interface SessionLike {
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (details: HeadersDetails, callback: (response: HeadersResponse) => void) => void,
    ): void;
  };
}

/** No camera, microphone, notifications, serial from the page...: the lab asks for none of them. */
export function applySessionPolicy(session: SessionLike): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived(injectContentSecurityPolicy);
}

/** The parts of Electron's WebContents the policy sets. */
export interface WebContentsLike {
  on(event: 'will-navigate', listener: (event: NavigationEventLike) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEventLike) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function applyWindowPolicy(webContents: WebContentsLike, openExternal: OpenExternal): void {
  const guard = guardNavigation(openExternal);
  webContents.on('will-navigate', guard);
  webContents.on('will-redirect', guard);
  webContents.setWindowOpenHandler(windowOpenPolicy(openExternal));
}
