// One way to name a model everywhere (CLI, api, dataset): a registered name (a local model or an
// endpoint), a GGUF file path for a local model, or 'openai:MODEL@BASE_URL' for an OpenAI-compatible endpoint (key from BLAZER_API_KEY or
// OPENAI_API_KEY, never stored).
import { LocalModel } from './local-model.ts';
import { OpenAIModel, parseOpenAISpec } from './openai-model.ts';
import type { ChatModel } from './types.ts';
import { ModelRegistry } from './model-registry.ts';

export interface OpenModelOptions {
  /** LoRA adapter GGUF for a local model. */
  adapter?: string;
  adapterScale?: number;
  /** CPU threads for a local model (keep 1-2 on small machines). */
  threads?: number;
  apiKey?: string;
}

export const DEFAULT_THREADS = 2;

export async function openModel(spec: string, options: OpenModelOptions = {}): Promise<ChatModel> {
  const registry = new ModelRegistry();
  const resolved = registry.resolve(spec); // a registered name is a model file or an endpoint
  const remote = parseOpenAISpec(resolved);
  if (remote) {
    if (options.adapter) throw new Error('a LoRA adapter can only be applied to a local GGUF model');
    return new OpenAIModel({
      ...remote,
      apiKey: options.apiKey ?? process.env.BLAZER_API_KEY ?? process.env.OPENAI_API_KEY,
    });
  }
  return LocalModel.load(resolved, {
    threads: options.threads ?? DEFAULT_THREADS,
    gpu: 'auto', // a GPU when one is usable; never a build from source
    adapters: options.adapter
      ? [{ filePath: registry.resolve(options.adapter), scale: options.adapterScale ?? 1 }]
      : [],
  });
}
