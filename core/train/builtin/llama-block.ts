// The llama model without gradients: token embeddings, frozen layers run on a range of rows (so a
// shared prompt prefix is computed once), and the parts of a layer's key/value projections that do
// not depend on the LoRA factors. The graph is llama.cpp's for LLM_ARCH_LLAMA: pre-norm attention
// with NORM-mode RoPE and GQA, then a SwiGLU FFN, both added to the residual stream.
import type { LlamaHyperparameters, LlamaLayerWeights, LlamaWeights } from './gguf-weights.ts';
import { attention, AttentionScratch, type AttentionShape } from './attention.ts';
import { matmulTransposed, rmsNorm, RopeTable, swiglu, toHeadMajor } from './llama-math.ts';

/** One layer's keys and values, head-major [headsKv][capacity][headDim], after RoPE for keys. */
export interface LayerKv {
  k: Float32Array;
  v: Float32Array;
  capacity: number;
}

/** What an adapted layer reads for rows 0..length-1: its input and its frozen projections. */
export interface LayerInput {
  length: number;
  /** The residual stream entering the layer, [length][embd]. */
  x: Float32Array;
  /** attn_norm(x), [length][embd], and each row's 1 / rms. */
  xn: Float32Array;
  invRms: Float32Array;
  /** attn_k.weight · xn and attn_v.weight · xn before LoRA and RoPE, [length][kvDim]. */
  kBase: Float32Array;
  vBase: Float32Array;
}

export function allocateLayerInput(hp: LlamaHyperparameters, length: number): LayerInput {
  const kvDim = hp.headsKv * hp.headDim;
  return {
    length,
    x: new Float32Array(length * hp.embd),
    xn: new Float32Array(length * hp.embd),
    invRms: new Float32Array(length),
    kBase: new Float32Array(length * kvDim),
    vBase: new Float32Array(length * kvDim),
  };
}

export function allocateLayerKv(hp: LlamaHyperparameters, capacity: number): LayerKv {
  const size = hp.headsKv * capacity * hp.headDim;
  return { k: new Float32Array(size), v: new Float32Array(size), capacity };
}

/** Copies rows 0..rows-1 of one layer's keys and values into another (larger) buffer. */
export function copyKvRows(from: LayerKv, to: LayerKv, rows: number, hp: LlamaHyperparameters): void {
  const hd = hp.headDim;
  for (let h = 0; h < hp.headsKv; h++) {
    const src = h * from.capacity * hd;
    const dst = h * to.capacity * hd;
    to.k.set(from.k.subarray(src, src + rows * hd), dst);
    to.v.set(from.v.subarray(src, src + rows * hd), dst);
  }
}

export const rowRange = (from: number, to: number): Int32Array =>
  Int32Array.from({ length: to - from }, (_, i) => from + i);

export class LlamaBlocks {
  readonly hp: LlamaHyperparameters;
  readonly rope: RopeTable;
  readonly shape: AttentionShape;
  readonly scratch = new AttentionScratch();

  constructor(readonly weights: LlamaWeights) {
    this.hp = weights.hp;
    const { heads, headsKv, headDim, attentionScale } = this.hp;
    this.rope = new RopeTable(headDim, this.hp.ropeBase, this.hp.ropeFreqScale, weights.ropeFreqFactors);
    this.shape = { heads, headsKv, headDim, scale: attentionScale };
  }

  /** Token embeddings of tokens[from..to), [to - from][embd]. */
  embed(tokens: ArrayLike<number>, from: number, to: number): Float32Array {
    const { embd, vocab } = this.hp;
    const out = new Float32Array((to - from) * embd);
    const table = this.weights.tokenEmbd.data;
    for (let t = from; t < to; t++) {
      const id = tokens[t];
      if (!(id >= 0 && id < vocab))
        throw new RangeError(`token id ${id} is outside the vocabulary (${vocab})`);
      out.set(table.subarray(id * embd, (id + 1) * embd), (t - from) * embd);
    }
    return out;
  }

  /**
   * Runs layers 0..layerCount-1 on rows from..length-1 of `tokens` and returns the last one's
   * output for those rows, [length - from][embd]. kv[l] must already hold rows 0..from-1 of layer
   * l (a shared prefix); rows from..length-1 are written into it. Rows depend only on earlier rows
   * (causal attention), so the result equals a run over the whole sequence.
   */
  frozenForward(
    tokens: ArrayLike<number>,
    length: number,
    from: number,
    layerCount: number,
    kv: LayerKv[],
  ): Float32Array {
    const x = this.embed(tokens, from, length);
    const rows = length - from;
    if (rows === 0 || layerCount === 0) return x;
    const { embd, heads, headsKv, headDim, ff, rmsEps } = this.hp;
    const qDim = heads * headDim;
    const kvDim = headsKv * headDim;
    const positions = rowRange(from, length);
    this.rope.ensure(length);
    const xn = new Float32Array(rows * embd);
    const q = new Float32Array(rows * qDim);
    const k = new Float32Array(rows * kvDim);
    const v = new Float32Array(rows * kvDim);
    const attn = new Float32Array(rows * qDim);
    const gate = new Float32Array(rows * ff);
    const up = new Float32Array(rows * ff);
    for (let l = 0; l < layerCount; l++) {
      const w = this.weights.layers[l];
      const cache = kv[l];
      rmsNorm(x, rows, embd, w.attnNorm, rmsEps, xn);
      matmulTransposed(xn, rows, embd, w.q.data, qDim, q);
      matmulTransposed(xn, rows, embd, w.k.data, kvDim, k);
      matmulTransposed(xn, rows, embd, w.v.data, kvDim, v);
      this.rope.apply(q, positions, rows, heads);
      this.rope.apply(k, positions, rows, headsKv);
      toHeadMajor(k, rows, headsKv, headDim, cache.k, cache.capacity, from);
      toHeadMajor(v, rows, headsKv, headDim, cache.v, cache.capacity, from);
      attention(q, from, rows, cache.k, cache.v, cache.capacity, this.shape, attn, undefined, this.scratch);
      matmulTransposed(attn, rows, qDim, w.o.data, embd, x, true);
      this.feedForward(w, x, rows, xn, gate, up);
    }
    return x;
  }

  /** x += ffn_down(silu(ffn_gate(ffn_norm(x))) · ffn_up(ffn_norm(x))), in place; xn, gate, up are scratch. */
  private feedForward(
    w: LlamaLayerWeights,
    x: Float32Array,
    rows: number,
    xn: Float32Array,
    gate: Float32Array,
    up: Float32Array,
  ): void {
    const { embd, ff, rmsEps } = this.hp;
    rmsNorm(x, rows, embd, w.ffnNorm, rmsEps, xn);
    matmulTransposed(xn, rows, embd, w.gate.data, ff, gate);
    matmulTransposed(xn, rows, embd, w.up.data, ff, up);
    swiglu(gate, up, rows * ff, gate);
    matmulTransposed(gate, rows, ff, w.down.data, embd, x, true);
  }

  /** Fills xn, invRms, kBase and vBase of `input` for rows from..length-1 from its x, for layer `layer`. */
  baseProjections(layer: number, input: LayerInput, from: number): void {
    const { embd, headsKv, headDim, rmsEps } = this.hp;
    const kvDim = headsKv * headDim;
    const w = this.weights.layers[layer];
    const rows = input.length - from;
    const xn = input.xn.subarray(from * embd);
    rmsNorm(input.x.subarray(from * embd), rows, embd, w.attnNorm, rmsEps, xn, input.invRms.subarray(from));
    matmulTransposed(xn, rows, embd, w.k.data, kvDim, input.kBase.subarray(from * kvDim));
    matmulTransposed(xn, rows, embd, w.v.data, kvDim, input.vBase.subarray(from * kvDim));
  }
}
