// Placeholder until the dataset branch's safe writer lands: write beside, then rename.
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomically(path: string, data: string): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, data, { flag: 'wx' });
  renameSync(temp, path);
}
