// A tiny llama GGUF and LoRA adapters for it, generated from a seed, so the real node-llama-cpp
// loading, chat template, grammar and LoRA paths can run offline. The weights are random: this
// tests plumbing, never planning quality.
//
// Model: 2 layers, 64 dims, 4 heads, FFN 256, SentencePiece ("llama") vocab with byte fallback,
// a ChatML template, normal weights with std 1/sqrt(fan_in), norms 1 (always F32).
//
// Fixture quirk suppressed: llama.cpp's grammar accepts invalid UTF-8 lead bytes, so a random model
// can put bytes >= 0x80 inside JSON strings that then decode to U+FFFD. By default, dimension 0 of
// the residual stream is a constant channel (token embeddings carry a constant there and nothing
// writes to it), and output.weight[token][0] turns it into a per-token logit bias: non-ASCII and
// control byte tokens and <unk>/<s> get a large negative bias so they are practically never sampled.
import { seededRandom, type Random } from '../random.ts';
import { kv, writeGguf, type GgufFile, type GgufTensor, type GgufValue } from './gguf-writer.ts';

export const TINY_DIMS = { embd: 64, layers: 2, heads: 4, ff: 256, contextLength: 8192 } as const;

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** llama.cpp token types. */
const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

/** Multi-character pieces; each is reachable by merging two pieces already in the vocab. */
const MERGED_PIECES = ['{"', '":', '",', '▁"', '],', 'mo', 've', 'move', 'gr', 'er'];

export interface TinyVocab {
  tokens: string[];
  types: number[];
  scores: number[];
  imStart: number;
  imEnd: number;
}

/** 366 tokens: <unk> <s> </s>, 256 byte tokens, ▁, printable ASCII, merged pieces, ChatML markers. */
export function tinyVocab(): TinyVocab {
  const tokens: string[] = [];
  const types: number[] = [];
  const scores: number[] = [];
  const add = (token: string, type: number, score = 0): number => {
    tokens.push(token);
    types.push(type);
    scores.push(score);
    return tokens.length - 1;
  };
  add('<unk>', TOKEN_TYPE.unknown);
  add('<s>', TOKEN_TYPE.control);
  add('</s>', TOKEN_TYPE.control);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, TOKEN_TYPE.byte);
  add('▁', TOKEN_TYPE.normal, -1);
  for (let c = 0x21; c <= 0x7e; c++) add(String.fromCharCode(c), TOKEN_TYPE.normal, -1);
  // Higher scores merge first in SentencePiece; longer pieces win.
  for (const piece of MERGED_PIECES) add(piece, TOKEN_TYPE.normal, piece.length);
  const imStart = add('<|im_start|>', TOKEN_TYPE.control);
  const imEnd = add('<|im_end|>', TOKEN_TYPE.control);
  return { tokens, types, scores, imStart, imEnd };
}

const isPrintableAscii = (b: number): boolean => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a;

/** Token id of byte b in the tiny vocab. */
export const byteToken = (b: number): number => 3 + b;

export interface TinyLlamaOptions {
  /** Seed for the random weights; default 1. */
  seed?: number;
  /** Store the matrices as F16 instead of F32 (norms stay F32). */
  f16?: boolean;
  /** Default true: bias away non-ASCII and control byte tokens (but \t, \n) and <unk>/<s>. */
  asciiOnly?: boolean;
  /**
   * Bias away 'e' and 'E' so grammar-constrained numbers never get exponents (a random model
   * otherwise writes numbers like 6e5431482, which JSON.parse turns into Infinity). Default false:
   * the plain fixture is handy for testing that callers reject non-finite numbers.
   */
  noExponents?: boolean;
  /** Extra logit bias per token id, added on top of the suppression (e.g. {2: -30} for no </s>). */
  logitBias?: Record<number, number>;
  /** Drop output.weight so llama.cpp ties it to token_embd (disables the logit bias). */
  tiedOutput?: boolean;
  /**
   * The GGUF architecture; default llama. The same weights run as qwen2 (NEOX rope, where llama
   * rotates adjacent pairs) or qwen3 (NEOX rope plus per-head q/k RMS norms, here all ones).
   */
  architecture?: 'llama' | 'qwen2' | 'qwen3';
  name?: string;
}

/** Value of the constant residual channel: large enough that it dominates the logit bias. */
const BIAS_CHANNEL = 1;
const SUPPRESS = -40;

function gaussian(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function randomMatrix(random: Random, nIn: number, nOut: number, std = 1 / Math.sqrt(nIn)): Float32Array {
  const data = new Float32Array(nIn * nOut);
  for (let i = 0; i < data.length; i++) data[i] = gaussian(random) * std;
  return data;
}

/** Zero the weights that write to output dimension 0 (rows of a [nIn, nOut] matrix). */
function zeroOutputDim0(data: Float32Array, nIn: number): Float32Array {
  data.fill(0, 0, nIn);
  return data;
}

/** Zero the weights that read input dimension 0. */
function zeroInputDim0(data: Float32Array, nIn: number, nOut: number): Float32Array {
  for (let o = 0; o < nOut; o++) data[o * nIn] = 0;
  return data;
}

/** Base tensor names and their [nIn, nOut] shapes for the tiny llama (matrices only). */
export function tinyMatrixShapes(): Record<string, [number, number]> {
  const { embd, layers, ff } = TINY_DIMS;
  const shapes: Record<string, [number, number]> = {};
  for (let l = 0; l < layers; l++) {
    for (const n of ['attn_q', 'attn_k', 'attn_v', 'attn_output'])
      shapes[`blk.${l}.${n}.weight`] = [embd, embd];
    shapes[`blk.${l}.ffn_gate.weight`] = [embd, ff];
    shapes[`blk.${l}.ffn_up.weight`] = [embd, ff];
    shapes[`blk.${l}.ffn_down.weight`] = [ff, embd];
  }
  shapes['output.weight'] = [embd, tinyVocab().tokens.length];
  return shapes;
}

/** The tiny llama as an in-memory GGUF. Deterministic given the options. */
export function buildTinyLlama(options: TinyLlamaOptions = {}): GgufFile {
  const {
    seed = 1,
    f16 = false,
    asciiOnly = true,
    noExponents = false,
    logitBias = {},
    tiedOutput = false,
    architecture = 'llama',
  } = options;
  const { embd, layers, heads, ff, contextLength } = TINY_DIMS;
  const vocab = tinyVocab();
  const nVocab = vocab.tokens.length;
  const random = seededRandom(seed);
  const matrixType = f16 ? 'f16' : 'f32';

  const bias = new Float32Array(nVocab);
  if (asciiOnly && !tiedOutput) {
    bias[0] = SUPPRESS; // <unk>
    bias[1] = SUPPRESS; // <s>
    for (let b = 0; b <= 0xff; b++) if (!isPrintableAscii(b)) bias[byteToken(b)] = SUPPRESS;
  }
  if (noExponents)
    for (const c of ['e', 'E']) {
      bias[vocab.tokens.indexOf(c)] += SUPPRESS;
      bias[byteToken(c.charCodeAt(0))] += SUPPRESS;
    }
  for (const [id, value] of Object.entries(logitBias)) bias[Number(id)] += value;

  const tensors: GgufTensor[] = [];
  const matrix = (name: string, nIn: number, nOut: number, data?: Float32Array): void => {
    tensors.push({
      name,
      shape: [nIn, nOut],
      type: matrixType,
      data: data ?? randomMatrix(random, nIn, nOut),
    });
  };
  const norm = (name: string, size: number = embd): void => {
    tensors.push({ name, shape: [size], type: 'f32', data: new Float32Array(size).fill(1) });
  };

  // Embeddings: dimension 0 is the constant bias channel.
  const tokenEmbd = randomMatrix(random, embd, nVocab, 1);
  for (let t = 0; t < nVocab; t++) tokenEmbd[t * embd] = BIAS_CHANNEL;
  matrix('token_embd.weight', embd, nVocab, tokenEmbd);
  for (let l = 0; l < layers; l++) {
    norm(`blk.${l}.attn_norm.weight`);
    matrix(`blk.${l}.attn_q.weight`, embd, embd);
    matrix(`blk.${l}.attn_k.weight`, embd, embd);
    matrix(`blk.${l}.attn_v.weight`, embd, embd);
    if (architecture === 'qwen3') {
      norm(`blk.${l}.attn_q_norm.weight`, embd / heads);
      norm(`blk.${l}.attn_k_norm.weight`, embd / heads);
    }
    matrix(`blk.${l}.attn_output.weight`, embd, embd, zeroOutputDim0(randomMatrix(random, embd, embd), embd));
    norm(`blk.${l}.ffn_norm.weight`);
    matrix(`blk.${l}.ffn_gate.weight`, embd, ff);
    matrix(`blk.${l}.ffn_up.weight`, embd, ff);
    matrix(`blk.${l}.ffn_down.weight`, ff, embd, zeroOutputDim0(randomMatrix(random, ff, embd), ff));
  }
  norm('output_norm.weight');
  if (!tiedOutput) {
    const output = zeroInputDim0(randomMatrix(random, embd, nVocab), embd, nVocab);
    // After RMS norm the channel is roughly BIAS_CHANNEL / rms(x) ≈ 1, so the bias lands about as given.
    for (let t = 0; t < nVocab; t++) output[t * embd] = bias[t];
    matrix('output.weight', embd, nVocab, output);
  }

  const arch = architecture;
  const metadata: Record<string, GgufValue> = {
    'general.architecture': kv.string(arch),
    'general.name': kv.string(options.name ?? `tiny-${arch}-seed${seed}`),
    'general.file_type': kv.u32(f16 ? 1 : 0),
    [`${arch}.context_length`]: kv.u32(contextLength),
    [`${arch}.embedding_length`]: kv.u32(embd),
    [`${arch}.block_count`]: kv.u32(layers),
    [`${arch}.feed_forward_length`]: kv.u32(ff),
    [`${arch}.attention.head_count`]: kv.u32(heads),
    [`${arch}.attention.head_count_kv`]: kv.u32(heads),
    [`${arch}.rope.dimension_count`]: kv.u32(embd / heads),
    [`${arch}.rope.freq_base`]: kv.f32(10000),
    [`${arch}.attention.layer_norm_rms_epsilon`]: kv.f32(1e-5),
    [`${arch}.vocab_size`]: kv.u32(nVocab),
    'tokenizer.ggml.model': kv.string('llama'),
    'tokenizer.ggml.tokens': kv.array('string', vocab.tokens),
    'tokenizer.ggml.scores': kv.array('f32', vocab.scores),
    'tokenizer.ggml.token_type': kv.array('i32', vocab.types),
    'tokenizer.ggml.bos_token_id': kv.u32(1),
    'tokenizer.ggml.eos_token_id': kv.u32(2),
    'tokenizer.ggml.unknown_token_id': kv.u32(0),
    'tokenizer.ggml.eot_token_id': kv.u32(vocab.imEnd),
    'tokenizer.ggml.add_bos_token': kv.bool(true),
    'tokenizer.ggml.add_eos_token': kv.bool(false),
    'tokenizer.chat_template': kv.string(CHATML_TEMPLATE),
  };
  return { metadata, tensors };
}

/** Writes the tiny llama; returns the file size in bytes. */
export function writeTinyLlama(path: string, options: TinyLlamaOptions = {}): number {
  return writeGguf(path, buildTinyLlama(options));
}

export interface TinyLoraOptions {
  /** Seed for the adapter weights; default 1. */
  seed?: number;
  rank?: number;
  /** adapter.lora.alpha; the effective delta is scale · alpha / rank · B·A. Default 16. */
  alpha?: number;
  /** Base tensor names to adapt; default every matrix except token_embd. */
  targets?: string[];
  name?: string;
}

/**
 * A LoRA adapter for the tiny llama: `X.lora_a` [nIn, r] and `X.lora_b` [r, nOut] per target X.
 * A never reads and B never writes dimension 0, so the base model's logit-bias channel survives.
 */
export function buildTinyLora(options: TinyLoraOptions = {}): GgufFile {
  const { seed = 1, rank = 8, alpha = 16 } = options;
  const shapes = tinyMatrixShapes();
  const targets = options.targets ?? Object.keys(shapes);
  const random = seededRandom(seed ^ 0x5eed1a);
  const tensors: GgufTensor[] = [];
  for (const target of targets) {
    const shape = shapes[target];
    if (!shape) throw new RangeError(`tiny LoRA: unknown target tensor '${target}'`);
    const [nIn, nOut] = shape;
    const a = zeroInputDim0(randomMatrix(random, nIn, rank), nIn, rank);
    const b = randomMatrix(random, rank, nOut, 1 / Math.sqrt(rank));
    if (target !== 'output.weight') zeroOutputDim0(b, rank);
    tensors.push({ name: `${target}.lora_a`, shape: [nIn, rank], type: 'f32', data: a });
    tensors.push({ name: `${target}.lora_b`, shape: [rank, nOut], type: 'f32', data: b });
  }
  return {
    metadata: {
      'general.architecture': kv.string('llama'),
      'general.type': kv.string('adapter'),
      'general.name': kv.string(options.name ?? `tiny-lora-seed${seed}`),
      'adapter.type': kv.string('lora'),
      'adapter.lora.alpha': kv.f32(alpha),
    },
    tensors,
  };
}

/** Writes a LoRA adapter for the tiny llama; returns the file size in bytes. */
export function writeTinyLora(path: string, options: TinyLoraOptions = {}): number {
  return writeGguf(path, buildTinyLora(options));
}
