// How a PEFT LoRA tensor becomes a GGUF LoRA tensor, as llama.cpp's convert_lora_to_gguf.py does it:
// the module name maps to the base GGUF tensor's name, PEFT's lora_A (r x in, row-major) is already
// ggml's ne=[in, r] and lora_B (out x r) is ne=[r, out], so nothing is transposed except the
// embedding's A. For the llama architecture, convert_hf_to_gguf.py reorders the rows of q_proj and
// k_proj per head (HF rotates the two halves of a head, llama.cpp adjacent pairs), so lora_B's rows
// must be reordered the same way; qwen2 and qwen3 use llama.cpp's NEOX rope and keep HF's order.

/** Architectures whose HF module names and GGUF tensor names are mapped here. */
export const PEFT_ARCHITECTURES = ['llama', 'qwen2', 'qwen3'] as const;

/** Where a PEFT module's LoRA goes in the GGUF, and which rope row order its lora_B needs. */
export interface GgufTarget {
  /** The base tensor, e.g. blk.3.attn_q.weight. */
  tensor: string;
  /** The rows of lora_B need llama's q/k per-head reordering with this many heads (llama arch only). */
  permuteHeads?: 'head_count' | 'head_count_kv';
  /** An embedding: lora_embedding_A is transposed (llama.cpp reads it by row). */
  embedding?: boolean;
}

const LAYER_MODULES: Record<string, string> = {
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

/** HF module names (after PEFT's base_model.model. prefix) that can carry a LoRA. */
export const PEFT_MODULE_NAMES = [
  ...Object.keys(LAYER_MODULES).map((m) => `model.layers.N.${m}`),
  'model.embed_tokens',
  'lm_head',
];

/** The GGUF target of an HF module such as model.layers.3.self_attn.q_proj; undefined if unmapped. */
export function ggufTargetFor(module: string, architecture: string): GgufTarget | undefined {
  if (module === 'model.embed_tokens') return { tensor: 'token_embd.weight', embedding: true };
  if (module === 'lm_head') return { tensor: 'output.weight' };
  const match = /^model\.layers\.(\d+)\.(.+)$/.exec(module);
  const name = match && LAYER_MODULES[match[2]];
  if (!name) return undefined;
  const target: GgufTarget = { tensor: `blk.${Number(match[1])}.${name}.weight` };
  if (architecture === 'llama' && name === 'attn_q') target.permuteHeads = 'head_count';
  if (architecture === 'llama' && name === 'attn_k') target.permuteHeads = 'head_count_kv';
  return target;
}

/**
 * convert_hf_to_gguf.py's LlamaModel.permute on the rows of a row-major (rows x cols) matrix:
 * within each head of d = rows / heads rows, new row 2i + j is old row j * d/2 + i.
 */
export function permuteRopeRows(data: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const d = rows / heads;
  if (!Number.isInteger(d) || d % 2 !== 0)
    throw new RangeError(`cannot split ${rows} rows into ${heads} heads of an even size`);
  const out = new Float32Array(data.length);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < d / 2; i++)
      for (let j = 0; j < 2; j++) {
        const from = (h * d + j * (d / 2) + i) * cols;
        out.set(data.subarray(from, from + cols), (h * d + 2 * i + j) * cols);
      }
  return out;
}

/** A row-major (rows x cols) matrix transposed. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
