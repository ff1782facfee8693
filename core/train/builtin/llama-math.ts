// The numeric kernels of the llama block, forward and backward, on plain Float32Arrays: matrix
// products, RMS norm, RoPE, SwiGLU and softmax cross-entropy (attention is in attention.ts). They follow
// llama.cpp's llama-arch graph (src/llama-model.cpp, ggml-cpu ops) so that what the trainer learns
// is what llama.cpp runs. Sums are accumulated in JS numbers (float64); storage is float32.
//
// Layouts: every matrix is row-major. A weight is [nOut][nIn] (llama.cpp's ne = [nIn, nOut]);
// activations are [rows][width]. Keys and values for attention (attention.ts) are head-major,
// [headsKv][T][headDim], so one head's keys are contiguous.

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

/**
 * acc[p][q] += scale · Σ_r w[r][p] · x[r][q]: the weight gradient wᵀ·x of a product over `rows`
 * rows (acc is [nw][nx]). Four rows at a time, so each accumulator is loaded and stored once per four.
 */
export function addTransposedProduct(
  w: Float32Array,
  nw: number,
  x: Float32Array,
  nx: number,
  rows: number,
  scale: number,
  acc: Float32Array,
): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const x0 = r * nx;
    const x1 = x0 + nx;
    const x2 = x1 + nx;
    const x3 = x2 + nx;
    for (let p = 0; p < nw; p++) {
      const w0 = w[r * nw + p] * scale;
      const w1 = w[(r + 1) * nw + p] * scale;
      const w2 = w[(r + 2) * nw + p] * scale;
      const w3 = w[(r + 3) * nw + p] * scale;
      const o = p * nx;
      for (let q = 0; q < nx; q++)
        acc[o + q] += w0 * x[x0 + q] + w1 * x[x1 + q] + (w2 * x[x2 + q] + w3 * x[x3 + q]);
    }
  }
  for (; r < rows; r++)
    for (let p = 0; p < nw; p++) {
      const wp = w[r * nw + p] * scale;
      const o = p * nx;
      for (let q = 0; q < nx; q++) acc[o + q] += wp * x[r * nx + q];
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
