// The lab's LoRA adapters: GGUF files in <lab home>/adapters/<name>.gguf, listed in
// <lab home>/adapters.json (written atomically) with what each fits: the base model's path,
// architecture and SHA-256. llama.cpp checks only names and shapes, so an adapter would load
// silently on another checkpoint of the same shape; checkBeforeUse compares the hash instead.
//
// An import converts (PEFT folder) or copies (GGUF) into a temporary file in the adapters folder,
// checks it against the base, and only then renames it into place and lists it: a failed import
// leaves nothing behind.
import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { labHome } from '../paths.ts';
import { writeFileAtomicallySync } from '../files/atomic-write.ts';
import { AdapterError } from '../train/errors.ts';
import { isRegistryName, RegistryError } from './model-registry.ts';
import { checkAdapterHeaders, readGgufForAdapter } from './adapter-check.ts';
import { importPeftAdapter } from './adapter-import.ts';
import { sha256File } from './file-hash.ts';
import type { RegisteredAdapter } from '../../api/types.ts';

export type AdapterSource = RegisteredAdapter['source'];

export interface ImportAdapterOptions {
  /** A PEFT adapter folder (adapter_config.json + adapter_model.safetensors) or a GGUF LoRA file. */
  from: string;
  /** The base model's GGUF file. */
  base: string;
  /** Default: the folder's name, or the file's without .gguf. */
  name?: string;
  /** Default: 'peft' for a folder, 'gguf' for a file. */
  source?: AdapterSource;
  trainJob?: number;
  trainingSet?: string;
}

interface RegistryFile {
  adapters: RegisteredAdapter[];
}

export class AdapterRegistry {
  constructor(readonly file = join(labHome(), 'adapters.json')) {}

  /** Where the adapters' GGUF files live: beside the registry file. */
  get folder(): string {
    return join(dirname(this.file), 'adapters');
  }

  list(): RegisteredAdapter[] {
    return this.read().adapters;
  }

  /** The entry of a registered adapter, or undefined. */
  find(name: string): RegisteredAdapter | undefined {
    return this.list().find((a) => a.name === name);
  }

  /** The entry of a registered adapter; a RegistryError when there is none. */
  resolve(name: string): RegisteredAdapter {
    const entry = this.find(name);
    if (!entry) throw new RegistryError(`no adapter named '${name}' is registered (see lab adapters)`);
    return entry;
  }

  /**
   * Converts or copies an adapter into the lab's adapters folder, checks it against the base,
   * records the base's hash and lists it under `name`. Nothing stays behind when it fails.
   */
  async importAdapter(options: ImportAdapterOptions): Promise<RegisteredAdapter> {
    const from = resolve(options.from);
    const name = options.name ?? basename(from).replace(/\.gguf$/i, '');
    this.checkNewName(name);
    const basePath = resolve(options.base);
    const kind = statSync(from, { throwIfNoEntry: false });
    if (!kind) throw new AdapterError(`${from}: no such file or folder`);
    if (kind.isFile() && /\.safetensors$/i.test(from))
      throw new AdapterError(`${from}: name the PEFT adapter's folder, not its safetensors file`);

    mkdirSync(this.folder, { recursive: true });
    const target = join(this.folder, `${name}.gguf`);
    if (existsSync(target))
      throw new RegistryError(
        `${target} exists but no adapter '${name}' is registered: remove the file or choose another name`,
      );
    const temp = join(this.folder, `.${name}.gguf.${randomBytes(6).toString('hex')}.tmp`);
    let placed = false;
    try {
      const baseHeader = await readGgufForAdapter(basePath);
      if (kind.isDirectory()) {
        await importPeftAdapter(from, basePath, temp, { name });
      } else {
        checkAdapterHeaders(await readGgufForAdapter(from), baseHeader); // before copying a large wrong file
        await copyFile(from, temp);
      }
      // The file that is kept is checked too: the converter's output, or the copy.
      const summary = checkAdapterHeaders(await readGgufForAdapter(temp), baseHeader);
      const base = baseHeader.info;
      const sha256 = await sha256File(basePath);
      const entry: RegisteredAdapter = {
        name,
        path: target,
        addedAt: new Date().toISOString(),
        base: {
          path: basePath,
          sha256,
          architecture: base.architecture,
          name: base.name ?? basename(basePath),
        },
        source: options.source ?? (kind.isDirectory() ? 'peft' : 'gguf'),
        rank: summary.rank,
        targets: summary.targets,
        ...(options.trainJob !== undefined ? { trainJob: options.trainJob } : {}),
        ...(options.trainingSet !== undefined ? { trainingSet: options.trainingSet } : {}),
        bytes: (await stat(temp)).size,
      };
      this.checkNewName(name); // again: another import may have taken it meanwhile
      if (existsSync(target))
        throw new RegistryError(`${target} appeared while importing: choose another name`);
      await rename(temp, target);
      placed = true;
      this.save({ adapters: [...this.list(), entry] });
      return entry;
    } catch (err) {
      await rm(temp, { force: true });
      if (placed) await rm(target, { force: true });
      throw err;
    }
  }

  /** Unlists an adapter and deletes its file from the adapters folder. */
  remove(name: string): void {
    const entry = this.resolve(name);
    this.save({ adapters: this.list().filter((a) => a.name !== name) });
    // Only files the registry put in its own folder are deleted; never a file elsewhere.
    if (dirname(entry.path) === this.folder) {
      try {
        unlinkSync(entry.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  private checkNewName(name: string): void {
    if (!isRegistryName(name))
      throw new RegistryError(
        `adapter name '${name}' must be letters, digits, '.', '_' or '-' (at most 64), and not end in .gguf (that names a file)`,
      );
    if (this.find(name)) throw new RegistryError(`an adapter named '${name}' is already registered`);
  }

  private read(): RegistryFile {
    if (!existsSync(this.file)) return { adapters: [] };
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<RegistryFile>;
      return { adapters: Array.isArray(parsed.adapters) ? parsed.adapters : [] };
    } catch (err) {
      throw new RegistryError(
        `the adapter registry ${this.file} is not valid JSON (${(err as Error).message}); fix or remove it`,
      );
    }
  }

  private save(file: RegistryFile): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomicallySync(this.file, JSON.stringify({ version: 1, ...file }, null, 2) + '\n');
  }
}

const describeBase = (base: { path: string; name?: string }): string =>
  base.name ? `'${base.name}' (${base.path})` : base.path;

/**
 * Refuses to apply an adapter to a base file other than the one it was imported for: the file's
 * SHA-256 must equal the recorded one (a re-downloaded, re-quantised or replaced model differs).
 */
export async function checkBeforeUse(entry: RegisteredAdapter, basePath: string): Promise<void> {
  if (!existsSync(entry.path))
    throw new AdapterError(
      `adapter '${entry.name}': its file ${entry.path} is missing (remove it and import it again)`,
    );
  let sha256: string;
  try {
    sha256 = await sha256File(basePath);
  } catch (err) {
    throw new AdapterError(
      `${basePath}: cannot read the base model (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      {
        cause: err,
      },
    );
  }
  if (sha256 === entry.base.sha256) return;
  const current = await readGgufForAdapter(basePath).then(
    (h) => h.info.name,
    () => undefined,
  );
  throw new AdapterError(
    `adapter '${entry.name}' was made for the model ${describeBase(entry.base)} (sha256 ${entry.base.sha256.slice(0, 12)}…), ` +
      `but ${describeBase({ path: basePath, name: current })} is a different file (sha256 ${sha256.slice(0, 12)}…): ` +
      `import the adapter again for this model if it really fits it`,
  );
}
