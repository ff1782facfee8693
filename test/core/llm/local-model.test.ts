// LocalModel through real node-llama-cpp on the tiny random-weight llama (threads 1): generation,
// streaming, JSON-schema grammar, determinism, abort, the shared backend and dispose.
// Random weights test the plumbing, not planning quality.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalModel, sharedLlamaStats } from '../../../core/llm/local-model.ts';
import { END_TOKENS, planMessages, planSchema, tinyModelFile } from './helpers.ts';

// No </s> or <|im_end|>: generation always runs to maxTokens.
const endless = tinyModelFile({ seed: 3, logitBias: { [END_TOKENS.eos]: -40, [END_TOKENS.imEnd]: -40 } });
// No exponents, so grammar numbers are finite.
const planner = tinyModelFile({ seed: 4, noExponents: true });

let model: LocalModel;
let jsonModel: LocalModel;
beforeAll(async () => {
  model = await LocalModel.load(endless, { threads: 1, contextSize: 1024 });
  jsonModel = await LocalModel.load(planner, { threads: 1, contextSize: 1024 });
});
afterAll(async () => {
  await model?.dispose();
  await jsonModel?.dispose();
});

describe('LocalModel on the tiny llama', () => {
  it('describes itself and picks the ChatML wrapper from the GGUF template', () => {
    expect(model.describe()).toMatchObject({
      id: 'local:tiny.gguf',
      kind: 'local',
      architecture: 'llama',
      contextLength: 8192,
      quantisation: 'F32',
      adapters: [],
    });
    expect(model.describe().chatTemplate).toMatch(/^\{% for message in messages %\}/);
    expect(model.chatWrapperName).toBe('ChatML');
  });

  it('generates exactly maxTokens tokens and streams the same text', async () => {
    const chunks: string[] = [];
    const result = await model.chat(planMessages, {
      maxTokens: 64,
      temperature: 0.8,
      seed: 1,
      onText: (t) => chunks.push(t),
    });
    expect(result).toMatchObject({ tokens: 64, finishReason: 'length' });
    expect(result.text.length).toBeGreaterThan(0);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(result.text);
    expect(result.seconds).toBeGreaterThan(0);
    // The fixture never emits non-ASCII or control bytes (other than tab and newline).
    expect(result.text).toMatch(/^[\x20-\x7e\t\n]*$/);
  });

  it('ends an answer that would overrun the context with finishReason length, instead of failing', async () => {
    // About 800 tokens of prompt in a 1024-token context, and far more answer asked for than fits.
    const long = [{ role: 'user' as const, content: 'describe the scene '.repeat(42) }];
    const result = await model.chat(long, { maxTokens: 4096, temperature: 0.8, seed: 2 });
    expect(result.finishReason).toBe('length');
    expect(result.tokens).toBeGreaterThan(16);
    expect(result.tokens).toBeLessThan(1024 - 700);
  });

  it('gives identical output for the same seed, twice, and for temperature 0', async () => {
    const options = { maxTokens: 40, temperature: 0.9, seed: 11 };
    const a = await model.chat(planMessages, options);
    const b = await model.chat(planMessages, options);
    expect(b.text).toBe(a.text);
    const others = await Promise.all(
      [12, 13, 14].map((seed) => model.chat(planMessages, { ...options, seed })),
    );
    expect(others.some((o) => o.text !== a.text)).toBe(true);

    const greedy1 = await model.chat(planMessages, { maxTokens: 40, temperature: 0, seed: 1 });
    const greedy2 = await model.chat(planMessages, { maxTokens: 40, temperature: 0, seed: 2 });
    expect(greedy2.text).toBe(greedy1.text);
  });

  it('constrains output to a JSON schema with an enum and arrays of numbers', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const result = await jsonModel.chat(planMessages, {
        jsonSchema: planSchema,
        temperature: 0.8,
        seed,
        maxTokens: 800,
      });
      expect(result.finishReason).toBe('stop');
      const plan = JSON.parse(result.text) as {
        steps: { primitive: string; position: number[]; yaw: number }[];
      };
      expect(Object.keys(plan)).toEqual(['steps']);
      expect(plan.steps.length).toBeLessThanOrEqual(3);
      for (const step of plan.steps) {
        expect(Object.keys(step)).toEqual(['primitive', 'position', 'yaw']);
        expect(['move_gripper', 'open_gripper', 'close_gripper']).toContain(step.primitive);
        expect(step.position).toHaveLength(3);
        for (const n of [...step.position, step.yaw]) expect(Number.isFinite(n)).toBe(true);
      }
    }
  });

  it('stops early with finishReason abort when the signal fires, and keeps the partial text', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const streamed: string[] = [];
    const result = await model.chat(planMessages, {
      maxTokens: 2000,
      temperature: 0.8,
      seed: 5,
      signal: controller.signal,
      onText: (t) => {
        streamed.push(t);
        if (++chunks === 8) controller.abort();
      },
    });
    expect(result.finishReason).toBe('abort');
    expect(result.tokens).toBeGreaterThanOrEqual(8);
    expect(result.tokens).toBeLessThan(50);
    expect(result.text).toBe(streamed.join(''));

    const already = await model.chat(planMessages, { maxTokens: 50, signal: AbortSignal.abort() });
    expect(already).toMatchObject({ text: '', tokens: 0, finishReason: 'abort' });
    // The model still works after an abort.
    expect((await model.chat(planMessages, { maxTokens: 5 })).tokens).toBe(5);
  });

  it('serialises concurrent chats and continues a trailing assistant message', async () => {
    const [a, b] = await Promise.all([
      model.chat(planMessages, { maxTokens: 10, temperature: 0 }),
      model.chat([...planMessages, { role: 'assistant', content: '{"steps": [' }], {
        maxTokens: 10,
        temperature: 0,
      }),
    ]);
    expect(a.tokens).toBe(10);
    expect(b.tokens).toBe(10);
    expect(b.text).not.toBe(a.text);
  });

  it('shares one backend between models and counts its users', async () => {
    expect(sharedLlamaStats()).toEqual({ backends: 1, users: 2 });
    const third = await LocalModel.load(planner, { threads: 1, contextSize: 256 });
    expect(sharedLlamaStats()).toEqual({ backends: 1, users: 3 });
    await third.dispose();
    await third.dispose(); // idempotent
    expect(sharedLlamaStats()).toEqual({ backends: 1, users: 2 });
    await expect(third.chat(planMessages)).rejects.toThrow(/local:tiny\.gguf: the model has been disposed/);
  });
});
