// One way to name a model everywhere (CLI, api, dataset): a registered name (a local model or an
// endpoint), a GGUF file path for a local model, or 'openai:MODEL@BASE_URL' for an
// OpenAI-compatible endpoint (key from BLAZER_API_KEY or OPENAI_API_KEY, never stored). Which of
// these a caller may use is the api's decision (a classroom client: registered names only).
import { LocalModel } from './local-model.ts';
import { OpenAIModel, parseOpenAISpec } from './openai-model.ts';
import type { ChatModel } from './types.ts';
import { looksLikePath, ModelRegistry, RegistryError } from './model-registry.ts';
import { AdapterRegistry, checkBeforeUse } from './adapter-registry.ts';

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
  const ref = registry.lookup(spec);
  if (ref.kind === 'endpoint') {
    if (options.adapter) throw new RegistryError('a LoRA adapter can only be applied to a local GGUF model');
    return new OpenAIModel({
      ...parseOpenAISpec(ref.spec)!,
      apiKey: options.apiKey ?? process.env.BLAZER_API_KEY ?? process.env.OPENAI_API_KEY,
    });
  }
  const adapter = options.adapter ? await adapterFile(options.adapter, ref.path, registry) : undefined;
  return LocalModel.load(ref.path, {
    threads: options.threads ?? DEFAULT_THREADS,
    gpu: 'auto', // a GPU when one is usable; never a build from source
    adapters: adapter ? [{ filePath: adapter, scale: options.adapterScale ?? 1 }] : [],
  });
}

/**
 * The GGUF file an adapter spec names: an adapter in the adapter registry (refused unless the base
 * is the very file it was imported for), a path, or an adapter registered as a model.
 */
async function adapterFile(spec: string, basePath: string, models: ModelRegistry): Promise<string> {
  const registered = looksLikePath(spec) ? undefined : new AdapterRegistry().find(spec);
  if (registered) {
    await checkBeforeUse(registered, basePath);
    return registered.path;
  }
  const ref = models.lookup(spec);
  if (ref.kind === 'endpoint')
    throw new RegistryError(`the adapter '${spec}' is an endpoint, not a GGUF file`);
  return ref.path;
}
