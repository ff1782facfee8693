// LoRA adapters written by writeTinyLora load through LocalModel and change the output; scale 0 is
// the base model; bad adapters give clear errors. Greedy decoding makes the comparison exact.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  disposeSharedLlama,
  LocalModel,
  LocalModelError,
  sharedLlamaStats,
  type LoraAdapter,
} from '../../../core/llm/local-model.ts';
import { buildTinyLora } from '../../../core/llm/tiny-model.ts';
import { kv, writeGguf } from '../../../core/llm/gguf-writer.ts';
import { tempDir } from '../../helpers.ts';
import { END_TOKENS, planMessages, tinyLoraFile, tinyModelFile } from './helpers.ts';

const base = tinyModelFile({ seed: 6, logitBias: { [END_TOKENS.eos]: -40, [END_TOKENS.imEnd]: -40 } });
const lora = tinyLoraFile({ seed: 6 });
const prompts = [
  planMessages,
  [{ role: 'user' as const, content: 'Open the gripper.' }],
  [{ role: 'user' as const, content: 'Stack the blocks.' }],
];

async function greedyTexts(adapters?: LoraAdapter[]): Promise<string[]> {
  const model = await LocalModel.load(base, { threads: 1, contextSize: 512, adapters });
  try {
    const texts: string[] = [];
    for (const messages of prompts)
      texts.push((await model.chat(messages, { maxTokens: 24, temperature: 0 })).text);
    return texts;
  } finally {
    await model.dispose();
  }
}

describe('LoRA adapters on the tiny llama', () => {
  it('change the greedy output; scale 0 gives exactly the base output', async () => {
    const plain = await greedyTexts();
    const withLora = await greedyTexts([{ filePath: lora, scale: 1 }]);
    const halfLora = await greedyTexts([{ filePath: lora, scale: 0.5 }]);
    const zero = await greedyTexts([{ filePath: lora, scale: 0 }]);
    const again = await greedyTexts();
    expect(again).toEqual(plain);
    expect(zero).toEqual(plain);
    for (let i = 0; i < prompts.length; i++) {
      expect(withLora[i]).not.toBe(plain[i]);
      expect(halfLora[i]).not.toBe(withLora[i]);
    }
    // Five models loaded one after another shared one backend; it outlives them.
    expect(sharedLlamaStats()).toEqual({ backends: 1, users: 0 });
  });

  it('lists its adapters in describe()', async () => {
    const model = await LocalModel.load(base, {
      threads: 1,
      contextSize: 256,
      adapters: [{ filePath: lora, scale: 0.7 }],
    });
    expect(model.describe().adapters).toEqual([{ file: 'tiny-lora.gguf', scale: 0.7 }]);
    await model.dispose();
  });

  it('rejects a model given as an adapter, a wrong-architecture adapter and a wrong-shape adapter', async () => {
    const dir = tempDir('blazer-llm-lora-');
    await expect(
      LocalModel.load(base, { threads: 1, adapters: [{ filePath: base, scale: 1 }] }),
    ).rejects.toThrow(new LocalModelError(`${base}: is not a LoRA adapter (general.type is 'model')`));

    const otherArch = buildTinyLora({ seed: 1 });
    otherArch.metadata['general.architecture'] = kv.string('qwen2');
    const otherPath = join(dir, 'qwen.gguf');
    writeGguf(otherPath, otherArch);
    await expect(
      LocalModel.load(base, { threads: 1, adapters: [{ filePath: otherPath, scale: 1 }] }),
    ).rejects.toThrow(/qwen\.gguf: adapter architecture 'qwen2' does not match the model's 'llama'/);

    // Rank-8 A matrix declared for 32 inputs instead of 64: llama.cpp refuses it.
    const wrongShape = buildTinyLora({ seed: 1, targets: ['blk.0.attn_q.weight'] });
    wrongShape.tensors[0] = { ...wrongShape.tensors[0], shape: [32, 8], data: new Float32Array(256) };
    const wrongPath = join(dir, 'wrong-shape.gguf');
    writeGguf(wrongPath, wrongShape);
    const err = await LocalModel.load(base, {
      threads: 1,
      adapters: [{ filePath: wrongPath, scale: 1 }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalModelError);
    expect((err as Error).message).toMatch(
      /could not create the context or load the LoRA adapters \(llama\.cpp: .*incorrect shape/,
    );

    // Still usable afterwards.
    const model = await LocalModel.load(base, {
      threads: 1,
      contextSize: 256,
      adapters: [{ filePath: lora, scale: 1 }],
    });
    expect((await model.chat(planMessages, { maxTokens: 4 })).tokens).toBe(4);
    expect(sharedLlamaStats()).toEqual({ backends: 1, users: 1 });
    await model.dispose();
  });

  // Last: after a backend is disposed, node-llama-cpp no longer routes llama.cpp's log to the next
  // backend's logger, so later error messages lose their llama.cpp reason.
  it('frees the idle shared backend on request; the next load creates a new one', async () => {
    expect(sharedLlamaStats()).toEqual({ backends: 1, users: 0 });
    await disposeSharedLlama();
    expect(sharedLlamaStats()).toEqual({ backends: 0, users: 0 });
    const model = await LocalModel.load(base, { threads: 1, contextSize: 256 });
    expect((await model.chat(planMessages, { maxTokens: 4 })).tokens).toBe(4);
    expect(sharedLlamaStats()).toEqual({ backends: 1, users: 1 });
    await model.dispose();
    await disposeSharedLlama();
  });
});
