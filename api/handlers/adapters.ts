// Adapter calls: the registry of LoRA adapters (each checked against its base and kept with the
// base's hash), import of a GGUF LoRA or a PEFT folder, and removal.
import { AdapterRegistry } from '../../core/llm/adapter-registry.ts';
import { ModelRegistry } from '../../core/llm/model-registry.ts';
import { RegistryError } from '../../core/llm/model-registry.ts';
import type { Handlers } from '../dispatch.ts';

export const handlers: Handlers<'adapters'> = {
  'adapters.list': async () => new AdapterRegistry().list(),
  'adapters.import': async ({ from, base, name }) => {
    const ref = new ModelRegistry().lookup(base);
    if (ref.kind !== 'file')
      throw new RegistryError(`base: '${base}' is an endpoint; an adapter needs a local GGUF base`);
    return new AdapterRegistry().importAdapter({ from, base: ref.path, name });
  },
  'adapters.remove': async ({ name }) => {
    new AdapterRegistry().remove(name);
    return { removed: name };
  },
};
