// The lab's list of local models: GGUF files a user adds by path, with the metadata read from each
// file at the time (architecture, parameters, context, chat template, quantisation). Kept as a
// small JSON file in the lab's home folder, written atomically.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { labHome } from '../paths.ts';
import { readModelInfo, type ModelInfo } from './gguf-info.ts';

export interface RegisteredModel {
  name: string;
  path: string;
  addedAt: string;
  info: Pick<
    ModelInfo,
    | 'type'
    | 'architecture'
    | 'parameters'
    | 'contextLength'
    | 'quantisation'
    | 'hasChatTemplate'
    | 'fileBytes'
  >;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class ModelRegistry {
  constructor(readonly file = join(labHome(), 'models.json')) {}

  list(): RegisteredModel[] {
    if (!existsSync(this.file)) return [];
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { models?: RegisteredModel[] };
      return Array.isArray(parsed.models) ? parsed.models : [];
    } catch (err) {
      throw new RegistryError(
        `the model registry ${this.file} is not valid JSON (${(err as Error).message}); fix or remove it`,
      );
    }
  }

  /** Add a GGUF model or adapter; its metadata is read (and a bad file refused) now. */
  async add(path: string, name = basename(path).replace(/\.gguf$/i, '')): Promise<RegisteredModel> {
    if (!NAME.test(name))
      throw new RegistryError(`model name '${name}' must be letters, digits, '.', '_' or '-' (at most 64)`);
    const models = this.list();
    if (models.some((m) => m.name === name))
      throw new RegistryError(`a model named '${name}' is already registered`);
    const full = resolve(path);
    const info = await readModelInfo(full);
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
    this.save([...models, entry]);
    return entry;
  }

  remove(name: string): void {
    const models = this.list();
    if (!models.some((m) => m.name === name))
      throw new RegistryError(`no model named '${name}' is registered`);
    this.save(models.filter((m) => m.name !== name));
  }

  /** A registered name's file, or the argument itself when it is not a registered name. */
  resolve(nameOrPath: string): string {
    return this.list().find((m) => m.name === nameOrPath)?.path ?? nameOrPath;
  }

  private save(models: RegisteredModel[]): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ version: 1, models }, null, 2) + '\n');
    renameSync(temp, this.file);
  }
}
