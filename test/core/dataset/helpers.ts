// Shared set-up for the dataset tests: episodes, filled datasets, and fingerprints of a folder
// (every file's name and hash) to show that something was left exactly as it was.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../../../core/dataset/open-dataset.ts';
import { EpisodeStore, type EpisodeRecord } from '../../../core/dataset/episode-store.ts';

export function episode(
  seed: number,
  sample: number,
  success: boolean,
  extra: Partial<EpisodeRecord> = {},
): EpisodeRecord {
  return {
    task: 'put_block_in_bin',
    split: 'train',
    arm: 'panda',
    seed,
    sample,
    instruction: 'put the red block in the bin',
    scene: { version: 1, objects: [] },
    prompt: [
      { role: 'system', content: 'You control a robot arm.' },
      { role: 'user', content: `Task: put the red block in the bin (scene ${seed})` },
    ],
    answer: success ? '```python\nopen_gripper()\n```' : '```python\nclose_gripper()\n```',
    format: 'code',
    program: success ? 'open_gripper()\n' : 'close_gripper()\n',
    trace: [],
    success,
    reason: success ? 'in the bin' : 'outside the bin',
    ...(success ? {} : { failureKind: 'task-failed', failure: 'outside the bin' }),
    model: 'local:tiny.gguf',
    simSeconds: 1,
    wallSeconds: 0.1,
    ...extra,
  };
}

/**
 * A dataset at `path` with `count` episodes: seeds 0.., two samples a scene, one in four failing;
 * `reason` makes every row longer (an export of many bytes).
 */
export function fillDataset(
  path: string,
  count: number,
  options: { upTo?: number; key?: string; reason?: string } = {},
): void {
  const db = openDataset(path, { upTo: options.upTo });
  const store = new EpisodeStore(db);
  const run = store.startRun({
    key: options.key ?? 'fill',
    config: {},
    teacher: 'tiny',
    codeVersion: 'test',
  });
  db.transaction(() => {
    for (let i = 0; i < count; i++)
      store.addEpisode(
        run,
        episode(i >> 1, i & 1, i % 4 !== 1, options.reason ? { reason: options.reason } : {}),
      );
  })();
  store.finishRun(run, 'done');
  db.close();
}

/** Every entry in `dir` by name, with the SHA-256 of a file's bytes, or what else it is. */
export function fingerprint(dir: string): Record<string, string> {
  const hash = (path: string): string => {
    const stats = lstatSync(path); // never read a fifo (it would block) or follow a link
    if (stats.isFile()) return createHash('sha256').update(readFileSync(path)).digest('hex');
    return stats.isDirectory()
      ? 'folder'
      : stats.isSymbolicLink()
        ? `link to ${readlinkSync(path)}`
        : 'special';
  };
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, hash(join(dir, name))]),
  );
}
