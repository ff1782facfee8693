// The JSONL files a trainer is given must be there before anything starts (an upload, a process).
import { access } from 'node:fs/promises';
import { TrainError } from './errors.ts';

export async function requireDataFiles(...paths: (string | undefined)[]): Promise<void> {
  for (const path of paths) {
    if (path === undefined) continue;
    try {
      await access(path);
    } catch {
      throw new TrainError(`the training data file ${path} does not exist`);
    }
  }
}
