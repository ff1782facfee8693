// The lab's list of local models: GGUF files a user adds by path, with the metadata read from each
// file at the time (architecture, parameters, context, chat template, quantisation). Kept as a
// small JSON file in the lab's home folder, written atomically.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomicallySync } from '../files/atomic-write.ts';
import { basename, join, resolve } from 'node:path';
import { labHome } from '../paths.ts';
import { LabError } from '../errors.ts';
import { readGgufInfo } from './gguf-info.ts';
import { parseOpenAISpec } from './openai-model.ts';
import type { RegisteredEndpoint, RegisteredModel } from '../../api/types.ts';

interface RegistryFile {
  models: RegisteredModel[];
  endpoints: RegisteredEndpoint[];
}

/** What a model spec names: a GGUF file, or a remote endpoint; `registered` when it came by name. */
export type ModelRef =
  | { kind: 'file'; path: string; registered?: string }
  | { kind: 'endpoint'; spec: string; registered?: string };

/** A spec names a file when it has a folder separator or ends in .gguf. */
export function looksLikePath(spec: string): boolean {
  return /[/\\]/.test(spec) || /\.gguf$/i.test(spec);
}

export class RegistryError extends LabError {
  constructor(message: string) {
    super('registry', message);
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A name the registries accept: letters, digits, '.', '_' or '-' (at most 64), not a file name. */
export function isRegistryName(name: string): boolean {
  return NAME.test(name) && !looksLikePath(name);
}

export class ModelRegistry {
  constructor(readonly file = join(labHome(), 'models.json')) {}

  list(): RegisteredModel[] {
    return this.read().models;
  }

  endpoints(): RegisteredEndpoint[] {
    return this.read().endpoints;
  }

  private read(): RegistryFile {
    if (!existsSync(this.file)) return { models: [], endpoints: [] };
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<RegistryFile>;
      return {
        models: Array.isArray(parsed.models) ? parsed.models : [],
        endpoints: Array.isArray(parsed.endpoints) ? parsed.endpoints : [],
      };
    } catch (err) {
      throw new RegistryError(
        `the model registry ${this.file} is not valid JSON (${(err as Error).message}); fix or remove it`,
      );
    }
  }

  /** Add a GGUF model or adapter; its metadata is read (and a bad file refused) now. */
  async add(path: string, name = basename(path).replace(/\.gguf$/i, '')): Promise<RegisteredModel> {
    this.checkNewName(name);
    const models = this.list();
    const full = resolve(path);
    const info = await readGgufInfo(full);
    const entry: RegisteredModel = {
      name,
      path: full,
      addedAt: new Date().toISOString(),
      info: {
        type: info.type,
        architecture: info.architecture,
        parameters: info.parameters,
        contextLength: info.contextLength,
        quantisation: info.quantisation,
        hasChatTemplate: info.hasChatTemplate,
        fileBytes: info.fileBytes,
      },
    };
    this.save({ ...this.read(), models: [...models, entry] });
    return entry;
  }

  /** Keep a remote endpoint (openai:MODEL@URL) under a name usable wherever a model is. */
  addEndpoint(name: string, spec: string): RegisteredEndpoint {
    this.checkNewName(name);
    if (!parseOpenAISpec(spec))
      throw new RegistryError(`'${spec}' is not an endpoint: write openai:MODEL@http://host:port/v1`);
    const entry: RegisteredEndpoint = { name, spec, addedAt: new Date().toISOString() };
    const file = this.read();
    this.save({ ...file, endpoints: [...file.endpoints, entry] });
    return entry;
  }

  remove(name: string): void {
    const file = this.read();
    if (!file.models.some((m) => m.name === name) && !file.endpoints.some((e) => e.name === name))
      throw new RegistryError(`no model or endpoint named '${name}' is registered`);
    this.save({
      models: file.models.filter((m) => m.name !== name),
      endpoints: file.endpoints.filter((e) => e.name !== name),
    });
  }

  /**
   * What a model spec names. A path (it has a folder separator or ends in .gguf) is a file and an
   * `openai:` spec an endpoint, whatever is registered; anything else must be a registered name. So
   * a name can never stand in for a file the user named, nor a file for a name.
   */
  lookup(spec: string): ModelRef {
    if (parseOpenAISpec(spec)) return { kind: 'endpoint', spec };
    if (looksLikePath(spec)) return { kind: 'file', path: resolve(spec) };
    const file = this.read();
    const model = file.models.find((m) => m.name === spec);
    if (model) return { kind: 'file', path: model.path, registered: spec };
    const endpoint = file.endpoints.find((e) => e.name === spec);
    if (endpoint) return { kind: 'endpoint', spec: endpoint.spec, registered: spec };
    throw new RegistryError(
      `no model or endpoint named '${spec}' is registered (see lab models); name a GGUF file by its path (./${spec}.gguf) or an endpoint as openai:MODEL@URL`,
    );
  }

  private checkNewName(name: string): void {
    if (!isRegistryName(name))
      throw new RegistryError(
        `model name '${name}' must be letters, digits, '.', '_' or '-' (at most 64), and not end in .gguf (that names a file)`,
      );
    const file = this.read();
    if (file.models.some((m) => m.name === name) || file.endpoints.some((e) => e.name === name))
      throw new RegistryError(`a model or endpoint named '${name}' is already registered`);
  }

  private save(file: RegistryFile): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileAtomicallySync(this.file, JSON.stringify({ version: 1, ...file }, null, 2) + '\n');
  }
}
