// `lab dev tiny-model` and `lab dev model-info`, called through devCommand with captured output.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devCommand } from '../../../cli/dev.ts';
import { UsageError } from '../../../cli/args.ts';
import { tempDir } from '../../helpers.ts';

function capture(stream: NodeJS.WriteStream): { text: () => string } {
  let out = '';
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  return { text: () => out };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('lab dev', () => {
  it('tiny-model writes the model and a LoRA adapter and prints their metadata', async () => {
    const dir = tempDir();
    const model = join(dir, 'out', 'tiny.gguf');
    const lora = join(dir, 'out', 'tiny-lora.gguf');
    const stdout = capture(process.stdout);
    const code = await devCommand({ positionals: ['tiny-model', model], flags: { lora, seed: '7' } });
    expect(code).toBe(0);
    expect(existsSync(model) && existsSync(lora)).toBe(true);
    const text = stdout.text();
    expect(text).toContain(`wrote ${model}`);
    expect(text).toMatch(/tiny\.gguf {2}\(model, llama, "tiny-llama-seed7"\)/);
    expect(text).toMatch(/parameters {4}178,240 in 21 tensors/);
    expect(text).toMatch(/tiny-lora\.gguf {2}\(adapter, llama, "tiny-lora-seed7"\)/);
    expect(text).toMatch(/lora alpha {4}16/);

    // Same seed, same bytes.
    const again = join(dir, 'again.gguf');
    await devCommand({ positionals: ['tiny-model', again], flags: { seed: '7' } });
    expect(readFileSync(again).equals(readFileSync(model))).toBe(true);
  });

  it('tiny-model --json --f16 prints one JSON document', async () => {
    const out = join(tempDir(), 'f16.gguf');
    const stdout = capture(process.stdout);
    expect(await devCommand({ positionals: ['tiny-model', out], flags: { json: true, f16: true } })).toBe(0);
    const infos = JSON.parse(stdout.text()) as { quantisation: string; type: string }[];
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ type: 'model', quantisation: 'F16' });
  });

  it('model-info reports a bad file on stderr with exit code 1', async () => {
    const bad = join(tempDir(), 'bad.gguf');
    writeFileSync(bad, 'not a model');
    const stderr = capture(process.stderr);
    expect(await devCommand({ positionals: ['model-info', bad], flags: {} })).toBe(1);
    expect(stderr.text()).toBe(`lab: ${bad}: not a GGUF file (the first bytes are "not ", not "GGUF")\n`);
  });

  it('rejects bad usage', async () => {
    await expect(devCommand({ positionals: ['tiny-model'], flags: {} })).rejects.toThrow(UsageError);
    await expect(devCommand({ positionals: ['tiny-model', 'x.bin'], flags: {} })).rejects.toThrow(
      /must name a \.gguf file/,
    );
    await expect(
      devCommand({ positionals: ['tiny-model', 'x.gguf'], flags: { seed: '-1' } }),
    ).rejects.toThrow(/--seed needs a whole number/);
    await expect(devCommand({ positionals: ['frobnicate'], flags: {} })).rejects.toThrow(
      /unknown dev command 'frobnicate'/,
    );
  });
});
