// Where the project's own files live, whether running from source (tsx) or from dist/ (built).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
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

/** Where the lab keeps its own files (model registry, datasets): $BLAZER_LAB_HOME or ~/.blazer-lab. */
export function labHome(): string {
  return process.env.BLAZER_LAB_HOME ?? join(homedir(), '.blazer-lab');
}
