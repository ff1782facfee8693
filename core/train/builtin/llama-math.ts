// The numeric kernels of the llama block, forward and backward, on plain Float32Arrays: matrix
// products, RMS norm, RoPE, causal attention, SwiGLU and softmax cross-entropy. They follow
// llama.cpp's llama-arch graph (src/llama-model.cpp, ggml-cpu ops) so that what the trainer learns
// is what llama.cpp runs. Sums are accumulated in JS numbers (float64); storage is float32.
//
// Layouts: every matrix is row-major. A weight is [nOut][nIn] (llama.cpp's ne = [nIn, nOut]);
// activations are [rows][width]. Keys and values for attention are head-major, [headsKv][T][headDim],
// so one head's keys are contiguous.

/** y[r][o] = Σ_i x[r][i] · w[o][i] for r < rows; adds to y when `accumulate`. */
export function matmulTransposed(
  x: Float32Array,
  rows: number,
  nIn: number,
  w: Float32Array,
  nOut: number,
  y: Float32Array,
  accumulate = false,
): void {
  let r = 0;
  // Four rows at a time: each weight value loaded once serves four dot products.
  for (; r + 3 < rows; r += 4) {
    const x0 = r * nIn;
    const x1 = x0 + nIn;
    const x2 = x1 + nIn;
    const x3 = x2 + nIn;
    const y0 = r * nOut;
    for (let o = 0; o < nOut; o++) {
      const wo = o * nIn;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < nIn; i++) {
        const wv = w[wo + i];
        s0 += x[x0 + i] * wv;
        s1 += x[x1 + i] * wv;
        s2 += x[x2 + i] * wv;
        s3 += x[x3 + i] * wv;
      }
      if (accumulate) {
        y[y0 + o] += s0;
        y[y0 + nOut + o] += s1;
        y[y0 + 2 * nOut + o] += s2;
        y[y0 + 3 * nOut + o] += s3;
      } else {
        y[y0 + o] = s0;
        y[y0 + nOut + o] = s1;
        y[y0 + 2 * nOut + o] = s2;
        y[y0 + 3 * nOut + o] = s3;
      }
    }
  }
  for (; r < rows; r++) {
    const xr = r * nIn;
    const yr = r * nOut;
    for (let o = 0; o < nOut; o++) {
      const wo = o * nIn;
      let s = 0;
      for (let i = 0; i < nIn; i++) s += x[xr + i] * w[wo + i];
      if (accumulate) y[yr + o] += s;
      else y[yr + o] = s;
    }
  }
}

/** The transpose of a row-major [rows][cols] matrix, as [cols][rows]. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

/** out = x / sqrt(mean(x²) + eps) · weight, per row; invRms[r] keeps the row's 1 / sqrt(...). */
export function rmsNorm(
  x: Float32Array,
  rows: number,
  width: number,
  weight: Float32Array,
  eps: number,
  out: Float32Array,
  invRms?: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    let sum = 0;
    for (let i = 0; i < width; i++) sum += x[o + i] * x[o + i];
    // llama.cpp rounds the scale to float before multiplying (1.0f / sqrtf(mean + eps)).
    const inv = Math.fround(1 / Math.sqrt(Math.fround(sum / width) + eps));
    if (invRms) invRms[r] = inv;
    for (let i = 0; i < width; i++) out[o + i] = Math.fround(x[o + i] * inv) * weight[i];
  }
}

/** dx += the gradient of rmsNorm through x, given dOut (its gradient) and the forward's invRms. */
export function rmsNormBackward(
  x: Float32Array,
  rows: number,
  width: number,
  weight: Float32Array,
  invRms: Float32Array,
  dOut: Float32Array,
  dx: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    const inv = invRms[r];
    let dot = 0;
    for (let i = 0; i < width; i++) dot += dOut[o + i] * weight[i] * x[o + i];
    const k = (inv * inv * inv * dot) / width;
    for (let i = 0; i < width; i++) dx[o + i] += inv * weight[i] * dOut[o + i] - k * x[o + i];
  }
}

/**
 * cos/sin of llama.cpp's NORM-mode rotary embedding (LLM_ARCH_LLAMA): pair (2i, 2i+1) turns by
 * pos · freqScale · base^(-2i/headDim) / factor[i]. Built the way ggml builds its cache (the angle
 * multiplied by theta_scale in float, step by step) so angles at large positions match.
 */
export class RopeTable {
  private cos = new Float32Array(0);
  private sin = new Float32Array(0);
  private positions = 0;

  constructor(
    readonly headDim: number,
    private readonly base: number,
    private readonly freqScale: number,
    private readonly factors?: Float32Array,
  ) {}

  /** Makes positions 0 .. count-1 available. */
  ensure(count: number): void {
    if (count <= this.positions) return;
    const half = this.headDim / 2;
    const cos = new Float32Array(count * half);
    const sin = new Float32Array(count * half);
    cos.set(this.cos);
    sin.set(this.sin);
    const thetaScale = Math.fround(Math.pow(this.base, Math.fround(-2 / this.headDim)));
    for (let p = this.positions; p < count; p++) {
      let theta = p;
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(this.freqScale * Math.fround(theta / (this.factors?.[i] ?? 1)));
        cos[p * half + i] = Math.cos(angle);
        sin[p * half + i] = Math.sin(angle);
        theta = Math.fround(theta * thetaScale);
      }
    }
    this.cos = cos;
    this.sin = sin;
    this.positions = count;
  }

  /**
   * Rotates each row's heads in place (x: [rows][heads][headDim], row r at positions[r]); `inverse`
   * turns the other way, which is the backward of the rotation.
   */
  apply(x: Float32Array, positions: ArrayLike<number>, rows: number, heads: number, inverse = false): void {
    const hd = this.headDim;
    const half = hd / 2;
    const sign = inverse ? -1 : 1;
    for (let r = 0; r < rows; r++) {
      const t = positions[r] * half;
      if (positions[r] >= this.positions) throw new RangeError(`RoPE table has no position ${positions[r]}`);
      for (let h = 0; h < heads; h++) {
        const o = (r * heads + h) * hd;
        for (let i = 0; i < half; i++) {
          const c = this.cos[t + i];
          const s = sign * this.sin[t + i];
          const x0 = x[o + 2 * i];
          const x1 = x[o + 2 * i + 1];
          x[o + 2 * i] = x0 * c - x1 * s;
          x[o + 2 * i + 1] = x0 * s + x1 * c;
        }
      }
    }
  }
}

/** Row-major [rows][heads][hd] rows into head-major [heads][capacity][hd] at row offset `at`. */
export function toHeadMajor(
  x: Float32Array,
  rows: number,
  heads: number,
  hd: number,
  out: Float32Array,
  capacity: number,
  at = 0,
): void {
  for (let r = 0; r < rows; r++)
    for (let h = 0; h < heads; h++)
      out.set(x.subarray((r * heads + h) * hd, (r * heads + h + 1) * hd), (h * capacity + at + r) * hd);
}

/** Head-major [heads][capacity][hd] rows 0..rows-1 back to row-major [rows][heads][hd]. */
export function fromHeadMajor(
  x: Float32Array,
  rows: number,
  heads: number,
  hd: number,
  capacity: number,
  out: Float32Array,
): void {
  for (let r = 0; r < rows; r++)
    for (let h = 0; h < heads; h++)
      out.set(x.subarray((h * capacity + r) * hd, (h * capacity + r + 1) * hd), (r * heads + h) * hd);
}

export interface AttentionShape {
  heads: number;
  headsKv: number;
  /** A multiple of 8: the kernels work on eight lanes of a head at a time. */
  headDim: number;
  scale: number;
}

/** Adds q·k_j over one 8-lane chunk (q at qo, keys from ko, stride hd) to s[j] for j < keys. */
function addChunkDots(
  q: Float32Array,
  qo: number,
  k: Float32Array,
  ko: number,
  hd: number,
  keys: number,
  s: Float64Array,
): void {
  const q0 = q[qo];
  const q1 = q[qo + 1];
  const q2 = q[qo + 2];
  const q3 = q[qo + 3];
  const q4 = q[qo + 4];
  const q5 = q[qo + 5];
  const q6 = q[qo + 6];
  const q7 = q[qo + 7];
  for (let j = 0, o = ko; j < keys; j++, o += hd)
    s[j] +=
      q0 * k[o] +
      q1 * k[o + 1] +
      q2 * k[o + 2] +
      q3 * k[o + 3] +
      q4 * k[o + 4] +
      q5 * k[o + 5] +
      q6 * k[o + 6] +
      q7 * k[o + 7];
}

/** out[oo + c] = Σ_j w[j] · v_j[c] · factor over one 8-lane chunk (values from vo, stride hd). */
function weightedChunkSum(
  w: Float64Array,
  v: Float32Array,
  vo: number,
  hd: number,
  keys: number,
  factor: number,
  out: Float32Array | Float64Array,
  oo: number,
): void {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let a4 = 0;
  let a5 = 0;
  let a6 = 0;
  let a7 = 0;
  for (let j = 0, o = vo; j < keys; j++, o += hd) {
    const p = w[j];
    a0 += p * v[o];
    a1 += p * v[o + 1];
    a2 += p * v[o + 2];
    a3 += p * v[o + 3];
    a4 += p * v[o + 4];
    a5 += p * v[o + 5];
    a6 += p * v[o + 6];
    a7 += p * v[o + 7];
  }
  out[oo] += a0 * factor;
  out[oo + 1] += a1 * factor;
  out[oo + 2] += a2 * factor;
  out[oo + 3] += a3 * factor;
  out[oo + 4] += a4 * factor;
  out[oo + 5] += a5 * factor;
  out[oo + 6] += a6 * factor;
  out[oo + 7] += a7 * factor;
}

/** m[j][c] += w[j] · x[c] over one 8-lane chunk (x at xo; m from mo, stride hd). */
function addChunkOuter(
  w: Float64Array,
  x: Float32Array,
  xo: number,
  m: Float32Array,
  mo: number,
  hd: number,
  keys: number,
): void {
  const x0 = x[xo];
  const x1 = x[xo + 1];
  const x2 = x[xo + 2];
  const x3 = x[xo + 3];
  const x4 = x[xo + 4];
  const x5 = x[xo + 5];
  const x6 = x[xo + 6];
  const x7 = x[xo + 7];
  for (let j = 0, o = mo; j < keys; j++, o += hd) {
    const a = w[j];
    m[o] += a * x0;
    m[o + 1] += a * x1;
    m[o + 2] += a * x2;
    m[o + 3] += a * x3;
    m[o + 4] += a * x4;
    m[o + 5] += a * x5;
    m[o + 6] += a * x6;
    m[o + 7] += a * x7;
  }
}

/** Reusable per-row buffers for the attention kernels (each as long as the longest sequence). */
export class AttentionScratch {
  first = new Float64Array(0);
  second = new Float64Array(0);

  ensure(length: number): void {
    if (this.first.length >= length) return;
    this.first = new Float64Array(length);
    this.second = new Float64Array(length);
  }
}

/**
 * Causal softmax attention for query rows at `positions` (row r sees keys 0..positions[r]).
 * q, out: [rows][heads][hd]; k, v: head-major [headsKv][capacity][hd]. lse[r][h] keeps the
 * log-sum-exp of the row's scaled scores so the backward can rebuild the probabilities.
 */
export function attention(
  q: Float32Array,
  positions: ArrayLike<number>,
  rows: number,
  k: Float32Array,
  v: Float32Array,
  capacity: number,
  shape: AttentionShape,
  out: Float32Array,
  lse: Float32Array | undefined,
  scratch: AttentionScratch,
): void {
  const { heads, headsKv, headDim: hd, scale } = shape;
  const group = heads / headsKv;
  scratch.ensure(capacity);
  const p = scratch.first;
  for (let r = 0; r < rows; r++) {
    const keys = positions[r] + 1;
    for (let h = 0; h < heads; h++) {
      const qo = (r * heads + h) * hd;
      const kv0 = Math.floor(h / group) * capacity * hd;
      p.fill(0, 0, keys);
      for (let c = 0; c < hd; c += 8) addChunkDots(q, qo + c, k, kv0 + c, hd, keys, p);
      let max = -Infinity;
      for (let j = 0; j < keys; j++) {
        const s = p[j] * scale;
        p[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j < keys; j++) {
        const e = Math.exp(p[j] - max);
        p[j] = e;
        sum += e;
      }
      out.fill(0, qo, qo + hd);
      for (let c = 0; c < hd; c += 8) weightedChunkSum(p, v, kv0 + c, hd, keys, 1 / sum, out, qo + c);
      if (lse) lse[r * heads + h] = max + Math.log(sum);
    }
  }
}

/**
 * Backward of attention(): from dOut, adds to dq ([rows][heads][hd]) and to dk, dv (head-major
 * like k, v). Probabilities are rebuilt from lse, not stored: a row's are as long as the sequence.
 */
export function attentionBackward(
  q: Float32Array,
  positions: ArrayLike<number>,
  rows: number,
  k: Float32Array,
  v: Float32Array,
  capacity: number,
  shape: AttentionShape,
  out: Float32Array,
  lse: Float32Array,
  dOut: Float32Array,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  scratch: AttentionScratch,
): void {
  const { heads, headsKv, headDim: hd, scale } = shape;
  const group = heads / headsKv;
  scratch.ensure(capacity);
  const p = scratch.first;
  const ds = scratch.second;
  for (let r = 0; r < rows; r++) {
    const keys = positions[r] + 1;
    for (let h = 0; h < heads; h++) {
      const qo = (r * heads + h) * hd;
      const kv0 = Math.floor(h / group) * capacity * hd;
      const rowLse = lse[r * heads + h];
      let dotOut = 0; // Σ_j p_j (dOut · v_j) = dOut · out
      for (let c = 0; c < hd; c++) dotOut += dOut[qo + c] * out[qo + c];
      p.fill(0, 0, keys);
      ds.fill(0, 0, keys);
      for (let c = 0; c < hd; c += 8) {
        addChunkDots(q, qo + c, k, kv0 + c, hd, keys, p);
        addChunkDots(dOut, qo + c, v, kv0 + c, hd, keys, ds);
      }
      for (let j = 0; j < keys; j++) {
        const prob = Math.exp(p[j] * scale - rowLse);
        p[j] = prob;
        ds[j] = prob * (ds[j] - dotOut) * scale;
      }
      for (let c = 0; c < hd; c += 8) {
        weightedChunkSum(ds, k, kv0 + c, hd, keys, 1, dq, qo + c);
        addChunkOuter(ds, q, qo + c, dk, kv0 + c, hd, keys);
        addChunkOuter(p, dOut, qo + c, dv, kv0 + c, hd, keys);
      }
    }
  }
}

/** silu(x) = x · sigmoid(x), as ggml computes it. */
export const silu = (x: number): number => x / (1 + Math.exp(-x));

/** act = silu(gate) · up, elementwise. */
export function swiglu(gate: Float32Array, up: Float32Array, count: number, act: Float32Array): void {
  for (let i = 0; i < count; i++) act[i] = silu(gate[i]) * up[i];
}

/** From dAct, writes dGate and dUp (the backward of swiglu). */
export function swigluBackward(
  gate: Float32Array,
  up: Float32Array,
  dAct: Float32Array,
  count: number,
  dGate: Float32Array,
  dUp: Float32Array,
): void {
  for (let i = 0; i < count; i++) {
    const g = gate[i];
    const sig = 1 / (1 + Math.exp(-g));
    dUp[i] = dAct[i] * g * sig;
    dGate[i] = dAct[i] * up[i] * sig * (1 + g * (1 - sig));
  }
}

/**
 * Softmax cross-entropy of each row of logits against its target; returns the summed loss and, if
 * dLogits is given, writes (softmax - onehot) · weight into it (the gradient of weight · loss).
 */
export function crossEntropy(
  logits: Float32Array,
  rows: number,
  vocab: number,
  targets: ArrayLike<number>,
  dLogits?: Float32Array,
  weight = 1,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) if (logits[o + i] > max) max = logits[o + i];
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += Math.exp(logits[o + i] - max);
    const logSum = max + Math.log(sum);
    total += logSum - logits[o + targets[r]];
    if (dLogits) {
      for (let i = 0; i < vocab; i++) dLogits[o + i] = Math.exp(logits[o + i] - logSum) * weight;
      dLogits[o + targets[r]] -= weight;
    }
  }
  return total;
}
