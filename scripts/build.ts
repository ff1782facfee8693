// `npm run build` (also run by `npm install` and `npm start`): everything the lab runs from dist/ —
// the UI (esbuild), the compiled JavaScript of every runtime folder (tsc), the files core/ loads
// that tsc does not emit (the Python runner, the lessons), the Electron preload bundle — then a stamp that
// bin/lab.js compares with the sources, so a stale build is never run.
//   tsx scripts/build.ts [--check]   --check: fail on a TypeScript error (packaging does)
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LAB_ROOT } from '../api/shell-files.ts';
import { buildRenderer } from './build-renderer.ts';
import { bundlePreload } from './bundle-preload.ts';

/** Written last: bin/lab.js runs dist/ only when no source file is newer than this. */
export const BUILD_STAMP = join(LAB_ROOT, 'dist', '.build-stamp');

/** tsc with tsconfig.build.json; resolves to whether it found no type errors (it emits regardless). */
function compile(): Promise<boolean> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: LAB_ROOT,
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** The files core/ loads at run time that tsc does not emit (the Python runner and its robot API). */
function copyRuntimeFiles(dir = join(LAB_ROOT, 'core')): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyRuntimeFiles(path);
    else if (!['.ts', '.md'].includes(extname(entry.name)))
      cpSync(path, join(LAB_ROOT, 'dist', relative(LAB_ROOT, path)));
  }
}

/** The course (lessons/*.md and their figures): core/lessons reads it beside the built modules. */
function copyLessons(): void {
  cpSync(join(LAB_ROOT, 'lessons'), join(LAB_ROOT, 'dist', 'lessons'), { recursive: true });
}

/** Build everything; resolves to whether the TypeScript compiled without type errors. */
export async function buildAll(): Promise<boolean> {
  await buildRenderer();
  const typesOk = await compile();
  copyRuntimeFiles();
  copyLessons();
  await bundlePreload();
  writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
  return typesOk;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const typesOk = await buildAll();
  if (!typesOk && process.argv.includes('--check')) {
    process.stderr.write('build: TypeScript reported errors (above)\n');
    process.exit(1);
  }
  process.stdout.write(`built the UI, the lab's JavaScript and the preload into ${join(LAB_ROOT, 'dist')}\n`);
}
