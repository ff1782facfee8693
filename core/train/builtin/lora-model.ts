// The adapted layers of the llama model, forward and backward to the LoRA gradients.
//
// Only the last K layers are adapted; their input is computed once by the frozen layers below
// (frozen-states.ts). Every adapted layer needs keys and values at all positions, but the loss
// only reads logits at the answer positions, so the LAST layer computes queries, attention, the
// FFN and logits only there: it costs O(T·d² + A·T·d) instead of O(T²·d) for T tokens and A
// answer tokens. Adapted layers below the last run all positions, with exact backprop.
//
// A LoRA linear is y = W·x + s·B·(A·x) with s = alpha / rank (what llama.cpp computes at run time).
import { TrainError } from '../errors.ts';
import type { LlamaLayerWeights, LlamaWeights, Matrix } from './gguf-weights.ts';
import { allocateLayerInput, LlamaBlocks, rowRange, type LayerInput } from './llama-block.ts';
import { attention, attentionBackward } from './attention.ts';
import {
  addTransposedProduct,
  crossEntropy,
  fromHeadMajor,
  matmulTransposed,
  rmsNorm,
  rmsNormBackward,
  swiglu,
  swigluBackward,
  toHeadMajor,
  transpose,
} from './llama-math.ts';
import { createLora, loraTargetTensors, type LoraFactors, type LoraSet } from './lora-adapter.ts';
import { inputLength, lossPositions, lossTargets, type TokenizedExample } from './example.ts';

export interface LoraModelOptions {
  /** How many of the last layers get LoRA factors (the layers below are frozen and cached). */
  adaptedLayers: number;
  /** Short target names (attn_q ... ffn_down, output). */
  targets: readonly string[];
  rank: number;
  alpha: number;
  seed: number;
}

/** What one adapted layer's forward keeps for its backward. */
interface LayerTape {
  layer: number;
  input: LayerInput;
  /**
   * The consecutive positions this layer computes past keys/values: all of them, or in the last
   * layer the loss positions (the last prompt token and the answer).
   */
  rows: Int32Array;
  xnRows: Float32Array;
  uQ?: Float32Array;
  uK?: Float32Array;
  uV?: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  attn: Float32Array;
  lse: Float32Array;
  uO?: Float32Array;
  h: Float32Array;
  hn: Float32Array;
  invRms2: Float32Array;
  gate: Float32Array;
  up: Float32Array;
  act: Float32Array;
  uGate?: Float32Array;
  uUp?: Float32Array;
  uDown?: Float32Array;
  out: Float32Array;
}

export interface ForwardResult {
  /** Summed cross-entropy over the loss positions. */
  loss: number;
  /** Number of loss positions. */
  tokens: number;
  /** [tokens][vocab] logits at the loss positions. */
  logits: Float32Array;
  tape: {
    layers: LayerTape[];
    final: Float32Array;
    finalInput: Float32Array;
    invRms: Float32Array;
    uOutput?: Float32Array;
    targets: Int32Array;
  };
}

export class LoraLlama {
  readonly blocks: LlamaBlocks;
  readonly lora: LoraSet;
  /** The first adapted layer; layers below it are frozen. */
  readonly firstAdapted: number;
  private readonly transposed = new Map<Float32Array, Float32Array>();

  constructor(
    readonly weights: LlamaWeights,
    options: LoraModelOptions,
  ) {
    const layers = weights.layers.length;
    if (
      !Number.isInteger(options.adaptedLayers) ||
      options.adaptedLayers < 1 ||
      options.adaptedLayers > layers
    )
      throw new TrainError(
        `adapted layers must be 1..${layers} for this model, got ${options.adaptedLayers}`,
      );
    if (!Number.isInteger(options.rank) || options.rank < 1)
      throw new TrainError(`the LoRA rank must be a positive integer, got ${options.rank}`);
    this.blocks = new LlamaBlocks(weights);
    this.firstAdapted = layers - options.adaptedLayers;
    const tensors = loraTargetTensors(weights, this.firstAdapted, options.targets);
    this.lora = createLora(tensors, options.rank, options.alpha, options.seed);
  }

  private factors(layer: number, name: string): LoraFactors | undefined {
    return this.lora.factors.get(`blk.${layer}.${name}.weight`);
  }

  private transposedOf(m: Float32Array, rows: number, cols: number): Float32Array {
    let t = this.transposed.get(m);
    if (!t) {
      t = transpose(m, rows, cols);
      this.transposed.set(m, t);
    }
    return t;
  }

  /**
   * Forward through the adapted layers from the first adapted layer's input (with its frozen
   * projections filled for all rows) to the loss at the example's answer positions.
   */
  forward(example: TokenizedExample, input: LayerInput): ForwardResult {
    const length = inputLength(example);
    if (input.length !== length)
      throw new RangeError(`layer input has ${input.length} rows, the example ${length}`);
    const hp = this.blocks.hp;
    this.blocks.rope.ensure(length);
    const positions = lossPositions(example);
    const targets = lossTargets(example);
    const layers: LayerTape[] = [];
    let current = input;
    const last = this.weights.layers.length - 1;
    for (let l = this.firstAdapted; l <= last; l++) {
      if (l > this.firstAdapted) {
        // The previous adapted layer computed every row: its output is this layer's input.
        const next = allocateLayerInput(hp, length);
        next.x.set(layers[layers.length - 1].out);
        this.blocks.baseProjections(l, next, 0);
        current = next;
      }
      layers.push(this.layerForward(l, current, l === last ? positions : rowRange(0, length)));
    }

    const rows = positions.length;
    const finalInput = layers[layers.length - 1].out;
    const final = new Float32Array(rows * hp.embd);
    const invRms = new Float32Array(rows);
    rmsNorm(finalInput, rows, hp.embd, this.weights.outputNorm, hp.rmsEps, final, invRms);
    const logits = new Float32Array(rows * hp.vocab);
    const outputLora = this.lora.factors.get('output.weight');
    const uOutput = this.linearForward(final, rows, this.weights.output, outputLora, logits);
    const loss = crossEntropy(logits, rows, hp.vocab, targets);
    return { loss, tokens: rows, logits, tape: { layers, final, finalInput, invRms, uOutput, targets } };
  }

  /**
   * Adds d(weight · summed loss)/d(LoRA factors) to the factors' gradients. `weight` is usually
   * 1 / (loss tokens in the batch), so the gradient is that of the batch's mean token loss.
   */
  backward(result: ForwardResult, weight: number): void {
    const hp = this.blocks.hp;
    const { layers, final, finalInput, invRms, uOutput, targets } = result.tape;
    const rows = result.tokens;
    const dLogits = new Float32Array(rows * hp.vocab);
    crossEntropy(result.logits, rows, hp.vocab, targets, dLogits, weight);
    const dFinal = new Float32Array(rows * hp.embd);
    this.linearBackward(
      dLogits,
      rows,
      final,
      uOutput,
      this.weights.output,
      this.lora.factors.get('output.weight'),
      dFinal,
    );
    let dOut: Float32Array = new Float32Array(rows * hp.embd);
    rmsNormBackward(finalInput, rows, hp.embd, this.weights.outputNorm, invRms, dFinal, dOut);
    for (let i = layers.length - 1; i >= 0; i--) {
      const dx = this.layerBackward(layers[i], dOut, i > 0);
      if (dx) dOut = dx;
    }
  }

  /** y = x·Wᵀ (+ s·(x·Aᵀ)·Bᵀ); returns x·Aᵀ ([rows][rank]) for the backward when adapted. */
  private linearForward(
    x: Float32Array,
    rows: number,
    w: Matrix,
    lora: LoraFactors | undefined,
    y: Float32Array,
  ): Float32Array | undefined {
    matmulTransposed(x, rows, w.nIn, w.data, w.nOut, y);
    if (!lora) return undefined;
    const u = new Float32Array(rows * lora.rank);
    matmulTransposed(x, rows, w.nIn, lora.a, lora.rank, u);
    const scaled = u.map((value) => value * lora.scale);
    matmulTransposed(scaled, rows, lora.rank, lora.b, w.nOut, y, true);
    return u;
  }

  /**
   * From dy: the LoRA gradients (gradB += s·dyᵀ·u, gradA += s·(dy·B)ᵀ·x) and, when dx is given,
   * dx += dy·W + s·(dy·B)·A.
   */
  private linearBackward(
    dy: Float32Array,
    rows: number,
    x: Float32Array,
    u: Float32Array | undefined,
    w: Matrix,
    lora: LoraFactors | undefined,
    dx: Float32Array | undefined,
  ): void {
    const { nIn, nOut } = w;
    if (dx) matmulTransposed(dy, rows, nOut, this.transposedOf(w.data, nOut, nIn), nIn, dx, true);
    if (!lora || !u) return;
    const { rank, scale, a, b, gradA, gradB } = lora;
    // t = dy·B, [rows][rank]
    const t = new Float32Array(rows * rank);
    matmulTransposed(dy, rows, nOut, transpose(b, nOut, rank), rank, t);
    // gradB is [nOut][rank]: accumulate its transpose (long rows of nOut) and add it back.
    const gradBT = new Float32Array(rank * nOut);
    addTransposedProduct(u, rank, dy, nOut, rows, scale, gradBT);
    for (let o = 0; o < nOut; o++) for (let k = 0; k < rank; k++) gradB[o * rank + k] += gradBT[k * nOut + o];
    addTransposedProduct(t, rank, x, nIn, rows, scale, gradA);
    if (dx) {
      const scaled = t.map((value) => value * scale);
      matmulTransposed(scaled, rows, rank, transpose(a, rank, nIn), nIn, dx, true);
    }
  }

  private layerForward(l: number, input: LayerInput, rows: Int32Array): LayerTape {
    const hp = this.blocks.hp;
    const { embd, heads, headsKv, headDim, ff, rmsEps } = hp;
    const w: LlamaLayerWeights = this.weights.layers[l];
    const length = input.length;
    const qDim = heads * headDim;
    const kvDim = headsKv * headDim;
    const n = rows.length;
    const rope = this.blocks.rope;

    // Keys and values at every position: the frozen projection plus the LoRA delta.
    const keys = input.kBase.slice(0, length * kvDim);
    const values = input.vBase.slice(0, length * kvDim);
    const uK = this.loraDelta(input.xn, length, this.factors(l, 'attn_k'), keys);
    const uV = this.loraDelta(input.xn, length, this.factors(l, 'attn_v'), values);
    rope.apply(keys, rowRange(0, length), length, headsKv);
    const k = new Float32Array(length * kvDim);
    const v = new Float32Array(length * kvDim);
    toHeadMajor(keys, length, headsKv, headDim, k, length);
    toHeadMajor(values, length, headsKv, headDim, v, length);

    const allRows = n === length;
    const xnRows = allRows ? input.xn : gatherRows(input.xn, rows, embd);
    const q = new Float32Array(n * qDim);
    const uQ = this.linearForward(xnRows, n, w.q, this.factors(l, 'attn_q'), q);
    rope.apply(q, rows, n, heads);
    const attn = new Float32Array(n * qDim);
    const lse = new Float32Array(n * heads);
    attention(q, rows[0], n, k, v, length, this.blocks.shape, attn, lse, this.blocks.scratch);

    const h = allRows ? input.x.slice(0, length * embd) : gatherRows(input.x, rows, embd);
    const attnOut = new Float32Array(n * embd);
    const uO = this.linearForward(attn, n, w.o, this.factors(l, 'attn_output'), attnOut);
    for (let i = 0; i < h.length; i++) h[i] += attnOut[i];

    const hn = new Float32Array(n * embd);
    const invRms2 = new Float32Array(n);
    rmsNorm(h, n, embd, w.ffnNorm, rmsEps, hn, invRms2);
    const gate = new Float32Array(n * ff);
    const up = new Float32Array(n * ff);
    const uGate = this.linearForward(hn, n, w.gate, this.factors(l, 'ffn_gate'), gate);
    const uUp = this.linearForward(hn, n, w.up, this.factors(l, 'ffn_up'), up);
    const act = new Float32Array(n * ff);
    swiglu(gate, up, n * ff, act);
    const down = new Float32Array(n * embd);
    const uDown = this.linearForward(act, n, w.down, this.factors(l, 'ffn_down'), down);
    const out = h.slice();
    for (let i = 0; i < out.length; i++) out[i] += down[i];
    return {
      layer: l,
      input,
      rows,
      xnRows,
      uQ,
      uK,
      uV,
      q,
      k,
      v,
      attn,
      lse,
      uO,
      h,
      hn,
      invRms2,
      gate,
      up,
      act,
      uGate,
      uUp,
      uDown,
      out,
    };
  }

  /** y += s·(x·Aᵀ)·Bᵀ for a frozen projection y; returns x·Aᵀ, or undefined when not adapted. */
  private loraDelta(
    x: Float32Array,
    rows: number,
    lora: LoraFactors | undefined,
    y: Float32Array,
  ): Float32Array | undefined {
    if (!lora) return undefined;
    const u = new Float32Array(rows * lora.rank);
    matmulTransposed(x, rows, lora.nIn, lora.a, lora.rank, u);
    const scaled = u.map((value) => value * lora.scale);
    matmulTransposed(scaled, rows, lora.rank, lora.b, lora.nOut, y, true);
    return u;
  }

  /**
   * Backward through one adapted layer from the gradient of its output rows. Returns the gradient
   * of its input (all positions) when `needInput`; the first adapted layer's input is frozen.
   */
  private layerBackward(tape: LayerTape, dOut: Float32Array, needInput: boolean): Float32Array | undefined {
    const hp = this.blocks.hp;
    const { embd, heads, headsKv, headDim, ff } = hp;
    const l = tape.layer;
    const w = this.weights.layers[l];
    const { input, rows } = tape;
    const n = rows.length;
    const length = input.length;
    const qDim = heads * headDim;
    const kvDim = headsKv * headDim;
    const rope = this.blocks.rope;

    // FFN: out = h + down(silu(gate(hn)) · up(hn)), hn = ffn_norm(h)
    const dh = dOut.slice();
    const dAct = new Float32Array(n * ff);
    this.linearBackward(dOut, n, tape.act, tape.uDown, w.down, this.factors(l, 'ffn_down'), dAct);
    const dGate = new Float32Array(n * ff);
    const dUp = new Float32Array(n * ff);
    swigluBackward(tape.gate, tape.up, dAct, n * ff, dGate, dUp);
    const dHn = new Float32Array(n * embd);
    this.linearBackward(dGate, n, tape.hn, tape.uGate, w.gate, this.factors(l, 'ffn_gate'), dHn);
    this.linearBackward(dUp, n, tape.hn, tape.uUp, w.up, this.factors(l, 'ffn_up'), dHn);
    rmsNormBackward(tape.h, n, embd, w.ffnNorm, tape.invRms2, dHn, dh);

    // Attention: h = x + attn_output(attention(rope(q), rope(k), v))
    const dAttn = new Float32Array(n * qDim);
    this.linearBackward(dh, n, tape.attn, tape.uO, w.o, this.factors(l, 'attn_output'), dAttn);
    const dq = new Float32Array(n * qDim);
    const dkHeads = new Float32Array(length * kvDim);
    const dvHeads = new Float32Array(length * kvDim);
    attentionBackward(
      tape.q,
      rows[0],
      n,
      tape.k,
      tape.v,
      length,
      this.blocks.shape,
      tape.attn,
      tape.lse,
      dAttn,
      dq,
      dkHeads,
      dvHeads,
      this.blocks.scratch,
    );
    rope.apply(dq, rows, n, heads, true);
    const dk = new Float32Array(length * kvDim);
    const dv = new Float32Array(length * kvDim);
    fromHeadMajor(dkHeads, length, headsKv, headDim, length, dk);
    fromHeadMajor(dvHeads, length, headsKv, headDim, length, dv);
    rope.apply(dk, rowRange(0, length), length, headsKv, true);

    const dxnRows = needInput ? new Float32Array(n * embd) : undefined;
    const dxn = needInput ? new Float32Array(length * embd) : undefined;
    this.linearBackward(dq, n, tape.xnRows, tape.uQ, w.q, this.factors(l, 'attn_q'), dxnRows);
    this.linearBackward(dk, length, input.xn, tape.uK, w.k, this.factors(l, 'attn_k'), dxn);
    this.linearBackward(dv, length, input.xn, tape.uV, w.v, this.factors(l, 'attn_v'), dxn);
    if (!needInput || !dxn || !dxnRows) return undefined;
    scatterAddRows(dxnRows, rows, embd, dxn);
    const dx = new Float32Array(length * embd);
    rmsNormBackward(input.x, length, embd, w.attnNorm, input.invRms, dxn, dx);
    scatterAddRows(dh, rows, embd, dx);
    return dx;
  }
}

function gatherRows(x: Float32Array, rows: Int32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++)
    out.set(x.subarray(rows[r] * width, (rows[r] + 1) * width), r * width);
  return out;
}

function scatterAddRows(x: Float32Array, rows: Int32Array, width: number, into: Float32Array): void {
  for (let r = 0; r < rows.length; r++) {
    const src = r * width;
    const dst = rows[r] * width;
    for (let i = 0; i < width; i++) into[dst + i] += x[src + i];
  }
}
