// Serves the built renderer on app://lab/: only files inside the renderer folder, each with the
// CSP header and no content sniffing. Plain Request -> Response, so it runs (and is tested) in Node.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY_HEADER } from '../api/shell-files.ts';
import { isAppUrl } from './app-origin.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', // module scripts are refused without a JavaScript type
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

/** The file an app:// URL names inside rendererDir, or undefined for anything outside it. */
export function appFilePath(rendererDir: string, url: string): string | undefined {
  if (!isAppUrl(url)) return undefined;
  let decoded: string;
  try {
    const { pathname } = new URL(url);
    decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return undefined;
  }
  // Normalising an absolute path removes every '..' at the root, so the result stays inside.
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const file = join(rendererDir, relative);
  if (relative === '' || relative.startsWith('..') || !file.startsWith(rendererDir + sep)) return undefined;
  return file;
}

export async function serveAppRequest(rendererDir: string, url: string): Promise<Response> {
  const file = appFilePath(rendererDir, url);
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !info?.isFile()) return new Response('not found', { status: 404 });
  return new Response(await readFile(file), {
    status: 200,
    headers: {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  });
}
