// `lab dev tiny-model` and `lab dev model-info` as a user runs them.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lab, tempDir } from '../helpers.ts';

describe('lab dev', () => {
  it('tiny-model writes the model and a LoRA adapter and prints their metadata', () => {
    const dir = tempDir();
    const model = join(dir, 'out', 'tiny.gguf');
    const lora = join(dir, 'out', 'tiny-lora.gguf');
    const { code, stdout } = lab('dev', 'tiny-model', model, '--lora', lora, '--seed', '7');
    expect(code).toBe(0);
    expect(existsSync(model) && existsSync(lora)).toBe(true);
    expect(stdout).toContain(`wrote ${model}`);
    expect(stdout).toMatch(/tiny\.gguf {2}\(model, llama, "tiny-llama-seed7"\)/);
    expect(stdout).toMatch(/parameters {4}178,240 in 21 tensors/);
    expect(stdout).toMatch(/tiny-lora\.gguf {2}\(adapter, llama, "tiny-lora-seed7"\)/);
    expect(stdout).toMatch(/lora alpha {4}16/);

    // Same seed, same bytes.
    const again = join(dir, 'again.gguf');
    expect(lab('dev', 'tiny-model', again, '--seed', '7').code).toBe(0);
    expect(readFileSync(again).equals(readFileSync(model))).toBe(true);
  });

  it('tiny-model --json --f16 prints one JSON document', () => {
    const out = join(tempDir(), 'f16.gguf');
    const { code, stdout } = lab('dev', 'tiny-model', out, '--json', '--f16');
    expect(code).toBe(0);
    const infos = JSON.parse(stdout) as { quantisation: string; type: string }[];
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ type: 'model', quantisation: 'F16' });
  });

  it('model-info reports a bad file on stderr with exit code 1', () => {
    const bad = join(tempDir(), 'bad.gguf');
    writeFileSync(bad, 'not a model');
    const { code, stderr } = lab('dev', 'model-info', bad);
    expect(code).toBe(1);
    expect(stderr).toBe(`lab: ${bad}: not a GGUF file (the first bytes are "not ", not "GGUF")\n`);
  });

  it('rejects bad usage with one line naming the flag or argument', () => {
    expect(lab('dev', 'tiny-model')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/exactly one output file/),
    });
    expect(lab('dev', 'tiny-model', 'x.bin').stderr).toMatch(/must name a \.gguf file/);
    const negative = lab('dev', 'tiny-model', 'x.gguf', '--seed', '-1');
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/^lab: --seed: /);
    expect(negative.stderr.trim().split('\n')).toHaveLength(1);
    expect(lab('dev', 'frobnicate').stderr).toMatch(/unknown dev command 'frobnicate'/);
  });
});
