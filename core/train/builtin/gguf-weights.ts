// The weights and hyper-parameters of a llama-architecture GGUF, read into Float32Arrays for the
// built-in trainer. Only unquantised weights (F32, F16, BF16) are read: the trainer backpropagates
// through the frozen weights, and dequantising a quantised model would train against weights that
// llama.cpp never uses. Anything else is refused with a TrainError that says what to do instead.
import { closeSync, openSync, readSync } from 'node:fs';
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { TrainError } from '../errors.ts';

/** A weight matrix in llama.cpp's layout: ne = [nIn, nOut], i.e. row-major [nOut][nIn]. */
export interface Matrix {
  nIn: number;
  nOut: number;
  data: Float32Array;
}

export interface LlamaHyperparameters {
  embd: number;
  layers: number;
  heads: number;
  headsKv: number;
  headDim: number;
  ff: number;
  vocab: number;
  rmsEps: number;
  ropeBase: number;
  /** llama.cpp's freq_scale: 1 / the linear rope scaling factor (1 without scaling). */
  ropeFreqScale: number;
  /** The factor on q·k (llama.cpp: 1 / sqrt(head dim) unless the model sets attention.scale). */
  attentionScale: number;
  contextLength: number;
}

export interface LlamaLayerWeights {
  attnNorm: Float32Array;
  q: Matrix;
  k: Matrix;
  v: Matrix;
  o: Matrix;
  ffnNorm: Float32Array;
  gate: Matrix;
  up: Matrix;
  down: Matrix;
}

export interface LlamaWeights {
  path: string;
  hp: LlamaHyperparameters;
  tokenEmbd: Matrix;
  layers: LlamaLayerWeights[];
  outputNorm: Float32Array;
  /** output.weight, or token_embd.weight when the model ties them. */
  output: Matrix;
  outputTied: boolean;
  /** rope_freqs.weight (Llama 3.1 style): each rotation frequency is divided by its factor. */
  ropeFreqFactors?: Float32Array;
}

/** The matrix names of one layer, as the GGUF calls them (blk.N.<name>.weight). */
export const LAYER_MATRICES = [
  'attn_q',
  'attn_k',
  'attn_v',
  'attn_output',
  'ffn_gate',
  'ffn_up',
  'ffn_down',
] as const;
export type LayerMatrixName = (typeof LAYER_MATRICES)[number];

const GGML_F32 = 0;
const GGML_F16 = 1;
const GGML_BF16 = 30;
const READABLE_TYPES: Record<number, string> = { [GGML_F32]: 'F32', [GGML_F16]: 'F16', [GGML_BF16]: 'BF16' };

const QUANTISED_HINT =
  'the built-in trainer needs F32/F16 weights; train quantised models with the command trainer ' +
  '(or give the built-in trainer an F16/F32 export of the same model)';

/** Every F16 bit pattern as a float, so conversion is one table lookup per weight. */
let f16Table: Float32Array | undefined;
function f16ToF32Table(): Float32Array {
  if (f16Table) return f16Table;
  f16Table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    f16Table[h] =
      exp === 0
        ? sign * mant * 2 ** -24
        : exp === 0x1f
          ? mant
            ? NaN
            : sign * Infinity
          : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return f16Table;
}

function lookup(obj: unknown, dotted: string): unknown {
  let value = obj;
  for (const part of dotted.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

function requiredNumber(arch: Record<string, unknown>, key: string, path: string): number {
  const value = lookup(arch, key);
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TrainError(`${path}: the model has no llama.${key} (or it is not a number)`);
  return value;
}

function optionalNumber(arch: Record<string, unknown>, key: string): number | undefined {
  const value = lookup(arch, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function hyperparameters(info: GgufFileInfo, path: string, vocab: number): LlamaHyperparameters {
  const arch = (info.metadata as unknown as Record<string, Record<string, unknown>>).llama ?? {};
  const embd = requiredNumber(arch, 'embedding_length', path);
  const heads = requiredNumber(arch, 'attention.head_count', path);
  const headsKv = optionalNumber(arch, 'attention.head_count_kv') ?? heads;
  const headDim = optionalNumber(arch, 'attention.key_length') ?? embd / heads;
  const valueDim = optionalNumber(arch, 'attention.value_length') ?? headDim;
  const ropeDims = optionalNumber(arch, 'rope.dimension_count') ?? headDim;
  if (!Number.isInteger(headDim) || headDim % 4 !== 0 || valueDim !== headDim || ropeDims !== headDim)
    throw new TrainError(
      `${path}: unsupported attention shape (head dim ${headDim}, value dim ${valueDim}, rope dims ${ropeDims}); the built-in trainer needs equal head, value and rope dimensions, a multiple of 4`,
    );
  if (heads % headsKv !== 0)
    throw new TrainError(
      `${path}: ${heads} attention heads are not a multiple of ${headsKv} key/value heads`,
    );
  if ((optionalNumber(arch, 'expert_count') ?? 0) > 0)
    throw new TrainError(
      `${path}: mixture-of-experts llama models are not supported by the built-in trainer`,
    );
  const scalingType = lookup(arch, 'rope.scaling.type');
  const scalingFactor = optionalNumber(arch, 'rope.scaling.factor') ?? 0;
  let ropeFreqScale = optionalNumber(arch, 'rope.scale_linear') ?? 1;
  if (scalingType === 'linear' && scalingFactor > 0) ropeFreqScale = 1 / scalingFactor;
  else if (scalingType !== undefined && scalingType !== 'none' && scalingType !== 'linear')
    throw new TrainError(
      `${path}: rope scaling '${String(scalingType)}' is not supported by the built-in trainer (none or linear only)`,
    );
  const scale = optionalNumber(arch, 'attention.scale') ?? 0;
  return {
    embd,
    layers: requiredNumber(arch, 'block_count', path),
    heads,
    headsKv,
    headDim,
    ff: requiredNumber(arch, 'feed_forward_length', path),
    vocab,
    rmsEps: optionalNumber(arch, 'attention.layer_norm_rms_epsilon') ?? 1e-5,
    ropeBase: optionalNumber(arch, 'rope.freq_base') ?? 10000,
    ropeFreqScale,
    attentionScale: scale === 0 ? 1 / Math.sqrt(headDim) : scale,
    contextLength: optionalNumber(arch, 'context_length') ?? 4096,
  };
}

/** Reads one tensor's values as float32. */
function readTensor(
  fd: number,
  path: string,
  tensor: NonNullable<GgufFileInfo['tensorInfo']>[number],
): Float32Array {
  const count = tensor.dimensions.reduce<number>((a, d) => a * Number(d), 1);
  const bytesPer = tensor.ggmlType === GGML_F32 ? 4 : 2;
  const bytes = Buffer.alloc(count * bytesPer);
  const read = readSync(fd, bytes, 0, bytes.length, Number(tensor.fileOffset));
  if (read !== bytes.length)
    throw new TrainError(`${path}: tensor '${tensor.name}' is cut short (the file ends inside its data)`);
  const out = new Float32Array(count);
  if (tensor.ggmlType === GGML_F32) {
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
  } else if (tensor.ggmlType === GGML_F16) {
    const table = f16ToF32Table();
    const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    for (let i = 0; i < count; i++) out[i] = table[halves[i]];
  } else {
    const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = halves[i] << 16;
  }
  return out;
}

/** Reads a llama GGUF's weights; throws TrainError for anything the built-in trainer cannot train. */
export async function readLlamaWeights(path: string): Promise<LlamaWeights> {
  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false });
  } catch (err) {
    throw new TrainError(`${path}: cannot read the base model (${(err as Error).message})`, { cause: err });
  }
  const general = (info.metadata as unknown as { general?: Record<string, unknown> }).general ?? {};
  if (general.type === 'adapter') throw new TrainError(`${path}: is a LoRA adapter, not a base model`);
  if (general.architecture !== 'llama')
    throw new TrainError(
      `${path}: the built-in trainer supports the llama architecture only; this model is '${String(general.architecture)}' (use the command trainer)`,
    );
  if ((info.splicedParts ?? 1) > 1)
    throw new TrainError(
      `${path}: split GGUF files are not supported by the built-in trainer; merge the parts first`,
    );

  const tensors = new Map((info.tensorInfo ?? []).map((t) => [t.name, t]));
  for (const t of tensors.values())
    if (t.dimensions.length >= 2 && READABLE_TYPES[t.ggmlType] === undefined)
      throw new TrainError(
        `${path}: tensor '${t.name}' is quantised (ggml type ${t.ggmlType}); ${QUANTISED_HINT}`,
      );

  const tokenEmbdInfo = tensors.get('token_embd.weight');
  if (!tokenEmbdInfo) throw new TrainError(`${path}: the model has no token_embd.weight`);
  const vocab = Number(tokenEmbdInfo.dimensions[1]);
  const hp = hyperparameters(info, path, vocab);

  const fd = openSync(path, 'r');
  try {
    const vector = (name: string, length: number): Float32Array => {
      const t = tensors.get(name);
      if (!t) throw new TrainError(`${path}: the model has no tensor '${name}'`);
      if (READABLE_TYPES[t.ggmlType] === undefined)
        throw new TrainError(`${path}: tensor '${name}' has ggml type ${t.ggmlType}; ${QUANTISED_HINT}`);
      const data = readTensor(fd, path, t);
      if (data.length !== length)
        throw new TrainError(`${path}: tensor '${name}' has ${data.length} values, expected ${length}`);
      return data;
    };
    const matrix = (name: string, nIn: number, nOut: number): Matrix => {
      const t = tensors.get(name);
      if (t && (Number(t.dimensions[0]) !== nIn || Number(t.dimensions[1]) !== nOut))
        throw new TrainError(
          `${path}: tensor '${name}' has shape [${t.dimensions.join(', ')}], expected [${nIn}, ${nOut}]`,
        );
      return { nIn, nOut, data: vector(name, nIn * nOut) };
    };
    for (const name of tensors.keys())
      if (/\.(bias|attn_q_norm|attn_k_norm)\b/.test(name))
        throw new TrainError(
          `${path}: tensor '${name}' is not part of the plain llama block the built-in trainer implements`,
        );

    const { embd, heads, headsKv, headDim, ff } = hp;
    const layers: LlamaLayerWeights[] = [];
    for (let l = 0; l < hp.layers; l++) {
      const p = `blk.${l}.`;
      layers.push({
        attnNorm: vector(`${p}attn_norm.weight`, embd),
        q: matrix(`${p}attn_q.weight`, embd, heads * headDim),
        k: matrix(`${p}attn_k.weight`, embd, headsKv * headDim),
        v: matrix(`${p}attn_v.weight`, embd, headsKv * headDim),
        o: matrix(`${p}attn_output.weight`, heads * headDim, embd),
        ffnNorm: vector(`${p}ffn_norm.weight`, embd),
        gate: matrix(`${p}ffn_gate.weight`, embd, ff),
        up: matrix(`${p}ffn_up.weight`, embd, ff),
        down: matrix(`${p}ffn_down.weight`, ff, embd),
      });
    }
    const tokenEmbd = matrix('token_embd.weight', embd, vocab);
    const outputTied = !tensors.has('output.weight');
    return {
      path,
      hp,
      tokenEmbd,
      layers,
      outputNorm: vector('output_norm.weight', embd),
      output: outputTied ? tokenEmbd : matrix('output.weight', embd, vocab),
      outputTied,
      ropeFreqFactors: tensors.has('rope_freqs.weight')
        ? vector('rope_freqs.weight', headDim / 2)
        : undefined,
    };
  } finally {
    closeSync(fd);
  }
}
