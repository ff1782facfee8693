#!/usr/bin/env node
// The `lab` command: runs the built JavaScript (dist/, made by `npm install` or `npm run build`)
// when it is at least as new as every source file, otherwise the TypeScript sources through tsx.
// A stale build is never run; BLAZER_LAB_SOURCES=1 always runs the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['api', 'cli', 'core', 'server', 'tasks', 'lessons'];

/** The newest modification time under the runtime source folders, in ms. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return; // an install without sources runs its build
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCES) walk(join(root, dir));
  return newest;
}

function builtAndFresh() {
  if (process.env.BLAZER_LAB_SOURCES) return false;
  const stamp = join(root, 'dist', '.build-stamp');
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'cli', 'main.js'))) return false;
  return statSync(stamp).mtimeMs >= newestSource();
}

if (builtAndFresh()) {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../cli/main.ts', import.meta.url).href);
}
