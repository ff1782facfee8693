// The app's own origin. The renderer is served from a privileged custom scheme rather than file://
// because on file:// the CSP's 'self' matches every local file, and any file:// frame would pass an
// origin check; app://lab/ is one origin that serves one folder.
export const APP_SCHEME = 'app';
export const APP_HOST = 'lab';
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Whether a URL belongs to the app's own pages (parsed, so `app://lab.evil/` or `app://x@lab/` do not pass). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}
