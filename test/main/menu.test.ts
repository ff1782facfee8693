// The application menu: Quit, zoom and reload for everyone, developer tools only in development.
import { describe, expect, it, vi } from 'vitest';
import { menuTemplate, type MenuItemSpec } from '../../main/menu.ts';

const roles = (items: MenuItemSpec[]): string[] =>
  items.flatMap((item) => [...(item.role ? [item.role] : []), ...roles(item.submenu ?? [])]);

const menu = (options: { isPackaged: boolean; platform?: string; onAbout?: () => void }) =>
  menuTemplate({ appName: 'BLAZER Lab', platform: 'linux', onAbout: () => {}, ...options });

describe('menuTemplate', () => {
  it('has File, Edit, View and Help with Quit, reload and zoom', () => {
    const template = menu({ isPackaged: true });
    expect(template.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Help']);
    expect(roles(template.slice(0, 1))).toEqual(['quit']);
    expect(roles(template)).toEqual(
      expect.arrayContaining(['reload', 'zoomIn', 'zoomOut', 'resetZoom', 'copy', 'paste']),
    );
  });

  it('offers developer tools only when not packaged', () => {
    expect(roles(menu({ isPackaged: true }))).not.toContain('toggleDevTools');
    expect(roles(menu({ isPackaged: false }))).toContain('toggleDevTools');
  });

  it('Help > About calls back', () => {
    const onAbout = vi.fn();
    const help = menu({ isPackaged: true, onAbout }).find((m) => m.label === 'Help')!;
    expect(help.submenu![0].label).toBe('About BLAZER Lab');
    help.submenu![0].click!();
    expect(onAbout).toHaveBeenCalledOnce();
  });

  it('on macOS starts with a menu named after the app holding About and Quit', () => {
    const [first] = menu({ isPackaged: true, platform: 'darwin' });
    expect(first.label).toBe('BLAZER Lab');
    expect(first.submenu!.map((i) => i.label ?? i.role ?? i.type)).toEqual([
      'About BLAZER Lab',
      'separator',
      'quit',
    ]);
  });
});
