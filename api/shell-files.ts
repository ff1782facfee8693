// What every host of the lab UI shares (the Electron shell, the web server, the UI build): where
// the built UI lives and the Content Security Policy it runs under. One string for every place
// that sets the policy: the page's meta tag (built into index.html), the web server's header and
// the Electron session. Only the app's own scripts and styles run; connections go to the app's own
// origin (its WebSocket) only.
import { join } from 'node:path';
import { projectRoot } from '../core/paths.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** The header form adds what a meta tag cannot carry (browsers ignore frame-ancestors there). */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

/** The built UI (index.html and its assets), written by `npm run build:ui` (scripts/build-renderer.ts). */
export const UI_DIR = join(projectRoot, 'dist', 'ui');

/** The Electron preload as one CommonJS file: a sandboxed preload cannot import local ESM files. */
export const PRELOAD_BUNDLE = join(projectRoot, 'dist', 'preload', 'index.cjs');

/** The lab's install folder, for shells that start helpers from it. */
export const LAB_ROOT = projectRoot;
