// The adapter registry: import (PEFT folder or GGUF) into the lab's adapters folder with the base's
// hash, list, resolve, remove; a failed import leaves nothing behind, at every stage; an adapter is
// refused on a base file other than the one it was imported for, also when opened by name.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from '../../helpers.ts';
import { AdapterRegistry, checkBeforeUse } from '../../../core/llm/adapter-registry.ts';
import { RegistryError } from '../../../core/llm/model-registry.ts';
import { AdapterError } from '../../../core/train/errors.ts';
import { openModel } from '../../../core/llm/open-model.ts';
import { disposeSharedLlama } from '../../../core/llm/local-model.ts';
import { writeTinyLlama, writeTinyLora } from '../../../core/llm/tiny-model.ts';
import { writePeftAdapter } from './peft-fixture.ts';

/** Faults injected at the two late stages of an import: hashing the base, saving the registry. */
const fault = vi.hoisted(() => ({ hash: false, save: false }));
vi.mock('../../../core/llm/file-hash.ts', async (original) => {
  const real = await original<typeof import('../../../core/llm/file-hash.ts')>();
  return {
    sha256File: (path: string) =>
      fault.hash ? Promise.reject(new Error('injected: disk read error')) : real.sha256File(path),
  };
});
vi.mock('../../../core/files/atomic-write.ts', async (original) => {
  const real = await original<typeof import('../../../core/files/atomic-write.ts')>();
  return {
    ...real,
    writeFileAtomicallySync: (path: string, content: string | Uint8Array) => {
      if (fault.save && path.endsWith('adapters.json')) throw new Error('injected: disk full');
      real.writeFileAtomicallySync(path, content);
    },
  };
});

const savedHome = process.env.BLAZER_LAB_HOME;
let home: string;
let models: string;
let base: string;
beforeAll(() => {
  home = tempDir('blazer-adapters-home-');
  process.env.BLAZER_LAB_HOME = home;
  models = tempDir('blazer-adapters-models-');
  base = join(models, 'base.gguf');
  writeTinyLlama(base, { seed: 1 });
});
afterAll(async () => {
  await disposeSharedLlama();
  if (savedHome === undefined) delete process.env.BLAZER_LAB_HOME;
  else process.env.BLAZER_LAB_HOME = savedHome;
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function peftFolder(options: Parameters<typeof writePeftAdapter>[1] = {}): string {
  const folder = join(tempDir('blazer-adapters-peft-'), 'my-peft');
  writePeftAdapter(folder, { modules: ['q_proj', 'v_proj'], ...options });
  return folder;
}

describe('adapter registry', () => {
  it('imports a PEFT folder and a GGUF LoRA into the lab home, lists, resolves and removes them', async () => {
    const registry = new AdapterRegistry();
    expect(registry.file).toBe(join(home, 'adapters.json'));
    expect(registry.list()).toEqual([]);

    const peft = await registry.importAdapter({ from: peftFolder(), base, name: 'arm-peft' });
    expect(peft).toEqual({
      name: 'arm-peft',
      path: join(home, 'adapters', 'arm-peft.gguf'),
      addedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      base: { path: base, sha256: sha256(base), architecture: 'llama', name: 'tiny-llama-seed1' },
      source: 'peft',
      rank: 4,
      targets: ['blk.0.attn_q.weight', 'blk.0.attn_v.weight', 'blk.1.attn_q.weight', 'blk.1.attn_v.weight'],
      bytes: statSync(join(home, 'adapters', 'arm-peft.gguf')).size,
    });

    const lora = join(models, 'trained.gguf');
    writeTinyLora(lora, { seed: 3, rank: 8 });
    const gguf = await registry.importAdapter({
      from: lora,
      base,
      name: 'arm-v2',
      source: 'builtin',
      trainJob: 7,
      trainingSet: 'pick-place',
    });
    expect(gguf).toMatchObject({
      source: 'builtin',
      rank: 8,
      trainJob: 7,
      trainingSet: 'pick-place',
      bytes: statSync(lora).size,
    });
    expect(gguf.targets).toHaveLength(15);
    expect(readFileSync(gguf.path)).toEqual(readFileSync(lora)); // a copy, byte for byte
    expect((await registry.importAdapter({ from: lora, base, name: 'as-file' })).source).toBe('gguf');
    // Without a name: the folder's name, or the file's without .gguf.
    expect((await registry.importAdapter({ from: peftFolder(), base })).name).toBe('my-peft');
    expect((await registry.importAdapter({ from: lora, base })).name).toBe('trained');

    // A second registry on the same home reads the same file.
    const again = new AdapterRegistry();
    expect(again.list().map((a) => a.name)).toEqual(['arm-peft', 'arm-v2', 'as-file', 'my-peft', 'trained']);
    expect(again.resolve('arm-v2')).toEqual(gguf);
    expect(() => again.resolve('ghost')).toThrow(
      new RegistryError("no adapter named 'ghost' is registered (see lab adapters)"),
    );

    registry.remove('arm-peft');
    expect(existsSync(peft.path)).toBe(false);
    expect(registry.list().map((a) => a.name)).toEqual(['arm-v2', 'as-file', 'my-peft', 'trained']);
    expect(() => registry.remove('arm-peft')).toThrow(/no adapter named 'arm-peft'/);
    expect(existsSync(lora)).toBe(true); // the source file is the user's: untouched
    for (const name of ['arm-v2', 'as-file', 'my-peft', 'trained']) registry.remove(name);
    expect(readdirSync(join(home, 'adapters'))).toEqual([]);
  });

  it('refuses bad and taken names before doing any work', async () => {
    const registry = new AdapterRegistry();
    await registry.importAdapter({ from: peftFolder(), base, name: 'taken' });
    await expect(registry.importAdapter({ from: peftFolder(), base, name: 'taken' })).rejects.toThrow(
      new RegistryError("an adapter named 'taken' is already registered"),
    );
    for (const name of ['../escape', 'x.gguf', '', 'a/b', '.hidden'])
      await expect(registry.importAdapter({ from: peftFolder(), base, name })).rejects.toThrow(
        /adapter name .* must be letters/,
      );
    // A stray file under the name is never overwritten.
    writeFileSync(join(registry.folder, 'stray.gguf'), 'mine');
    await expect(registry.importAdapter({ from: peftFolder(), base, name: 'stray' })).rejects.toThrow(
      /stray\.gguf exists but no adapter 'stray' is registered/,
    );
    expect(readFileSync(join(registry.folder, 'stray.gguf'), 'utf8')).toBe('mine');
    registry.remove('taken');
  });

  it('leaves nothing behind when an import fails, at any stage', async () => {
    const registry = new AdapterRegistry();
    await registry.importAdapter({ from: peftFolder(), base, name: 'keep' });
    const folderBefore = readdirSync(registry.folder).sort();
    const registryBefore = readFileSync(registry.file, 'utf8');
    const unchanged = (): void => {
      expect(readdirSync(registry.folder).sort()).toEqual(folderBefore);
      expect(readFileSync(registry.file, 'utf8')).toBe(registryBefore);
    };

    // Refused while converting: DoRA; an adapter for a base of another width.
    await expect(
      registry.importAdapter({ from: peftFolder({ config: { use_dora: true } }), base, name: 'dora' }),
    ).rejects.toThrow(AdapterError);
    unchanged();
    await expect(
      registry.importAdapter({ from: peftFolder({ embd: 32 }), base, name: 'narrow' }),
    ).rejects.toThrow(/expected \[r, 64\]/);
    unchanged();
    // Refused by the check of a GGUF LoRA against the base: a llama adapter for a qwen3 base.
    const qwenBase = join(models, 'qwen3.gguf');
    writeTinyLlama(qwenBase, { architecture: 'qwen3' });
    const lora = join(models, 'llama-lora.gguf');
    writeTinyLora(lora);
    await expect(registry.importAdapter({ from: lora, base: qwenBase, name: 'wrong-arch' })).rejects.toThrow(
      /architecture 'llama'.*'qwen3'/,
    );
    unchanged();
    await expect(
      registry.importAdapter({ from: join(models, 'absent'), base, name: 'absent' }),
    ).rejects.toThrow(/absent: no such file or folder/);
    unchanged();

    // Failing after the GGUF was written (hashing the base), and after it was renamed into place
    // (saving the registry): the file is removed again.
    fault.hash = true;
    await expect(registry.importAdapter({ from: peftFolder(), base, name: 'late1' })).rejects.toThrow(
      /injected: disk read error/,
    );
    fault.hash = false;
    unchanged();
    fault.save = true;
    await expect(registry.importAdapter({ from: lora, base, name: 'late2' })).rejects.toThrow(
      /injected: disk full/,
    );
    fault.save = false;
    unchanged();
    expect(registry.list().map((a) => a.name)).toEqual(['keep']);
    registry.remove('keep');
  });

  it('refuses an adapter on a base file whose hash differs, naming both models, also when opened by name', async () => {
    const registry = new AdapterRegistry();
    const ownBase = join(models, 'own-base.gguf');
    writeTinyLlama(ownBase, { seed: 1 });
    const entry = await registry.importAdapter({ from: peftFolder(), base: ownBase, name: 'fits-seed1' });
    await checkBeforeUse(entry, ownBase);
    // The same weights in another file are the same model.
    const copy = join(models, 'copy.gguf');
    copyFileSync(ownBase, copy);
    await checkBeforeUse(entry, copy);

    // Another checkpoint of the same shape: llama.cpp would load the adapter without a word.
    const other = join(models, 'other.gguf');
    writeTinyLlama(other, { seed: 2 });
    const err = await checkBeforeUse(entry, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^adapter 'fits-seed1' was made for the model 'tiny-llama-seed1' \\(${ownBase}\\) \\(sha256 ${entry.base.sha256.slice(0, 12)}…\\), ` +
          `but 'tiny-llama-seed2' \\(${other}\\) is a different file \\(sha256 [0-9a-f]{12}…\\)`,
      ),
    );

    // By name through openModel: fine on its base, refused once the base file is replaced.
    const model = await openModel(ownBase, { adapter: 'fits-seed1', threads: 1 });
    expect(model.describe().adapters).toEqual([{ file: 'fits-seed1.gguf', scale: 1 }]);
    await model.dispose();
    writeTinyLlama(ownBase, { seed: 2 });
    await expect(openModel(ownBase, { adapter: 'fits-seed1', threads: 1 })).rejects.toThrow(
      /adapter 'fits-seed1' was made for the model 'tiny-llama-seed1'.*but 'tiny-llama-seed2'/,
    );

    // A missing adapter file is named too.
    registry.remove('fits-seed1');
    await expect(checkBeforeUse(entry, copy)).rejects.toThrow(
      /adapter 'fits-seed1': its file .*fits-seed1\.gguf is missing/,
    );
  });
});
