// The application menu as plain data (Electron's Menu.buildFromTemplate takes it as it is).
// Developer tools only in a development run: a packaged lab has no console for a page to abuse.

export type MenuRole =
  | 'quit'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen';

export interface MenuItemSpec {
  label?: string;
  role?: MenuRole;
  type?: 'separator';
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface MenuOptions {
  appName: string;
  isPackaged: boolean;
  /** process.platform: macOS puts Quit and About under a menu named after the app. */
  platform: string;
  onAbout: () => void;
}

const separator: MenuItemSpec = { type: 'separator' };

export function menuTemplate({ appName, isPackaged, platform, onAbout }: MenuOptions): MenuItemSpec[] {
  const about: MenuItemSpec = { label: `About ${appName}`, click: onAbout };
  const mac = platform === 'darwin';
  const view: MenuItemSpec[] = [
    { role: 'reload' },
    ...(isPackaged ? [] : [{ role: 'forceReload' } as const, { role: 'toggleDevTools' } as const]),
    separator,
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    separator,
    { role: 'togglefullscreen' },
  ];
  return [
    ...(mac ? [{ label: appName, submenu: [about, separator, { role: 'quit' as const }] }] : []),
    { label: 'File', submenu: [{ role: 'quit' }] },
    // Without Edit roles, copy and paste do not work in text fields on macOS (the program editor).
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        separator,
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: view },
    { label: 'Help', submenu: [about] },
  ];
}
