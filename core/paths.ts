// Where the project's own files live, whether running from source (tsx) or from dist/ (built).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'assets', 'arms'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('BLAZER Lab assets/ folder not found next to the installed code');
}

export const projectRoot = findProjectRoot();
export const assetsDir = join(projectRoot, 'assets');
