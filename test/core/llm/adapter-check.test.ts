// Checking a GGUF LoRA against a base model from the two headers, as llama.cpp's loader would, but
// with errors that name the file, the tensor and both shapes. Also the streamed file hash.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers.ts';
import { checkAdapterAgainstBase } from '../../../core/llm/adapter-check.ts';
import { sha256File } from '../../../core/llm/file-hash.ts';
import { AdapterError } from '../../../core/train/errors.ts';
import { buildTinyLlama, buildTinyLora, tinyVocab } from '../../../core/llm/tiny-model.ts';
import { kv, writeGguf, type GgufFile, type GgufTensor } from '../../../core/llm/gguf-writer.ts';

const dir = tempDir('blazer-adapter-check-');
const base = join(dir, 'base.gguf');
writeGguf(base, buildTinyLlama({ seed: 1 }));
const tied = join(dir, 'tied.gguf');
writeGguf(tied, buildTinyLlama({ seed: 1, tiedOutput: true }));

let count = 0;
function adapterFile(
  edit: (file: GgufFile) => void,
  options: Parameters<typeof buildTinyLora>[0] = {},
): string {
  const file = buildTinyLora({ seed: 2, rank: 4, ...options });
  edit(file);
  const path = join(dir, `adapter-${++count}.gguf`);
  writeGguf(path, file);
  return path;
}

const zeros = (name: string, shape: number[]): GgufTensor => ({
  name,
  shape,
  type: 'f32',
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
});

async function refusal(adapter: string, basePath = base): Promise<string> {
  const err = await checkAdapterAgainstBase(adapter, basePath).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AdapterError);
  return (err as Error).message;
}

describe('checkAdapterAgainstBase', () => {
  it('accepts a LoRA that fits and says what it adapts', async () => {
    const good = adapterFile(() => undefined, {
      targets: ['blk.1.ffn_down.weight', 'blk.0.attn_q.weight'],
      rank: 8,
    });
    expect(await checkAdapterAgainstBase(good, base)).toEqual({
      architecture: 'llama',
      rank: 8,
      alpha: 16,
      targets: ['blk.1.ffn_down.weight', 'blk.0.attn_q.weight'],
      tensors: 4,
    });
    // Every matrix of the tiny model, and norm tensors, which llama.cpp ignores.
    const all = adapterFile((f) => f.tensors.push(zeros('blk.0.attn_norm.weight', [64])));
    const summary = await checkAdapterAgainstBase(all, base);
    expect(summary.targets).toHaveLength(15);
    expect(summary.tensors).toBe(31);
  });

  it('accepts token_embd with A and B flipped (A [r, n_vocab], B [r, n_embd]) and refuses it unflipped', async () => {
    const vocab = tinyVocab().tokens.length;
    const flipped = adapterFile((f) => {
      f.tensors = [zeros('token_embd.weight.lora_a', [4, vocab]), zeros('token_embd.weight.lora_b', [4, 64])];
    });
    expect(await checkAdapterAgainstBase(flipped, base)).toMatchObject({
      rank: 4,
      targets: ['token_embd.weight'],
    });
    const unflipped = adapterFile((f) => {
      f.tensors = [zeros('token_embd.weight.lora_a', [64, 4]), zeros('token_embd.weight.lora_b', [4, vocab])];
    });
    expect(await refusal(unflipped)).toMatch(
      /token_embd\.weight\.lora_a has shape \[64, 4\], expected \[r, 366\] for the base tensor \[64, 366\]/,
    );
  });

  it('refuses a shape made for another base, naming the tensor and both shapes', async () => {
    const narrow = adapterFile(
      (f) => {
        f.tensors[0] = zeros('blk.0.attn_q.weight.lora_a', [32, 4]);
      },
      { targets: ['blk.0.attn_q.weight'] },
    );
    expect(await refusal(narrow)).toMatch(
      /adapter-\d+\.gguf: blk\.0\.attn_q\.weight\.lora_a has shape \[32, 4\], expected \[64, r\] for the base tensor \[64, 64\] in .*base\.gguf \(an adapter for another base model\?\)/,
    );
    const wideOut = adapterFile(
      (f) => {
        f.tensors[1] = zeros('blk.0.ffn_up.weight.lora_b', [4, 128]);
      },
      { targets: ['blk.0.ffn_up.weight'] },
    );
    expect(await refusal(wideOut)).toMatch(
      /blk\.0\.ffn_up\.weight\.lora_b has shape \[4, 128\], expected \[r, 256\] for the base tensor \[64, 256\]/,
    );
    const ranks = adapterFile(
      (f) => {
        f.tensors[1] = zeros('blk.0.attn_v.weight.lora_b', [8, 64]);
      },
      { targets: ['blk.0.attn_v.weight'] },
    );
    expect(await refusal(ranks)).toMatch(
      /blk\.0\.attn_v\.weight: lora_a \[64, 4\] has rank 4 but lora_b \[8, 64\] has rank 8/,
    );
  });

  it('refuses a target the base lacks, and output.weight on a tied base', async () => {
    const layer5 = adapterFile((f) => {
      f.tensors = [
        zeros('blk.5.attn_q.weight.lora_a', [64, 4]),
        zeros('blk.5.attn_q.weight.lora_b', [4, 64]),
      ];
    });
    expect(await refusal(layer5)).toMatch(
      /adapts blk\.5\.attn_q\.weight, which the base model .*base\.gguf does not have/,
    );
    const head = adapterFile(() => undefined, { targets: ['output.weight'] });
    expect(await checkAdapterAgainstBase(head, base)).toMatchObject({ targets: ['output.weight'] });
    expect(await refusal(head, tied)).toMatch(
      /adapts output\.weight, but the base model .*tied\.gguf has none \(its output is tied to token_embd\)/,
    );
  });

  it('refuses half a pair and a tensor that is not part of a LoRA', async () => {
    const half = adapterFile(
      (f) => {
        f.tensors = f.tensors.slice(0, 1);
      },
      { targets: ['blk.1.attn_k.weight'] },
    );
    expect(await refusal(half)).toMatch(
      /blk\.1\.attn_k\.weight\.lora_a has no blk\.1\.attn_k\.weight\.lora_b/,
    );
    const full = adapterFile((f) => f.tensors.push(zeros('blk.0.attn_q.weight', [64, 64])), {
      targets: ['blk.0.attn_v.weight'],
    });
    expect(await refusal(full)).toMatch(/tensor 'blk\.0\.attn_q\.weight' is not part of a LoRA/);
    const empty = adapterFile((f) => {
      f.tensors = [];
    });
    expect(await refusal(empty)).toMatch(/the adapter has no LoRA tensors/);
  });

  it('refuses a model as adapter, another adapter type, another architecture and an adapter as base', async () => {
    expect(await refusal(base)).toMatch(/base\.gguf: is a GGUF model \(general\.type\), not an adapter/);
    const ia3 = adapterFile((f) => (f.metadata['adapter.type'] = kv.string('ia3')));
    expect(await refusal(ia3)).toMatch(/adapter\.type is "ia3", only 'lora' adapters are supported/);
    const qwen = join(dir, 'qwen3.gguf');
    writeGguf(qwen, buildTinyLlama({ seed: 1, architecture: 'qwen3' }));
    const llamaAdapter = adapterFile(() => undefined);
    expect(await refusal(llamaAdapter, qwen)).toMatch(
      /the adapter is for architecture 'llama', the base model .*qwen3\.gguf is 'qwen3'/,
    );
    expect(await refusal(llamaAdapter, llamaAdapter)).toMatch(
      /is a GGUF adapter \(general\.type\), not a base model/,
    );
  });

  it('refuses missing and truncated files, naming them', async () => {
    expect(await refusal(join(dir, 'absent.gguf'))).toMatch(/absent\.gguf: no such file/);
    const whole = readFileSync(adapterFile(() => undefined));
    const cut = join(dir, 'cut.gguf');
    writeFileSync(cut, whole.subarray(0, whole.length - 100));
    expect(await refusal(cut)).toMatch(/cut\.gguf: truncated GGUF file/);
  });
});

describe('sha256File', () => {
  it('hashes a file larger than one read chunk the same as hashing it whole', async () => {
    const path = join(dir, 'big.bin');
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(path, bytes);
    expect(await sha256File(path)).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await sha256File(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});
