// The trainer's forward pass is llama.cpp's: next-token probabilities from our logits equal
// node-llama-cpp's for the same tokens (a ~5,000-token v2 prompt on the tiny model; F16 weights;
// grouped-query attention; with a trained-style adapter loaded through createContext({lora})), and
// the prompt tokens are exactly the ones LlamaChat evaluates for the same messages.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getLlama, LlamaChat, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { seededRandom } from '../../../../core/random.ts';
import { writeGguf } from '../../../../core/llm/gguf-writer.ts';
import { systemPrompt } from '../../../../core/planner/prompt.ts';
import { ChatTokenizer } from '../../../../core/train/builtin/chat-tokens.ts';
import { inputLength, lossPositions, type TokenizedExample } from '../../../../core/train/builtin/example.ts';
import { FrozenStates } from '../../../../core/train/builtin/frozen-states.ts';
import { readLlamaWeights } from '../../../../core/train/builtin/gguf-weights.ts';
import { LORA_TARGETS, loraToGguf } from '../../../../core/train/builtin/lora-adapter.ts';
import { LoraLlama } from '../../../../core/train/builtin/lora-model.ts';
import type { ChatMessage } from '../../../../api/types.ts';
import { tempDir } from '../../../helpers.ts';
import { gqaTinyBase, llamaCppProbabilities, maxProbabilityDifference, tinyBase } from './helpers.ts';

const answer = '```python\nmove_gripper(0.4, 0.1, 0.2)\nclose_gripper()\n```';
const longPrompt: ChatMessage[] = [
  { role: 'system', content: systemPrompt('code') },
  { role: 'user', content: 'Task: put the red block in the drawer.' },
];
const shortPrompt: ChatMessage[] = [
  { role: 'system', content: 'You write robot programs in Python.' },
  { role: 'user', content: 'Task: open the drawer, then put the red block inside it.' },
];

async function tokenized(base: string, messages: ChatMessage[]): Promise<TokenizedExample> {
  const tokenizer = await ChatTokenizer.open(base);
  try {
    return tokenizer.tokenize([...messages, { role: 'assistant', content: answer }]);
  } finally {
    await tokenizer.dispose();
  }
}

/** Our worst probability difference against llama.cpp over every answer position. */
async function agreement(
  base: string,
  example: TokenizedExample,
  options: { adaptedLayers?: number; randomAdapter?: boolean } = {},
): Promise<number> {
  const model = new LoraLlama(await readLlamaWeights(base), {
    adaptedLayers: options.adaptedLayers ?? 1,
    targets: LORA_TARGETS,
    rank: 4,
    alpha: 8,
    seed: 2,
  });
  let adapter: string | undefined;
  if (options.randomAdapter) {
    const random = seededRandom(5);
    for (const f of model.lora.factors.values())
      for (let i = 0; i < f.b.length; i++) f.b[i] = (random() - 0.5) * 0.2;
    adapter = join(tempDir('blazer-builtin-'), 'adapter.gguf');
    writeGguf(adapter, loraToGguf(model.lora, 'random adapter'));
  }
  const frozen = new FrozenStates(model.blocks, model.firstAdapted, { maxBytes: 2 ** 28, maxPrefixes: 1 });
  const ours = model.forward(example, frozen.layerInput(0, example.tokens, inputLength(example)));
  const positions = [...lossPositions(example)];
  const reference = await llamaCppProbabilities(
    base,
    example.tokens.subarray(0, inputLength(example)),
    positions,
    adapter,
  );
  const vocab = model.weights.hp.vocab;
  let worst = 0;
  for (let r = 0; r < positions.length; r++)
    worst = Math.max(
      worst,
      maxProbabilityDifference(ours.logits.subarray(r * vocab, (r + 1) * vocab), reference[r]),
    );
  return worst;
}

describe('the built-in trainer’s forward pass against llama.cpp', () => {
  const base = tinyBase();

  it('agrees on a ~5,000-token v2 prompt (RoPE far out), with one and with every layer adapted', async () => {
    const example = await tokenized(base, longPrompt);
    expect(example.promptLength).toBeGreaterThan(4400);
    for (const adaptedLayers of [1, 2]) {
      const worst = await agreement(base, example, { adaptedLayers });
      console.log(
        `tiny F32, ${example.tokens.length} tokens, ${adaptedLayers} adapted: max |Δp| ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('agrees with F16 weights and with grouped-query attention', async () => {
    for (const [name, path] of [
      ['tiny F16', tinyBase({ f16: true })],
      ['tiny GQA', gqaTinyBase()],
    ]) {
      const worst = await agreement(path, await tokenized(path, shortPrompt));
      console.log(`${name}: max |Δp| ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('agrees with a LoRA adapter loaded by llama.cpp (orientation and alpha / rank scale)', async () => {
    for (const path of [base, gqaTinyBase()]) {
      const example = await tokenized(path, shortPrompt);
      const withAdapter = await agreement(path, example, { randomAdapter: true });
      console.log(
        `${path.endsWith('gqa.gguf') ? 'tiny GQA' : 'tiny F32'} with adapter: max |Δp| ${withAdapter.toExponential(2)}`,
      );
      expect(withAdapter).toBeLessThan(1e-3);
    }
  });

  it('builds the prompt tokens LlamaChat evaluates, then the answer and <|im_end|>', async () => {
    const tokenizer = await ChatTokenizer.open(base);
    const example = tokenizer.tokenize([...shortPrompt, { role: 'assistant', content: answer }]);
    expect(tokenizer.chatWrapperName).toBe('ChatML');
    await tokenizer.dispose();

    const llama = await getLlama({
      gpu: false,
      build: 'never',
      maxThreads: 1,
      logLevel: LlamaLogLevel.error,
    });
    const model = await llama.loadModel({ modelPath: base });
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    const sequence = context.getSequence();
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: 'auto' });
    await chat.generateResponse(
      [
        { type: 'system', text: shortPrompt[0].content },
        { type: 'user', text: shortPrompt[1].content },
        { type: 'model', response: [] },
      ],
      { maxTokens: 1 },
    );
    const evaluated = sequence.contextTokens;
    const prompt = [...example.tokens.subarray(0, example.promptLength)];
    expect(evaluated.slice(0, prompt.length)).toEqual(prompt);
    expect(evaluated.length - prompt.length).toBeLessThanOrEqual(1); // at most the generated token
    const answerTokens = [...example.tokens.subarray(example.promptLength, -1)] as Token[];
    expect(model.detokenize(answerTokens)).toBe(answer);
    expect(example.tokens.at(-1)).toBe(365); // <|im_end|>
    chat.dispose();
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  });
});
