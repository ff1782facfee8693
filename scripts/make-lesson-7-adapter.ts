// Makes test/fixtures/adapters/lesson-7-reach-lora.gguf: the adapter lesson 7's recipe trains (300
// scripted reach_target scenes, the built-in trainer at lr 0.005, batch 4, 400 steps, on the tiny
// model). The lesson test imports it, so CI checks the lesson's "met" side without 8 minutes of
// training. Run again after any change to the trainer, the prompt or the tiny model:
//   npx tsx scripts/make-lesson-7-adapter.ts      (about 10 minutes on 2 cores)
import { copyFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  LESSON_7_ADAPTER,
  LESSON_7_DATA,
  LESSON_7_SET,
  LESSON_7_TRAINING,
} from '../test/fixtures/lesson-7-recipe.ts';

process.env.BLAZER_LAB_HOME = mkdtempSync(join(tmpdir(), 'blazer-lesson-7-adapter-'));
const { inProcessLab } = await import('../api/in-process.ts');
const { disposeResources } = await import('../api/resources.ts');
const lab = inProcessLab({ local: true });
const db = join(process.env.BLAZER_LAB_HOME, 'lesson-7.sqlite');

await lab.call('generate.run', { db, ...LESSON_7_DATA });
await lab.call('train.createSet', { db, ...LESSON_7_SET });
await lab.call('models.addTiny', {});
const job = await lab.call('train.run', { db, ...LESSON_7_TRAINING });
if (job.status !== 'succeeded' || !job.adapter) throw new Error(`training ${job.status}: ${job.error}`);
const evaluation = await lab.call('eval.run', {
  db,
  model: 'tiny-test',
  adapter: 'reach-lora',
  tasks: ['reach_target', 'put_block_in_side_bin'],
  scenes: 1,
  format: 'code',
  threads: 1,
});
mkdirSync(dirname(LESSON_7_ADAPTER), { recursive: true });
const made = (await lab.call('adapters.list', {})).find((a) => a.name === job.adapter)!;
copyFileSync(made.path, LESSON_7_ADAPTER);
console.log(
  `last loss ${job.losses.at(-1)?.[1]}; ${evaluation.tasks.map((t) => `${t.task} ${t.rate}`).join(', ')}`,
);
console.log(`wrote ${LESSON_7_ADAPTER}`);
await disposeResources();
