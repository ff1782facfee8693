// PEFT LoRA adapters for the tiny models, written in Hugging Face's layout (adapter_config.json and
// adapter_model.safetensors with base_model.model.* keys), and the same update merged into the base
// weights by hand, to compare llama.cpp's runtime LoRA with.
//
// The merge is written here independently of core/llm/adapter-import.ts: it takes the base GGUF's
// weights back to HF's row order, adds scale·B·A there, and goes to GGUF order again, with
// convert_hf_to_gguf.py's llama q/k permutation spelled out below. An importer that permutes
// lora_B differently (or not at all) gives different logits than this merge.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../../core/random.ts';
import { TINY_DIMS, type TinyLlamaOptions } from '../../../core/llm/tiny-model.ts';
import type { GgufFile } from '../../../core/llm/gguf-writer.ts';
import { writeSafetensors, type SafetensorsDtype } from '../../../core/llm/safetensors.ts';

export const ALL_LINEAR = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

/** HF module path and GGUF tensor name of each adapted module of the tiny model. */
function modulePaths(module: string, layer: number): { hf: string; gguf: string } {
  const attention = ['q_proj', 'k_proj', 'v_proj', 'o_proj'].includes(module);
  const gguf = {
    q_proj: 'attn_q',
    k_proj: 'attn_k',
    v_proj: 'attn_v',
    o_proj: 'attn_output',
    gate_proj: 'ffn_gate',
    up_proj: 'ffn_up',
    down_proj: 'ffn_down',
  }[module];
  return {
    hf: `model.layers.${layer}.${attention ? 'self_attn' : 'mlp'}.${module}`,
    gguf: `blk.${layer}.${gguf}.weight`,
  };
}

/** [in, out] of an HF Linear in the tiny model. */
function linearDims(module: string): [number, number] {
  const { embd, ff } = TINY_DIMS;
  if (module === 'gate_proj' || module === 'up_proj') return [embd, ff];
  if (module === 'down_proj') return [ff, embd];
  return [embd, embd];
}

export interface PeftFixtureOptions {
  seed?: number;
  /** Default rank; rankPattern overrides it per module (keys as in PEFT). */
  r?: number;
  loraAlpha?: number;
  useRslora?: boolean;
  rankPattern?: Record<string, number>;
  alphaPattern?: Record<string, number>;
  /** Linear modules to adapt in every layer; default all seven. */
  modules?: string[];
  /** Also adapt model.embed_tokens (lora_embedding_A/B) and lm_head. */
  embedTokens?: boolean;
  lmHead?: boolean;
  dtype?: SafetensorsDtype;
  /** Extra adapter_config.json keys (use_dora, modules_to_save, ...). */
  config?: Record<string, unknown>;
  /** Extra safetensors entries, f32. */
  extraTensors?: Record<string, { shape: number[]; data: Float32Array }>;
  /** Build for another model width (an adapter for another base). */
  embd?: number;
}

/** One module's update in HF orientation: delta W (out x in, row-major) = scale · B · A. */
export interface HfLora {
  hf: string;
  gguf: string;
  kind: 'linear' | 'embedding';
  rank: number;
  scale: number;
  /** linear: A [r, in], B [out, r]; embedding: A [r, vocab], B [embd, r]. */
  a: Float32Array;
  b: Float32Array;
  aShape: [number, number];
  bShape: [number, number];
}

/**
 * Values on a coarse grid (n / 2^k with |n| < 128), so they are exact in BF16 and F16 and the
 * merge uses exactly what the adapter file holds.
 */
function gridMatrix(random: () => number, count: number, std: number): Float32Array {
  const step = 2 ** Math.round(Math.log2(std / 8));
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    data[i] = Math.max(-127, Math.min(127, Math.round((g * std) / step))) * step;
  }
  return data;
}

/** PEFT's get_pattern_key, as PEFT itself applies it. */
function pattern(map: Record<string, number> | undefined, module: string): number | undefined {
  for (const [key, value] of Object.entries(map ?? {}))
    if (new RegExp(`(^|.*\\.)${key}$`).test(module)) return value;
  return undefined;
}

/** The updates of a synthetic PEFT adapter for the tiny model, in HF orientation. */
export function peftLoras(options: PeftFixtureOptions = {}): HfLora[] {
  const { seed = 1, r = 4, loraAlpha = 8, useRslora = false, modules = ALL_LINEAR } = options;
  const embd = options.embd ?? TINY_DIMS.embd;
  const random = seededRandom(seed ^ 0x9e57);
  const loras: HfLora[] = [];
  const add = (hf: string, gguf: string, kind: HfLora['kind'], inDim: number, outDim: number): void => {
    const rank = pattern(options.rankPattern, hf) ?? r;
    const alpha = pattern(options.alphaPattern, hf) ?? loraAlpha;
    const scale = useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    // linear: A reads `in`; embedding: A is indexed by token (in = vocab), B writes the embedding.
    const a = gridMatrix(random, rank * inDim, kind === 'embedding' ? 0.5 : 0.5 / Math.sqrt(inDim));
    const b = gridMatrix(random, outDim * rank, 0.25);
    loras.push({ hf, gguf, kind, rank, scale, a, b, aShape: [rank, inDim], bShape: [outDim, rank] });
  };
  const scaleDims = (d: number): number => (d === TINY_DIMS.embd ? embd : d);
  for (let layer = 0; layer < TINY_DIMS.layers; layer++)
    for (const module of modules) {
      const { hf, gguf } = modulePaths(module, layer);
      const [inDim, outDim] = linearDims(module);
      add(hf, gguf, 'linear', scaleDims(inDim), scaleDims(outDim));
    }
  const vocab = 366;
  if (options.embedTokens) add('model.embed_tokens', 'token_embd.weight', 'embedding', vocab, embd);
  if (options.lmHead) add('lm_head', 'output.weight', 'linear', embd, vocab);
  return loras;
}

/** Writes adapter_config.json and adapter_model.safetensors; returns the updates it holds. */
export function writePeftAdapter(folder: string, options: PeftFixtureOptions = {}): HfLora[] {
  const loras = peftLoras(options);
  const dtype = options.dtype ?? 'F32';
  mkdirSync(folder, { recursive: true });
  const tensors: Parameters<typeof writeSafetensors>[1] = {};
  for (const l of loras) {
    const [aName, bName] =
      l.kind === 'embedding' ? ['lora_embedding_A', 'lora_embedding_B'] : ['lora_A.weight', 'lora_B.weight'];
    tensors[`base_model.model.${l.hf}.${aName}`] = { dtype, shape: l.aShape, data: l.a };
    tensors[`base_model.model.${l.hf}.${bName}`] = { dtype, shape: l.bShape, data: l.b };
  }
  for (const [name, t] of Object.entries(options.extraTensors ?? {})) tensors[name] = { dtype: 'F32', ...t };
  writeSafetensors(join(folder, 'adapter_model.safetensors'), tensors, { format: 'pt' });
  const targets = [...new Set(loras.map((l) => l.hf.split('.').at(-1)))];
  const config = {
    base_model_name_or_path: 'tiny/tiny-llama',
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    r: options.r ?? 4,
    lora_alpha: options.loraAlpha ?? 8,
    lora_dropout: 0.05,
    use_rslora: options.useRslora ?? false,
    use_dora: false,
    bias: 'none',
    fan_in_fan_out: false,
    modules_to_save: null,
    rank_pattern: options.rankPattern ?? {},
    alpha_pattern: options.alphaPattern ?? {},
    target_modules: targets,
    ...options.config,
  };
  writeFileSync(join(folder, 'adapter_config.json'), JSON.stringify(config, null, 2));
  return loras;
}

/**
 * convert_hf_to_gguf.py's LlamaModel.permute, written out: reshape the rows to
 * (heads, 2, d/2), swap the last two axes, flatten. Row (h, j, i) moves to (h, i, j).
 */
function hfRowToGgufRow(row: number, rows: number, heads: number): number {
  const d = rows / heads;
  const h = Math.floor(row / d);
  const j = Math.floor((row % d) / (d / 2));
  const i = row % (d / 2);
  return h * d + i * 2 + j;
}

/**
 * The base model with every update merged into its weights: W' = W + scale · B · A in HF
 * orientation. GGUF stores a [in, out] weight as `out` rows of `in` values, the same memory as HF's
 * (out, in) Linear weight and (vocab, embd) embedding; llama q/k rows are permuted per head.
 */
export function mergeIntoBase(base: GgufFile, loras: HfLora[], options: TinyLlamaOptions): GgufFile {
  const architecture = options.architecture ?? 'llama';
  const heads = TINY_DIMS.heads;
  const tensors = base.tensors.map((t) => ({ ...t, data: Float32Array.from(t.data) }));
  for (const l of loras) {
    const tensor = tensors.find((t) => t.name === l.gguf);
    if (!tensor) throw new Error(`merge: the base has no ${l.gguf}`);
    const [ggufIn] = tensor.shape;
    const permuted = architecture === 'llama' && /attn_[qk]\.weight$/.test(l.gguf);
    const rows = tensor.shape[1];
    for (let row = 0; row < rows; row++) {
      const ggufRow = permuted ? hfRowToGgufRow(row, rows, heads) : row;
      for (let col = 0; col < ggufIn; col++) {
        // HF delta[row][col]: linear = Σk B[row,k]·A[k,col]; embedding (row = token, col = embd
        // dim) = Σk B[col,k]·A[k,row], the transpose of B·A.
        let sum = 0;
        for (let k = 0; k < l.rank; k++)
          sum +=
            l.kind === 'linear'
              ? l.b[row * l.rank + k] * l.a[k * ggufIn + col]
              : l.b[col * l.rank + k] * l.a[k * rows + row];
        tensor.data[ggufRow * ggufIn + col] += l.scale * sum;
      }
    }
  }
  return { metadata: base.metadata, tensors };
}
