// The Electron preload as one CommonJS file that requires nothing but 'electron': a sandboxed
// preload cannot import local ESM files.
import { build } from 'esbuild';
import { join } from 'node:path';
import { LAB_ROOT, PRELOAD_BUNDLE } from '../api/shell-files.ts';

export async function bundlePreload(outfile = PRELOAD_BUNDLE): Promise<string> {
  await build({
    entryPoints: [join(LAB_ROOT, 'preload', 'index.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
