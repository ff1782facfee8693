// PEFT -> GGUF LoRA import. The measure: llama.cpp running the base with the imported adapter gives
// the same next-token probabilities as llama.cpp running the base with the same update merged into
// its weights by hand (peft-fixture.ts, written independently of the importer, with the llama q/k
// permutation spelled out). Skipping the q/k permutation moves probabilities by 0.02-0.07 (logits
// by 2-4); a correct import differs by float rounding only: at most 1e-5, the same as moving every
// merged weight by one float32 ulp does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, type Llama } from 'node-llama-cpp';
import { tempDir } from '../../helpers.ts';
import { importGgufAdapter, importPeftAdapter } from '../../../core/llm/adapter-import.ts';
import { AdapterError } from '../../../core/train/errors.ts';
import {
  buildTinyLlama,
  buildTinyLora,
  tinyVocab,
  type TinyLlamaOptions,
} from '../../../core/llm/tiny-model.ts';
import { kv, writeGguf } from '../../../core/llm/gguf-writer.ts';
import { readGgufHeader } from '../../../core/llm/gguf-info.ts';
import { mergeIntoBase, writePeftAdapter, type PeftFixtureOptions } from './peft-fixture.ts';

const PROMPTS = ['Pick up the red cube', '{"steps": [{"primitive": "move', 'Stack the blocks.'];

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1 });
});
afterAll(async () => {
  await llama?.dispose();
});

/** The next-token distribution after each prompt (temperature 0: the plain softmax of the logits). */
async function nextTokenProbabilities(modelPath: string, adapter?: string): Promise<Float64Array[]> {
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  try {
    const context = await model.createContext({
      contextSize: 128,
      threads: 1,
      lora: adapter ? { adapters: [{ filePath: adapter }] } : undefined,
    });
    try {
      const sequence = context.getSequence();
      const result: Float64Array[] = [];
      for (const prompt of PROMPTS) {
        await sequence.clearHistory();
        const run = sequence.evaluateWithMetadata(
          model.tokenize(prompt),
          { probabilities: true },
          { temperature: 0 },
        );
        const { value } = await run.next();
        await run.return();
        const p = new Float64Array(tinyVocab().tokens.length);
        for (const [token, probability] of value!.probabilities) p[token] = probability;
        result.push(p);
      }
      return result;
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}

interface Comparison {
  /** Largest |p_adapter - p_merged| over tokens and prompts. */
  maxProbabilityDiff: number;
  /**
   * Largest logit difference, up to the constant softmax ignores: half the spread of
   * log(p_adapter / p_merged) over the tokens with p > 1e-6 in both.
   */
  maxLogitDiff: number;
  /** Smallest L1 distance between the base's and the adapter's distributions: the adapter matters. */
  minEffect: number;
}

function compare(base: Float64Array[], adapted: Float64Array[], merged: Float64Array[]): Comparison {
  let maxProbabilityDiff = 0;
  let maxLogitDiff = 0;
  let minEffect = Infinity;
  for (let i = 0; i < adapted.length; i++) {
    let [lowRatio, highRatio, effect] = [Infinity, -Infinity, 0];
    for (let t = 0; t < adapted[i].length; t++) {
      maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(adapted[i][t] - merged[i][t]));
      if (adapted[i][t] > 1e-6 && merged[i][t] > 1e-6) {
        const ratio = Math.log(adapted[i][t] / merged[i][t]);
        [lowRatio, highRatio] = [Math.min(lowRatio, ratio), Math.max(highRatio, ratio)];
      }
      effect += Math.abs(adapted[i][t] - base[i][t]);
    }
    maxLogitDiff = Math.max(maxLogitDiff, (highRatio - lowRatio) / 2);
    minEffect = Math.min(minEffect, effect);
  }
  return { maxProbabilityDiff, maxLogitDiff, minEffect };
}

/**
 * Imports a synthetic PEFT adapter for the tiny model and runs base, base + adapter and the merged
 * model in llama.cpp.
 */
async function importAndCompare(model: TinyLlamaOptions, peft: PeftFixtureOptions): Promise<Comparison> {
  const dir = tempDir('blazer-peft-');
  const base = buildTinyLlama(model);
  const basePath = join(dir, 'base.gguf');
  const mergedPath = join(dir, 'merged.gguf');
  writeGguf(basePath, base);
  const loras = writePeftAdapter(join(dir, 'peft'), peft);
  writeGguf(mergedPath, mergeIntoBase(base, loras, model));
  const adapterPath = join(dir, 'adapter.gguf');
  const summary = await importPeftAdapter(join(dir, 'peft'), basePath, adapterPath);
  expect(summary.targets).toHaveLength(loras.length);
  const result = compare(
    await nextTokenProbabilities(basePath),
    await nextTokenProbabilities(basePath, adapterPath),
    await nextTokenProbabilities(mergedPath),
  );
  console.log(`${model.architecture ?? 'llama'} ${JSON.stringify(peft)}: ${JSON.stringify(result)}`);
  return result;
}

const EXACT = { maxProbabilityDiff: 1e-4, maxLogitDiff: 5e-3 };

function expectSame(result: Comparison): void {
  expect(result.minEffect).toBeGreaterThan(0.05);
  expect(result.maxProbabilityDiff).toBeLessThan(EXACT.maxProbabilityDiff);
  expect(result.maxLogitDiff).toBeLessThan(EXACT.maxLogitDiff);
}

describe('PEFT adapter import: llama.cpp with the adapter = llama.cpp with the update merged', () => {
  it('llama, F32, all seven linear modules plus embed_tokens and lm_head (q/k rows permuted, embedding A flipped)', async () => {
    expectSame(await importAndCompare({ seed: 3 }, { seed: 3, embedTokens: true, lmHead: true }));
  });

  it('llama, BF16 and F16 adapter files', async () => {
    expectSame(await importAndCompare({ seed: 4 }, { seed: 4, dtype: 'BF16' }));
    expectSame(await importAndCompare({ seed: 5 }, { seed: 5, dtype: 'F16' }));
  });

  it('qwen3 and qwen2 keep the HF row order (no q/k permutation)', async () => {
    expectSame(await importAndCompare({ seed: 6, architecture: 'qwen3' }, { seed: 6 }));
    expectSame(
      await importAndCompare({ seed: 7, architecture: 'qwen2' }, { seed: 7, modules: ['q_proj', 'k_proj'] }),
    );
  });

  it('rsLoRA scales by alpha / sqrt(r)', async () => {
    expectSame(await importAndCompare({ seed: 8 }, { seed: 8, r: 4, loraAlpha: 6, useRslora: true }));
  });

  it('rank_pattern and alpha_pattern set the rank and scale per module', async () => {
    const peft = {
      seed: 9,
      r: 4,
      loraAlpha: 8,
      rankPattern: { q_proj: 8 },
      alphaPattern: { 'layers\\.1\\.mlp\\.down_proj': 32 },
    };
    expectSame(await importAndCompare({ seed: 9 }, peft));
  });
});

describe('PEFT adapter import: what is written', () => {
  it('a GGUF LoRA with adapter.lora.alpha = r (scale folded into B), sorted by layer', async () => {
    const dir = tempDir('blazer-peft-');
    const basePath = join(dir, 'base.gguf');
    writeGguf(basePath, buildTinyLlama({ seed: 2 }));
    writePeftAdapter(join(dir, 'peft'), { seed: 2, modules: ['v_proj', 'q_proj'], r: 4, loraAlpha: 8 });
    const out = join(dir, 'out.gguf');
    const summary = await importPeftAdapter(join(dir, 'peft'), basePath, out, { name: 'my-adapter' });
    expect(summary).toEqual({
      architecture: 'llama',
      rank: 4,
      alpha: 4,
      targets: ['blk.0.attn_q.weight', 'blk.0.attn_v.weight', 'blk.1.attn_q.weight', 'blk.1.attn_v.weight'],
      tensors: 8,
    });
    const header = await readGgufHeader(out);
    expect(header.info).toMatchObject({
      type: 'adapter',
      architecture: 'llama',
      name: 'my-adapter',
      loraAlpha: 4,
    });
    expect(header.metadata.adapter).toEqual({ type: 'lora', lora: { alpha: 4 } });
    expect(header.tensors.slice(0, 2)).toEqual([
      { name: 'blk.0.attn_q.weight.lora_a', shape: [64, 4], ggmlType: 0 },
      { name: 'blk.0.attn_q.weight.lora_b', shape: [4, 64], ggmlType: 0 },
    ]);
  });
});

describe('GGUF adapter import', () => {
  it('checks an existing GGUF LoRA against the base', async () => {
    const dir = tempDir('blazer-gguf-import-');
    const basePath = join(dir, 'base.gguf');
    writeGguf(basePath, buildTinyLlama({ seed: 1 }));
    const lora = join(dir, 'lora.gguf');
    writeGguf(lora, buildTinyLora({ seed: 1, rank: 8, targets: ['blk.0.ffn_gate.weight'] }));
    expect(await importGgufAdapter(lora, basePath)).toEqual({
      architecture: 'llama',
      rank: 8,
      alpha: 16,
      targets: ['blk.0.ffn_gate.weight'],
      tensors: 2,
    });
    const qwen = join(dir, 'qwen2.gguf');
    writeGguf(qwen, buildTinyLlama({ seed: 1, architecture: 'qwen2' }));
    await expect(importGgufAdapter(lora, qwen)).rejects.toThrow(
      new AdapterError(`${lora}: the adapter is for architecture 'llama', the base model ${qwen} is 'qwen2'`),
    );
  });
});

describe('PEFT adapter import: refusals name the reason and write nothing', () => {
  let dir: string;
  let basePath: string;
  let tiedBasePath: string;
  beforeAll(() => {
    dir = tempDir('blazer-peft-refuse-');
    basePath = join(dir, 'base.gguf');
    tiedBasePath = join(dir, 'tied.gguf');
    writeGguf(basePath, buildTinyLlama({ seed: 1 }));
    writeGguf(tiedBasePath, buildTinyLlama({ seed: 1, tiedOutput: true }));
  });

  /** Imports a fixture adapter; returns the AdapterError message, checking no file was written. */
  async function refusal(
    peft: PeftFixtureOptions,
    prepare?: (folder: string) => void,
    base = basePath,
  ): Promise<string> {
    const folder = tempDir('blazer-peft-case-');
    writePeftAdapter(folder, { modules: ['q_proj'], ...peft });
    prepare?.(folder);
    const outDir = tempDir('blazer-peft-out-');
    const err = await importPeftAdapter(folder, base, join(outDir, 'out.gguf')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(readdirSync(outDir)).toEqual([]);
    return (err as Error).message;
  }

  it('DoRA, by use_dora', async () => {
    expect(await refusal({ config: { use_dora: true } })).toMatch(
      /adapter_config\.json: a DoRA adapter \(use_dora is true\)/,
    );
  });

  it('DoRA, by a lora_magnitude_vector tensor', async () => {
    const extraTensors = {
      'base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector': {
        shape: [64],
        data: new Float32Array(64),
      },
    };
    expect(await refusal({ extraTensors })).toMatch(
      /adapter_model\.safetensors: 'base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_magnitude_vector' is a DoRA magnitude vector/,
    );
  });

  it('modules_to_save in the config', async () => {
    expect(await refusal({ config: { modules_to_save: ['lm_head', 'embed_tokens'] } })).toMatch(
      /modules_to_save \(lm_head, embed_tokens\) saves whole trained modules/,
    );
  });

  it('a full lm_head tensor (modules_to_save saved without the config saying so)', async () => {
    const extraTensors = {
      'base_model.model.lm_head.weight': { shape: [366, 64], data: new Float32Array(366 * 64) },
    };
    expect(await refusal({ extraTensors })).toMatch(
      /'base_model\.model\.lm_head\.weight' is a full tensor, not a LoRA lora_A\/lora_B pair \(from modules_to_save/,
    );
  });

  it('an lm_head LoRA on a base whose output is tied to the embeddings', async () => {
    expect(await refusal({ lmHead: true }, undefined, tiedBasePath)).toMatch(
      /has a LoRA on lm_head, but the base model .*tied\.gguf has no output\.weight: its output is tied to the token embeddings/,
    );
    // The same adapter fits the untied base.
    const folder = tempDir('blazer-peft-case-');
    writePeftAdapter(folder, { modules: ['q_proj'], lmHead: true });
    await expect(importPeftAdapter(folder, basePath, join(folder, 'ok.gguf'))).resolves.toMatchObject({
      rank: 4,
    });
  });

  it('an adapter for another base (built for 32 dims), naming expected and actual shapes', async () => {
    expect(await refusal({ embd: 32 })).toMatch(
      /base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_A\.weight has shape \[4, 32\], expected \[r, 64\] for the base tensor blk\.0\.attn_q\.weight \[64, 64\] in .*base\.gguf/,
    );
  });

  it('a module the base lacks (layer 5 of a 2-layer model), and a module with no GGUF name', async () => {
    const layer5 = {
      'base_model.model.model.layers.5.self_attn.q_proj.lora_A.weight': {
        shape: [4, 64],
        data: new Float32Array(256),
      },
      'base_model.model.model.layers.5.self_attn.q_proj.lora_B.weight': {
        shape: [64, 4],
        data: new Float32Array(256),
      },
    };
    expect(await refusal({ extraTensors: layer5 })).toMatch(
      /adapts model\.layers\.5\.self_attn\.q_proj, but the base model .*base\.gguf has no blk\.5\.attn_q\.weight/,
    );
    const fused = {
      'base_model.model.model.layers.0.self_attn.qkv_proj.lora_A.weight': {
        shape: [4, 64],
        data: new Float32Array(256),
      },
      'base_model.model.model.layers.0.self_attn.qkv_proj.lora_B.weight': {
        shape: [192, 4],
        data: new Float32Array(768),
      },
    };
    expect(await refusal({ extraTensors: fused })).toMatch(
      /no GGUF tensor for the module 'model\.layers\.0\.self_attn\.qkv_proj' in a llama model/,
    );
  });

  it('half a pair, and a rank the config does not give', async () => {
    const half = {
      'base_model.model.model.layers.1.mlp.up_proj.lora_A.weight': {
        shape: [4, 64],
        data: new Float32Array(256),
      },
    };
    expect(await refusal({ extraTensors: half })).toMatch(
      /model\.layers\.1\.mlp\.up_proj has lora_A but no lora_B/,
    );
    expect(await refusal({ r: 4, config: { r: 16 } })).toMatch(
      /model\.layers\.0\.self_attn\.q_proj has rank 4, but adapter_config\.json gives it r = 16/,
    );
  });

  it('trained biases (bias != none)', async () => {
    expect(await refusal({ config: { bias: 'lora_only' } })).toMatch(
      /bias is 'lora_only': the adapter trained bias vectors/,
    );
  });

  it('an architecture without a name map', async () => {
    const gemma = buildTinyLlama({ seed: 1 });
    const metadata = Object.fromEntries(
      Object.entries(gemma.metadata).map(([k, v]) => [k.replace(/^llama\./, 'gemma2.'), v]),
    );
    metadata['general.architecture'] = kv.string('gemma2');
    const gemmaPath = join(dir, 'gemma2.gguf');
    writeGguf(gemmaPath, { metadata, tensors: gemma.tensors });
    expect(await refusal({}, undefined, gemmaPath)).toMatch(
      /gemma2\.gguf: architecture 'gemma2' is not supported for PEFT import \(supported: llama, qwen2, qwen3\)/,
    );
  });

  it('missing folder, config or weights (and a pickle instead of safetensors)', async () => {
    const out = join(tempDir('blazer-peft-out-'), 'out.gguf');
    await expect(importPeftAdapter(join(dir, 'nowhere'), basePath, out)).rejects.toThrow(
      /nowhere: no such folder/,
    );
    expect(await refusal({}, (f) => rmSync(join(f, 'adapter_config.json')))).toMatch(
      /has no adapter_config\.json/,
    );
    expect(await refusal({}, (f) => rmSync(join(f, 'adapter_model.safetensors')))).toMatch(
      /has no adapter_model\.safetensors$/,
    );
    expect(
      await refusal({}, (f) => {
        rmSync(join(f, 'adapter_model.safetensors'));
        writeFileSync(join(f, 'adapter_model.bin'), 'pickle');
      }),
    ).toMatch(/has adapter_model\.bin but no adapter_model\.safetensors; PyTorch pickles are not read/);
    expect(await refusal({}, (f) => writeFileSync(join(f, 'adapter_config.json'), '{"r": 4,'))).toMatch(
      /adapter_config\.json: not valid JSON/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('a corrupt (truncated) safetensors file', async () => {
    // The header length says 16 bytes; one follows.
    const message = await refusal({}, (f) =>
      writeFileSync(join(f, 'adapter_model.safetensors'), Buffer.from([16, 0, 0, 0, 0, 0, 0, 0, 123])),
    );
    expect(message).toMatch(
      /adapter_model\.safetensors: truncated safetensors file: the header needs 16 bytes/,
    );
  });

  it('a base that is not a model', async () => {
    const folder = tempDir('blazer-peft-case-');
    writePeftAdapter(folder, { modules: ['q_proj'] });
    await importPeftAdapter(folder, basePath, join(folder, 'a.gguf'));
    expect(await refusal({}, undefined, join(folder, 'a.gguf'))).toMatch(
      /a\.gguf: is a GGUF adapter \(general\.type\), not a base model/,
    );
  });
});
