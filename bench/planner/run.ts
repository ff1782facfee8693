// bench/planner: what the planner costs on top of its parts, measured against anchors in the same run.
//  1. tokens/s generating a program through the planner (LocalModel.chat with the planner's prompt)
//     against raw node-llama-cpp generation (LlamaChat.generateResponse on its own context) with
//     the same model, prompt, threads and sampling. Goal: ratio >= 0.95.
//  2. the sandbox's cost per primitive call (Python -> runner -> parent -> runner), against a
//     plain in-process function call, and next to what a simulated move_gripper takes.
//  3. the cost of a fresh interpreter per program against the same trivial program on a reused
//     interpreter, in process and end to end (bench/planner/fresh-state.ts).
// Run: npm run bench:planner [-- --model file.gguf --threads N --tokens N --reps N]
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { getLlama, LlamaChat } from 'node-llama-cpp';
import { writeTinyLlama } from '../../core/llm/tiny-model.ts';
import { LocalModel, disposeSharedLlama } from '../../core/llm/local-model.ts';
import { buildPrompt } from '../../core/planner/prompt.ts';
import { PythonSandbox } from '../../core/sandbox/python-sandbox.ts';
import { openScene } from '../../core/sim/open-scene.ts';
import { readSceneState } from '../../core/sim/scene-state.ts';
import { freshStateCost } from './fresh-state.ts';
import { numberFlag, textFlag } from '../flags.ts';

const threads = numberFlag('threads', 1);
const maxTokens = numberFlag('tokens', 256);
const reps = numberFlag('reps', 7);
let modelPath = textFlag('model', '');
if (!modelPath) {
  modelPath = join(tmpdir(), `blazer-bench-tiny-${process.pid}.gguf`);
  // End-of-text suppressed so every generation runs to maxTokens, the same work on both sides.
  writeTinyLlama(modelPath, { seed: 5, logitBias: { 2: -40, 365: -40 } });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function tokensPerSecond(): Promise<void> {
  const scene = await openScene('panda-cube');
  const state = readSceneState(scene.sim, scene.arm);
  scene.dispose();
  const messages = buildPrompt('put the red block on the green pad', state, 'code');
  const sampling = { temperature: 0.8, seed: 1, maxTokens };

  const planner = await LocalModel.load(modelPath, { threads });
  const llama = await getLlama({ gpu: false, build: 'never' });
  const rawModel = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const rawContext = await rawModel.createContext({
    threads,
    contextSize: Math.min(4096, planner.describe().contextLength ?? 4096),
  });
  const rawChat = new LlamaChat({ contextSequence: rawContext.getSequence(), chatWrapper: 'auto' });
  const history = [
    { type: 'system' as const, text: messages[0].content },
    { type: 'user' as const, text: messages[1].content },
    { type: 'model' as const, response: [] },
  ];

  const plannerRates: number[] = [];
  const rawRates: number[] = [];
  for (let r = 0; r < reps; r++) {
    // Alternate which goes first so drift on a shared machine falls on both.
    const runs = [
      async () => {
        const result = await planner.chat(messages, sampling);
        plannerRates.push(result.tokens / result.seconds);
      },
      async () => {
        let tokens = 0;
        const start = performance.now();
        await rawChat.generateResponse(history, { ...sampling, onToken: (t) => (tokens += t.length) });
        rawRates.push(tokens / ((performance.now() - start) / 1000));
      },
    ];
    for (const run of r % 2 ? runs.reverse() : runs) await run();
  }
  const p = median(plannerRates);
  const raw = median(rawRates);
  console.log(
    `1. generation, ${maxTokens} tokens, threads ${threads}, median of ${reps}: ${modelPath.includes('blazer-bench-tiny') ? 'tiny test model' : modelPath}`,
  );
  console.log(`   raw node-llama-cpp  ${raw.toFixed(0).padStart(6)} tokens/s`);
  console.log(
    `   through the planner ${p.toFixed(0).padStart(6)} tokens/s   ratio ${(p / raw).toFixed(3)} (goal >= 0.95)`,
  );
  rawChat.dispose();
  await rawContext.dispose();
  await rawModel.dispose();
  await planner.dispose();
  await disposeSharedLlama();
}

async function sandboxOverhead(): Promise<void> {
  const sandbox = new PythonSandbox();
  const calls = 2000;
  const state = { version: 1, objects: [] };
  const noop = () => ({ result: { status: 'reached' } });
  await sandbox.run('open_gripper()', state, noop); // start the runner
  const started = sandbox.lastStartupMs;
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const outcome = await sandbox.run(`for i in range(${calls}):\n    open_gripper()`, state, noop, {
      primitiveCalls: calls,
    });
    if (!outcome.ok) throw new Error(outcome.message);
    best = Math.min(best, (performance.now() - t) / calls);
  }
  sandbox.dispose();
  let anchor = Infinity;
  for (let r = 0; r < 5; r++) {
    let sink = 0;
    const t = performance.now();
    for (let i = 0; i < 1e6; i++) sink += (noop() as { result: { status: string } }).result.status.length;
    anchor = Math.min(anchor, (performance.now() - t) / 1e6);
    if (sink < 0) console.log(sink);
  }
  const scene = await openScene('panda-table');
  const t = performance.now();
  const moves = 20;
  for (let i = 0; i < moves; i++)
    scene.arm!.moveGripper([0.4 + 0.01 * (i % 10), 0.1 * (i % 3) - 0.1, 0.15], 0);
  const move = (performance.now() - t) / moves;
  scene.dispose();
  console.log(
    `2. sandbox, ${calls} primitive calls per program (runner start-up ${(started / 1000).toFixed(1)} s, once per runner)`,
  );
  console.log(
    `   per call through the sandbox ${(best * 1000).toFixed(1)} us; in-process call ${(anchor * 1e6).toFixed(3)} us`,
  );
  console.log(
    `   a simulated move_gripper takes ${move.toFixed(1)} ms: the sandbox adds ${((100 * best) / move).toFixed(2)}% to it`,
  );
}

await tokensPerSecond();
await sandboxOverhead();
await freshStateCost(reps);
