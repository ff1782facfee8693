// Model calls: the registry (local GGUF models and adapters, remote endpoints by name), a test
// prompt that reports tokens per second, a GGUF file's header, the tiny offline test model, and
// sharing a local model as an OpenAI-compatible endpoint.
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { ModelRegistry } from '../../core/llm/model-registry.ts';
import { readGgufInfo } from '../../core/llm/gguf-info.ts';
import { writeTinyLlama, writeTinyLora } from '../../core/llm/tiny-model.ts';
import { openModel } from '../../core/llm/open-model.ts';
import { startModelServer } from '../../core/llm/openai-server.ts';
import { labHome } from '../../core/paths.ts';
import type { Handlers } from '../dispatch.ts';
import { withSharedModel } from '../resources.ts';
import { filePath, modelSpec } from '../access.ts';

export const handlers: Handlers<'models'> = {
  'models.list': async () => {
    const registry = new ModelRegistry();
    return { registry: registry.file, models: registry.list(), endpoints: registry.endpoints() };
  },
  'models.add': ({ path, name }, context) => new ModelRegistry().add(filePath(context, path, 'path'), name),
  'models.addEndpoint': async ({ name, spec }) => new ModelRegistry().addEndpoint(name, spec.trim()),
  'models.remove': async ({ name }) => {
    new ModelRegistry().remove(name);
    return { removed: name };
  },
  'models.addTiny': async () => {
    const registry = new ModelRegistry();
    const existing = registry.list().find((m) => m.name === 'tiny-test');
    if (existing) return existing;
    const file = join(labHome(), 'models', 'tiny-test.gguf');
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeTinyLlama(file, { noExponents: true });
    }
    return registry.add(file, 'tiny-test');
  },
  'models.test': ({ model, prompt, maxTokens, threads }, context) =>
    withSharedModel(modelSpec(context, model, 'model'), { threads }, async (chat) => {
      const { emit, signal } = context;
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
  'models.inspect': ({ path }, context) => readGgufInfo(filePath(context, path, 'path')),
  'models.writeTiny': async ({ out, lora, seed, f16 }) => {
    const files = [resolve(out), ...(lora ? [resolve(lora)] : [])];
    for (const file of files) mkdirSync(dirname(file), { recursive: true });
    writeTinyLlama(files[0], { seed, f16 });
    if (files[1]) writeTinyLora(files[1], { seed });
    return Promise.all(files.map((file) => readGgufInfo(file)));
  },
  'models.serve': async ({ model, adapter, host, port, token, name, threads }, { emit, signal }) => {
    const chat = await openModel(model, { adapter, threads });
    try {
      const modelName = name ?? basename(model).replace(/\.gguf$/i, '');
      const server = await startModelServer({ model: chat, modelName, host, port, token });
      emit({ type: 'model.serving', url: server.url, token: server.token, name: modelName });
      if (!signal.aborted) await once(signal, 'abort');
      await server.close();
      return { stopped: true as const };
    } finally {
      await chat.dispose();
    }
  },
};
