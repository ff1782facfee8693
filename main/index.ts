// The Electron main process: the one file (with preload/index.ts) that imports 'electron'. It only
// wires the tested pieces together: the app:// protocol, session and window policy, the api over
// IPC, the menu, and the app's lifecycle. Everything the lab does comes from core/ through api/.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { disposeResources } from '../api/resources.ts';
import { APP_PAGE_URL, APP_SCHEME } from './app-origin.ts';
import { serveAppRequest } from './app-protocol.ts';
import { registerApi, type RegisteredApi } from './ipc.ts';
import { menuTemplate } from './menu.ts';
import { PRELOAD_BUNDLE, UI_DIR } from '../api/shell-files.ts';
import { applySessionPolicy, applyWindowPolicy, secureWebPreferences } from './window-security.ts';

// Both must happen before 'ready'. A standard, secure scheme behaves like https for the page:
// module scripts, fetch and CSP 'self' work, and it is one origin.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

const openExternal = (url: string): Promise<void> => shell.openExternal(url);
let mainWindow: BrowserWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit(); // another lab is running; it comes to the front (below)
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  // Every web contents, not only the main window's: nothing may navigate or open windows.
  app.on('web-contents-created', (_event, contents) => applyWindowPolicy(contents, openExternal));
  app.whenReady().then(start, fail);
}

async function start(): Promise<void> {
  try {
    if (!existsSync(join(UI_DIR, 'index.html')))
      // A packaged app always ships the UI; a checkout builds it with npm install, npm start or npm run build.
      throw new Error(`the lab's UI is not built (no ${UI_DIR}/index.html): run npm run build`);
    applySessionPolicy(session.defaultSession);
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(UI_DIR, request.url));
    const api = registerApi(ipcMain, {
      onRefused: (url) => console.warn(`BLAZER Lab: refused an api call from ${url}`),
    });
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          appName: app.name,
          isPackaged: app.isPackaged,
          platform: process.platform,
          onAbout: showAbout,
        }),
      ),
    );
    handleQuit(api);
    mainWindow = await openWindow(api);
  } catch (err) {
    fail(err);
  }
}

async function openWindow(api: RegisteredApi): Promise<BrowserWindow> {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: app.name,
    show: false,
    backgroundColor: '#1d2430',
    webPreferences: secureWebPreferences(PRELOAD_BUNDLE),
  });
  window.once('ready-to-show', () => window.show());
  const contents = window.webContents;
  const id = contents.id; // still needed once the contents are destroyed
  // A reload or a closed window stops the page's running calls (a generation run, a model answer).
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) api.abortSender(id);
  });
  contents.on('render-process-gone', () => api.abortSender(id));
  contents.once('destroyed', () => api.abortSender(id));
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  await window.loadURL(APP_PAGE_URL);
  return window;
}

function handleQuit(api: RegisteredApi): void {
  // One window is the whole lab, on macOS too.
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => api.abortAll());
  // Quitting waits for the Python sandbox and the loaded model to be released.
  let disposed = false;
  app.on('will-quit', (event) => {
    if (disposed) return;
    event.preventDefault();
    disposeResources()
      .catch((err: unknown) => console.error('BLAZER Lab: releasing resources failed:', err))
      .finally(() => {
        disposed = true;
        app.quit();
      });
  });
}

function showAbout(): void {
  const options = {
    type: 'info' as const,
    title: `About ${app.name}`,
    message: `${app.name} ${app.getVersion()}`,
    detail: 'Bootstrap LLM robot manipulation agents offline: simulation, LLM robot programs, data.',
  };
  void (mainWindow ? dialog.showMessageBox(mainWindow, options) : dialog.showMessageBox(options));
}

function fail(err: unknown): void {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(`BLAZER Lab cannot start: ${message}`);
  dialog.showErrorBox('BLAZER Lab cannot start', message);
  app.exit(1);
}
