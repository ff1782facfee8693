// bench/dataset: the dataset at a million episodes, against a plain SQLite query in the same run.
//  1. inserts per second: one transaction per episode (as a generation run writes), and bulk.
//  2. the browse query (filter by task and success, newest first, 100 rows, a deep keyset page):
//     p50 and p95, against a primary-key range query of 100 rows as the anchor. Goal p95 < 10 ms.
//  3. generation throughput with the scripted solver, 1 worker against 2 (goal >= 1.8x).
// Run: npm run bench:dataset [-- --episodes N]  (default 1,000,000; the file goes to the temp folder)
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { rmSync } from 'node:fs';
import { openDataset } from '../../core/dataset/open-dataset.ts';
import { EpisodeStore, type EpisodeRecord } from '../../core/dataset/episode-store.ts';
import { generate } from '../../core/generate/generate.ts';
import { seededRandom } from '../../core/random.ts';
import { synthetic as syntheticEpisode, TASKS } from './synthetic.ts';
import { numberFlag } from '../flags.ts';

const total = numberFlag('episodes', 1_000_000);
const path = join(tmpdir(), `blazer-bench-${process.pid}.sqlite`);
const random = seededRandom(42);
const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const synthetic = (i: number): EpisodeRecord => syntheticEpisode(i, random);

rmSync(path, { force: true });
const db = openDataset(path);
const store = new EpisodeStore(db);
const run = store.startRun({ key: 'bench', config: {}, teacher: 'synthetic', codeVersion: 'bench' });
const start0 = Date.now() - total * 10; // ten milliseconds apart, like a busy lab

// 1. inserts
const single = Math.min(20_000, total);
let t = performance.now();
for (let i = 0; i < single; i++) store.addEpisode(run, synthetic(i), start0 + i * 10);
const singleRate = single / ((performance.now() - t) / 1000);
t = performance.now();
const batch = db.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) store.addEpisode(run, synthetic(i), start0 + i * 10);
});
for (let i = single; i < total; i += 50_000) batch(i, Math.min(total, i + 50_000));
const bulkRate = (total - single) / ((performance.now() - t) / 1000);
db.pragma('wal_checkpoint(TRUNCATE)');
db.exec('ANALYZE');
console.log(
  `1. ${total.toLocaleString('en-US')} episodes: ${singleRate.toFixed(0)} inserts/s one transaction each, ${bulkRate.toFixed(0)} inserts/s in bulk`,
);

// 2. browse: deep keyset pages
const browse: number[] = [];
const anchor: number[] = [];
const pk = db.prepare(
  'SELECT id, task, success, created_at FROM episodes WHERE id > ? ORDER BY id LIMIT 100',
);
for (let q = 0; q < 300; q++) {
  const depth = Math.floor(total * (0.5 + 0.45 * random())); // deep in the list
  const task = TASKS[q % TASKS.length];
  const after = { createdAt: start0 + depth * 10, id: depth };
  let s = performance.now();
  const page = store.list({ task, success: q % 2 === 0 }, { limit: 100, after });
  browse.push(performance.now() - s);
  if (page.rows.length === 0) throw new Error('empty page');
  s = performance.now();
  pk.all(depth);
  anchor.push(performance.now() - s);
}
console.log(
  `2. browse (task + success, newest first, 100 rows, deep page): p50 ${percentile(browse, 0.5).toFixed(2)} ms, p95 ${percentile(browse, 0.95).toFixed(2)} ms (goal < 10); ` +
    `anchor primary-key page p50 ${percentile(anchor, 0.5).toFixed(2)} ms; ratio p50 ${(percentile(browse, 0.5) / percentile(anchor, 0.5)).toFixed(1)}x`,
);
let s = performance.now();
const stats = store.stats();
console.log(
  `   per-task statistics over all episodes: ${(performance.now() - s).toFixed(0)} ms (${stats.length} tasks)`,
);
db.close();
rmSync(path, { force: true });
rmSync(`${path}-wal`, { force: true });
rmSync(`${path}-shm`, { force: true });

// 3. generation throughput
const GEN_SCENES = numberFlag('scenes', 50); // enough episodes that worker start-up (tsx, MuJoCo) does not dominate
const genTasks = TASKS.slice(0, 6);
const rate: number[] = [];
for (const workers of [1, 2]) {
  const file = join(tmpdir(), `blazer-bench-gen-${process.pid}-${workers}.sqlite`);
  rmSync(file, { force: true });
  s = performance.now();
  const summary = await generate({
    db: file,
    tasks: genTasks,
    teacher: 'scripted',
    scenes: GEN_SCENES,
    samples: 1,
    workers,
  });
  rate.push((60 * summary.done) / ((performance.now() - s) / 1000));
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}
console.log(
  `3. generation, scripted solver, ${genTasks.length * GEN_SCENES} episodes: 1 worker ${rate[0].toFixed(0)}/min, 2 workers ${rate[1].toFixed(0)}/min, speed-up ${(rate[1] / rate[0]).toFixed(2)}x (goal >= 1.8)`,
);
