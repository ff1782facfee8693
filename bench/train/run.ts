// bench/train: the built-in trainer's training speed as a ratio against its own forward pass on the
// same batch (anchor), for the tiny test model on examples shaped like the lab's: a ~4,400-token v2
// prompt (byte-level tiny vocab) sharing its first ~4,000 tokens across examples, and a 60-token
// answer. Reported for the default (the last layer adapted, lower layers frozen and cached) and for
// both layers adapted (exact backprop through the lower layer's attention over the whole prompt).
// Usage: npm run bench:train [-- --examples 4 --prompt 4400 --answer 60]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyLlama } from '../../core/llm/tiny-model.ts';
import { readLlamaWeights } from '../../core/train/builtin/gguf-weights.ts';
import { measureStepSpeed, syntheticExample } from '../../core/train/builtin/speed.ts';
import { numberFlag } from '../flags.ts';

const examples = numberFlag('examples', 4);
const promptTokens = numberFlag('prompt', 4400);
const answerTokens = numberFlag('answer', 60);
const shared = Math.min(promptTokens, 4000);

const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
const path = join(dir, 'tiny.gguf');
writeTinyLlama(path);
const weights = await readLlamaWeights(path);
const batch = Array.from({ length: examples }, (_, i) =>
  syntheticExample(weights.hp.vocab, promptTokens, answerTokens, i + 2, shared),
);

console.log(
  `bench/train: tiny llama (${weights.hp.layers} layers, ${weights.hp.embd} dims), batch of ${examples} examples x (${promptTokens} prompt + ${answerTokens} answer) tokens`,
);
for (const adaptedLayers of [1, weights.hp.layers]) {
  const r = measureStepSpeed(weights, batch, { adaptedLayers });
  console.log(
    [
      `adapted layers ${adaptedLayers}:`,
      `first visit (frozen layers) ${r.frozenSeconds.toFixed(2)} s,`,
      `forward ${r.forwardSeconds.toFixed(3)} s,`,
      `forward+backward ${r.forwardBackwardSeconds.toFixed(3)} s`,
      `= ${(r.forwardBackwardSeconds / r.forwardSeconds).toFixed(2)}x the forward pass;`,
      `${Math.round(r.trainingTokensPerSecond).toLocaleString('en-US')} training tokens/s`,
      `(${Math.round(r.tokens / r.forwardSeconds).toLocaleString('en-US')} forward-only)`,
    ].join(' '),
  );
}
rmSync(dir, { recursive: true, force: true });
