// Model calls for the Models screen: the registry (local GGUF models and adapters), and a test
// prompt that reports tokens per second for any model spec (registered, file, or openai:...).
import { z } from 'zod';
import { dirname, join } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { defineCall } from './contract.ts';
import { ModelRegistry, type RegisteredEndpoint, type RegisteredModel } from '../core/llm/model-registry.ts';
import { writeTinyLlama } from '../core/llm/tiny-model.ts';
import { labHome } from '../core/paths.ts';
import { withSharedModel } from './resources.ts';

export const modelsList = defineCall(
  'models.list',
  z.object({}).strict(),
  async (): Promise<{ registry: string; models: RegisteredModel[]; endpoints: RegisteredEndpoint[] }> => {
    const registry = new ModelRegistry();
    return { registry: registry.file, models: registry.list(), endpoints: registry.endpoints() };
  },
);

export const modelsAddEndpoint = defineCall(
  'models.addEndpoint',
  z
    .object({
      name: z.string().min(1, 'a name is required'),
      spec: z.string().min(1, 'the endpoint is required (openai:MODEL@http://host:port/v1)'),
    })
    .strict(),
  async ({ name, spec }) => new ModelRegistry().addEndpoint(name, spec.trim()),
);

export const modelsAdd = defineCall(
  'models.add',
  z
    .object({ path: z.string().min(1, 'the GGUF file path is required'), name: z.string().min(1).optional() })
    .strict(),
  ({ path, name }) => new ModelRegistry().add(path, name),
);

export const modelsRemove = defineCall(
  'models.remove',
  z.object({ name: z.string().min(1) }).strict(),
  async ({ name }) => {
    new ModelRegistry().remove(name);
    return { removed: name };
  },
);

/** The tiny random-weight test model: exercises every local path offline (its answers are noise). */
export const modelsAddTiny = defineCall('models.addTiny', z.object({}).strict(), async () => {
  const registry = new ModelRegistry();
  const existing = registry.list().find((m) => m.name === 'tiny-test');
  if (existing) return existing;
  const file = join(labHome(), 'models', 'tiny-test.gguf');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeTinyLlama(file, { noExponents: true });
  }
  return registry.add(file, 'tiny-test');
});

export const modelsTest = defineCall(
  'models.test',
  z
    .object({
      model: z.string().min(1, 'a model is required'),
      prompt: z.string().min(1, 'a prompt is required').max(20_000),
      maxTokens: z.number().int().min(1).max(4096).default(64),
      threads: z.number().int().min(1).max(256).optional(),
    })
    .strict(),
  ({ model, prompt, maxTokens, threads }, { emit, signal }) =>
    withSharedModel(model, { threads }, async (chat) => {
      const result = await chat.chat([{ role: 'user', content: prompt }], {
        maxTokens,
        temperature: 0,
        signal,
        onText: (text) => emit({ type: 'model.text', text }),
      });
      return {
        model: chat.describe(),
        text: result.text,
        tokens: result.tokens,
        seconds: result.seconds,
        tokensPerSecond: result.seconds > 0 ? result.tokens / result.seconds : 0,
      };
    }),
);
