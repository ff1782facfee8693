import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelRegistry, RegistryError } from '../../../core/llm/model-registry.ts';
import { tinyLoraFile, tinyModelFile } from './helpers.ts';
import { tempDir } from '../../helpers.ts';

describe('model registry', () => {
  it('registers GGUF files with their metadata, resolves names, removes them', async () => {
    const registry = new ModelRegistry(join(tempDir(), 'lab', 'models.json'));
    expect(registry.list()).toEqual([]);
    const model = tinyModelFile();
    const entry = await registry.add(model, 'tiny');
    expect(entry.info).toMatchObject({
      type: 'model',
      architecture: 'llama',
      contextLength: 8192,
      quantisation: 'F32',
      hasChatTemplate: true,
    });
    expect(entry.info.parameters).toBeGreaterThan(100_000);
    await registry.add(tinyLoraFile());
    expect(registry.list().map((m) => [m.name, m.info.type])).toEqual([
      ['tiny', 'model'],
      ['tiny-lora', 'adapter'],
    ]);
    expect(registry.lookup('tiny')).toEqual({ kind: 'file', path: model, registered: 'tiny' });
    expect(registry.lookup('/some/other.gguf')).toEqual({ kind: 'file', path: '/some/other.gguf' });
    // A second registry on the same file sees the same list: it is stored, not only in memory.
    expect(new ModelRegistry(registry.file).list()).toHaveLength(2);
    registry.remove('tiny');
    expect(registry.list().map((m) => m.name)).toEqual(['tiny-lora']);
  });

  it('refuses bad files, duplicate and malformed names, and says so', async () => {
    const dir = tempDir();
    const registry = new ModelRegistry(join(dir, 'models.json'));
    const notGguf = join(dir, 'notes.gguf');
    writeFileSync(notGguf, 'hello');
    await expect(registry.add(notGguf)).rejects.toThrow(/notes\.gguf/);
    await registry.add(tinyModelFile(), 'tiny');
    await expect(registry.add(tinyModelFile(), 'tiny')).rejects.toThrow(
      new RegistryError("a model or endpoint named 'tiny' is already registered"),
    );
    await expect(registry.add(tinyModelFile(), '../escape')).rejects.toThrow(/must be letters/);
    expect(() => registry.remove('ghost')).toThrow(/no model or endpoint named 'ghost'/);
    expect(JSON.parse(readFileSync(registry.file, 'utf8')).models).toHaveLength(1);
    writeFileSync(registry.file, '{broken');
    expect(() => registry.list()).toThrow(/not valid JSON .*fix or remove it/);
  });

  it('keeps remote endpoints by name beside local models, without touching the models', async () => {
    const registry = new ModelRegistry(join(tempDir(), 'models.json'));
    await registry.add(tinyModelFile(), 'tiny');
    registry.addEndpoint('gpu-box', 'openai:llama-70b@http://gpu-box:8000/v1');
    expect(registry.endpoints().map((e) => [e.name, e.spec])).toEqual([
      ['gpu-box', 'openai:llama-70b@http://gpu-box:8000/v1'],
    ]);
    expect(registry.lookup('gpu-box')).toEqual({
      kind: 'endpoint',
      spec: 'openai:llama-70b@http://gpu-box:8000/v1',
      registered: 'gpu-box',
    });
    expect(registry.list().map((m) => m.name)).toEqual(['tiny']);
    expect(() => registry.addEndpoint('bad', 'http://gpu-box:8000/v1')).toThrow(
      /not an endpoint: write openai:MODEL@/,
    );
    expect(() => registry.addEndpoint('tiny', 'openai:x@http://h/v1')).toThrow(/already registered/);
    registry.remove('gpu-box');
    expect(registry.endpoints()).toEqual([]);
    expect(registry.list().map((m) => m.name)).toEqual(['tiny']);
  });

  it('never lets a name stand for a path or a path for a name', async () => {
    const dir = tempDir();
    const registry = new ModelRegistry(join(dir, 'models.json'));
    // A name that looks like a file is refused, so `--model tiny.gguf` always means that file.
    expect(() => registry.addEndpoint('tiny.gguf', 'openai:x@http://attacker.example/v1')).toThrow(
      /not end in \.gguf \(that names a file\)/,
    );
    expect(() => registry.addEndpoint('a/b', 'openai:x@http://h/v1')).toThrow(/must be letters/);
    expect(registry.lookup('tiny.gguf')).toEqual({ kind: 'file', path: join(process.cwd(), 'tiny.gguf') });
    expect(registry.lookup('./models/x')).toEqual({ kind: 'file', path: join(process.cwd(), 'models/x') });
    // A bare word is a name: an unknown one is an error that says how to name a file instead.
    expect(() => registry.lookup('tiny')).toThrow(
      /no model or endpoint named 'tiny' is registered.*\.\/tiny\.gguf/,
    );
  });
});
