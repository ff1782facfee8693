// bench/eval: the share of an evaluation's wall time during which the model is generating. The goal
// is >= 95%: scenes are built and programs verified on worker threads while the model works, so the
// simulator is never what the model waits for. Measured for
//  - the tiny local model (CPU, the same 2 cores as the simulator: a worst case, its answers are
//    fast and the verification competes for the cores), and
//  - a paced model: the task's reference answer delivered at a real model's speed (--tokens-per-second,
//    default 30, like a 7-8B model on a GPU or an endpoint), which leaves the CPU to the simulator.
// Usage: npm run bench:eval [-- --scenes 8 --concurrency 2 --tokens-per-second 30 --models tiny,paced]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEpisodes, EVAL_FIRST_SEED } from '../../core/generate/generate.ts';
import { findTask } from '../../core/tasks/registry.ts';
import { LocalModel } from '../../core/llm/local-model.ts';
import { writeTinyLlama } from '../../core/llm/tiny-model.ts';
import { referenceModel } from '../../core/planner/reference-model.ts';
import type { ChatModel } from '../../core/llm/types.ts';
import { numberFlag, textFlag } from '../flags.ts';

const scenes = numberFlag('scenes', 8);
const concurrency = numberFlag('concurrency', 2);
const pace = numberFlag('tokens-per-second', 30);
const which = textFlag('models', 'tiny,paced').split(',');
const PACED_ANSWER_TOKENS = 60; // a reference answer is about this long in a real model's tokens

/** Wraps a model and adds up the time at least one chat() is running (overlaps counted once). */
function timed(model: ChatModel): { model: ChatModel; busySeconds: () => number } {
  let running = 0;
  let since = 0;
  let busy = 0;
  return {
    model: {
      describe: () => model.describe(),
      dispose: () => model.dispose(),
      chat: async (messages, options) => {
        if (running++ === 0) since = performance.now();
        try {
          return await model.chat(messages, options);
        } finally {
          if (--running === 0) busy += performance.now() - since;
        }
      },
    },
    busySeconds: () => busy / 1000,
  };
}

/** The reference answer at a real model's speed: time passes, the CPU stays free. */
function paced(tokensPerSecond: number): ChatModel {
  let queue = Promise.resolve();
  return {
    describe: () => ({ id: `paced-${tokensPerSecond}tps`, kind: 'openai' }),
    dispose: async () => undefined,
    chat: (messages, options) => {
      // One request at a time, like a single local model.
      const run = queue.then(async () => {
        const seconds = PACED_ANSWER_TOKENS / tokensPerSecond;
        await new Promise((r) => setTimeout(r, seconds * 1000));
        return referenceAnswer.chat(messages, options);
      });
      queue = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
  };
}

const reach = await findTask('reach_target');
const referenceAnswer = referenceModel(reach);
const home = mkdtempSync(join(tmpdir(), 'bench-eval-'));
process.env.BLAZER_LAB_HOME = home;
const tinyPath = join(home, 'tiny.gguf');
writeTinyLlama(tinyPath, { noExponents: true });

async function measure(label: string, model: ChatModel): Promise<void> {
  const clock = timed(model);
  const started = performance.now();
  const summary = await runEpisodes(
    {
      db: join(home, `${label.replace(/[^a-z0-9]+/gi, '-')}.sqlite`),
      tasks: ['reach_target'],
      teacher: label,
      scenes,
      samples: 1,
      temperature: 0,
      concurrency,
      workers: 2,
    },
    [reach],
    clock.model,
    { firstScene: EVAL_FIRST_SEED, total: scenes, format: 'code', purpose: 'eval' },
  );
  const wall = (performance.now() - started) / 1000;
  const share = clock.busySeconds() / wall;
  console.log(
    `${label.padEnd(22)} ${summary.done} attempts in ${wall.toFixed(1)} s (${(wall / summary.done).toFixed(2)} s each), model generating ${(share * 100).toFixed(1)}% of the wall time${share >= 0.95 ? '' : ' (below the 95% goal)'}`,
  );
}

console.log(
  `bench/eval: reach_target, ${scenes} evaluation scenes, ${concurrency} attempts in flight, 2 episode workers`,
);
if (which.includes('tiny')) {
  const tiny = await LocalModel.load(tinyPath, { threads: 1 });
  await measure('tiny (CPU, 1 thread)', tiny);
  await tiny.dispose();
}
if (which.includes('paced')) await measure(`paced (${pace} tok/s)`, paced(pace));
rmSync(home, { recursive: true, force: true });
process.exit(0);
