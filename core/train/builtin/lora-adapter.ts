// The trainable LoRA factors and the GGUF adapter they become. Orientation is llama.cpp's
// (src/llama-adapter.cpp): for a base weight with ne = [nIn, nOut], lora_a has ne = [nIn, r]
// (row-major [r][nIn]) and lora_b has ne = [r, nOut] (row-major [nOut][r]); llama.cpp adds
// (alpha / r) · B·A · x to W·x at run time.
import { seededRandom } from '../../random.ts';
import { kv, type GgufFile } from '../../llm/gguf-writer.ts';
import { TrainError } from '../errors.ts';
import { LAYER_MATRICES, type LlamaWeights, type Matrix } from './gguf-weights.ts';

/** Short target names: a layer matrix of every adapted layer, or 'output' (output.weight). */
export const LORA_TARGETS = [...LAYER_MATRICES, 'output'] as const;
export type LoraTargetName = (typeof LORA_TARGETS)[number];

export class LoraFactors {
  /** [rank][nIn], initialised small and random so B gets a gradient from the first step. */
  readonly a: Float32Array;
  /** [nOut][rank], zero at first: the adapter starts as the base model. */
  readonly b: Float32Array;
  readonly gradA: Float32Array;
  readonly gradB: Float32Array;
  /** alpha / rank, the factor llama.cpp puts on B·A. */
  readonly scale: number;

  constructor(
    /** The base tensor, e.g. blk.1.attn_q.weight. */
    readonly name: string,
    readonly nIn: number,
    readonly nOut: number,
    readonly rank: number,
    alpha: number,
  ) {
    this.a = new Float32Array(rank * nIn);
    this.b = new Float32Array(nOut * rank);
    this.gradA = new Float32Array(rank * nIn);
    this.gradB = new Float32Array(nOut * rank);
    this.scale = alpha / rank;
  }
}

export interface LoraSet {
  rank: number;
  alpha: number;
  /** By base tensor name. */
  factors: Map<string, LoraFactors>;
}

/** Which base tensors get factors: the named matrices of layers >= firstLayer, and output.weight. */
export function loraTargetTensors(
  weights: LlamaWeights,
  firstLayer: number,
  targets: readonly string[],
): { name: string; matrix: Matrix }[] {
  for (const t of targets)
    if (!(LORA_TARGETS as readonly string[]).includes(t))
      throw new TrainError(`unknown LoRA target '${t}' (known: ${LORA_TARGETS.join(', ')})`);
  const chosen: { name: string; matrix: Matrix }[] = [];
  const matrixOf = {
    attn_q: 'q',
    attn_k: 'k',
    attn_v: 'v',
    attn_output: 'o',
    ffn_gate: 'gate',
    ffn_up: 'up',
    ffn_down: 'down',
  } as const;
  for (let l = firstLayer; l < weights.layers.length; l++)
    for (const name of LAYER_MATRICES)
      if (targets.includes(name))
        chosen.push({ name: `blk.${l}.${name}.weight`, matrix: weights.layers[l][matrixOf[name]] });
  if (targets.includes('output')) {
    if (weights.outputTied)
      throw new TrainError(
        `${weights.path}: the model ties its output to token_embd, and llama.cpp cannot load a LoRA on output.weight for it; leave 'output' out of the targets`,
      );
    chosen.push({ name: 'output.weight', matrix: weights.output });
  }
  if (chosen.length === 0)
    throw new TrainError('no LoRA targets: name at least one of ' + LORA_TARGETS.join(', '));
  return chosen;
}

/**
 * Fresh factors: A uniform in ±1/sqrt(nIn) (PEFT's kaiming-uniform bound with a = sqrt(5)), seeded;
 * B zero, so training starts from exactly the base model.
 */
export function createLora(
  tensors: { name: string; matrix: Matrix }[],
  rank: number,
  alpha: number,
  seed: number,
): LoraSet {
  const random = seededRandom(seed ^ 0x10a4);
  const factors = new Map<string, LoraFactors>();
  for (const { name, matrix } of tensors) {
    const f = new LoraFactors(name, matrix.nIn, matrix.nOut, rank, alpha);
    const bound = 1 / Math.sqrt(matrix.nIn);
    for (let i = 0; i < f.a.length; i++) f.a[i] = (2 * random() - 1) * bound;
    factors.set(name, f);
  }
  return { rank, alpha, factors };
}

/** Every factor and its gradient, in a fixed order (for the optimiser). */
export function loraParameters(lora: LoraSet): { value: Float32Array; grad: Float32Array }[] {
  return [...lora.factors.values()].flatMap((f) => [
    { value: f.a, grad: f.gradA },
    { value: f.b, grad: f.gradB },
  ]);
}

export function zeroLoraGradients(lora: LoraSet): void {
  for (const f of lora.factors.values()) {
    f.gradA.fill(0);
    f.gradB.fill(0);
  }
}

/** The adapter as a GGUF file llama.cpp (and node-llama-cpp) loads with createContext({lora}). */
export function loraToGguf(lora: LoraSet, name: string): GgufFile {
  return {
    metadata: {
      'general.architecture': kv.string('llama'),
      'general.type': kv.string('adapter'),
      'general.name': kv.string(name),
      'adapter.type': kv.string('lora'),
      'adapter.lora.alpha': kv.f32(lora.alpha),
    },
    tensors: [...lora.factors.values()].flatMap((f) => [
      { name: `${f.name}.lora_a`, shape: [f.nIn, f.rank], type: 'f32' as const, data: f.a },
      { name: `${f.name}.lora_b`, shape: [f.rank, f.nOut], type: 'f32' as const, data: f.b },
    ]),
  };
}
