// Shared set-up for the built-in trainer's tests: tiny llama GGUFs (plain, F16, grouped-query),
// llama.cpp's next-token probabilities for a token sequence, and chat JSONL files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, type ControlledEvaluateInputItem, type Token } from 'node-llama-cpp';
import { seededRandom } from '../../../../core/random.ts';
import { kv, writeGguf } from '../../../../core/llm/gguf-writer.ts';
import { buildTinyLlama, writeTinyLlama, type TinyLlamaOptions } from '../../../../core/llm/tiny-model.ts';
import type { ChatMessage } from '../../../../api/types.ts';
import { tempDir } from '../../../helpers.ts';

export function tinyBase(options: TinyLlamaOptions = {}, name = 'tiny.gguf'): string {
  const path = join(tempDir('blazer-builtin-'), name);
  writeTinyLlama(path, options);
  return path;
}

/** The tiny llama with 2 key/value heads for its 4 query heads (grouped-query attention). */
export function gqaTinyBase(): string {
  const file = buildTinyLlama({ seed: 3 });
  file.metadata['llama.attention.head_count_kv'] = kv.u32(2);
  const random = seededRandom(9);
  for (const t of file.tensors)
    if (/attn_[kv]\.weight$/.test(t.name)) {
      t.shape = [64, 32];
      t.data = Float32Array.from({ length: 64 * 32 }, () => (random() - 0.5) * 0.4);
    }
  const path = join(tempDir('blazer-builtin-'), 'tiny-gqa.gguf');
  writeGguf(path, file);
  return path;
}

/**
 * llama.cpp's next-token probabilities (softmax of the logits, no sampling options) after each of
 * `positions` when the model reads `tokens`, optionally with a LoRA adapter at scale 1.
 */
export async function llamaCppProbabilities(
  modelPath: string,
  tokens: ArrayLike<number>,
  positions: number[],
  adapter?: string,
): Promise<Map<number, number>[]> {
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  try {
    const context = await model.createContext({
      contextSize: tokens.length + 64,
      threads: 1,
      lora: adapter ? { adapters: [{ filePath: adapter, scale: 1 }] } : undefined,
    });
    const wanted = new Set(positions);
    const input: ControlledEvaluateInputItem[] = Array.from(tokens, (t, i) =>
      wanted.has(i) ? [t as Token, { generateNext: { probabilities: true } }] : (t as Token),
    );
    const results = await context.getSequence().controlledEvaluate(input);
    await context.dispose();
    return positions.map((p) => {
      const probabilities = results[p]?.next.probabilities;
      if (!probabilities) throw new Error(`llama.cpp gave no probabilities at position ${p}`);
      return probabilities;
    });
  } finally {
    await model.dispose();
    await llama.dispose();
  }
}

/** The largest |p_ours - p_llama.cpp| over the vocabulary, from our logits row. */
export function maxProbabilityDifference(logits: Float32Array, reference: Map<number, number>): number {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  let worst = 0;
  for (let i = 0; i < logits.length; i++)
    worst = Math.max(worst, Math.abs(Math.exp(logits[i] - max) / sum - (reference.get(i) ?? 0)));
  return worst;
}

export function writeChatJsonl(path: string, examples: ChatMessage[][]): string {
  writeFileSync(path, examples.map((messages) => JSON.stringify({ messages })).join('\n') + '\n');
  return path;
}

/** Levenshtein distance, for how close a generated text is to a target. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length];
}

/** 1 - edit distance / the longer length: 1 is identical, 0 shares nothing. */
export function similarity(text: string, target: string): number {
  return 1 - editDistance(text, target) / Math.max(text.length, target.length, 1);
}
