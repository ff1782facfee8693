// Collect the files a model on disk may reference (includes, meshes, textures) so they can be
// handed to MuJoCo's virtual file system with their paths relative to the model's folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const MODEL_FILE = /\.(xml|mjcf|stl|obj|msh|png|skn|hfield|bin)$/i;
const MAX_DEPTH = 4;
const MAX_TOTAL_BYTES = 512 * 1024 * 1024;

export function collectModelFiles(folder: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  let total = 0;
  const walk = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) walk(path, depth + 1);
      } else if (MODEL_FILE.test(entry.name)) {
        total += statSync(path).size;
        if (total > MAX_TOTAL_BYTES) return;
        files[relative(folder, path).split(sep).join('/')] = readFileSync(path);
      }
    }
  };
  walk(folder, 0);
  return files;
}
