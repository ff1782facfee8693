// Causal softmax attention, forward and backward, for consecutive query rows: the hot loop of the
// built-in trainer (the frozen pass over a prompt's own rows, and the last layer's answer rows
// against every key).
//
// Speed: query rows are taken four at a time, so each key (and value) loaded serves four rows and
// each key/value gradient row is read and written once per four rows; heads are cut into lanes of
// four. The four rows of a block see the same keys except the last few (causality): those few are
// done row by row. Probabilities are rebuilt in the backward from the log-sum-exp kept by the
// forward rather than stored, since a row's are as long as the sequence.
//
// Layouts: q, out, dOut, dq are [rows][heads][headDim]; k, v, dk, dv are head-major
// [headsKv][capacity][headDim], so one head's keys are contiguous.

export interface AttentionShape {
  heads: number;
  headsKv: number;
  /** A multiple of 4 (the kernels work on lanes of four). */
  headDim: number;
  scale: number;
}

/** Per-row buffers for the kernels, each as long as the longest sequence. */
export class AttentionScratch {
  private buffers: Float64Array[] = [];

  /** Eight buffers of at least `length` (scores and their gradients for a block of four rows). */
  get(length: number): Float64Array[] {
    if ((this.buffers[0]?.length ?? 0) < length)
      this.buffers = Array.from({ length: 8 }, () => new Float64Array(length));
    return this.buffers;
  }
}

// ---- lane kernels: four lanes (c..c+3) of a head, over keys j in [from, to) --------------------

/** s_i[j] += x_i · m_j over four lanes, for four rows x_i at xo + i·stride. */
function dots4(
  x: Float32Array,
  xo: number,
  stride: number,
  m: Float32Array,
  mo: number,
  hd: number,
  from: number,
  to: number,
  s0: Float64Array,
  s1: Float64Array,
  s2: Float64Array,
  s3: Float64Array,
): void {
  const a = xo;
  const b = a + stride;
  const c = b + stride;
  const d = c + stride;
  const a0 = x[a];
  const a1 = x[a + 1];
  const a2 = x[a + 2];
  const a3 = x[a + 3];
  const b0 = x[b];
  const b1 = x[b + 1];
  const b2 = x[b + 2];
  const b3 = x[b + 3];
  const c0 = x[c];
  const c1 = x[c + 1];
  const c2 = x[c + 2];
  const c3 = x[c + 3];
  const d0 = x[d];
  const d1 = x[d + 1];
  const d2 = x[d + 2];
  const d3 = x[d + 3];
  for (let j = from, o = mo + from * hd; j < to; j++, o += hd) {
    const m0 = m[o];
    const m1 = m[o + 1];
    const m2 = m[o + 2];
    const m3 = m[o + 3];
    s0[j] += a0 * m0 + a1 * m1 + (a2 * m2 + a3 * m3);
    s1[j] += b0 * m0 + b1 * m1 + (b2 * m2 + b3 * m3);
    s2[j] += c0 * m0 + c1 * m1 + (c2 * m2 + c3 * m3);
    s3[j] += d0 * m0 + d1 * m1 + (d2 * m2 + d3 * m3);
  }
}

/** s[j] += x · m_j over four lanes, for one row. */
function dots1(
  x: Float32Array,
  xo: number,
  m: Float32Array,
  mo: number,
  hd: number,
  from: number,
  to: number,
  s: Float64Array,
): void {
  const x0 = x[xo];
  const x1 = x[xo + 1];
  const x2 = x[xo + 2];
  const x3 = x[xo + 3];
  for (let j = from, o = mo + from * hd; j < to; j++, o += hd)
    s[j] += x0 * m[o] + x1 * m[o + 1] + (x2 * m[o + 2] + x3 * m[o + 3]);
}

/** out_i[lanes] += Σ_j w_i[j] · m_j[lanes], for four rows out_i at oo + i·stride. */
function weighted4(
  w0: Float64Array,
  w1: Float64Array,
  w2: Float64Array,
  w3: Float64Array,
  m: Float32Array,
  mo: number,
  hd: number,
  from: number,
  to: number,
  out: Float32Array,
  oo: number,
  stride: number,
): void {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  for (let j = from, o = mo + from * hd; j < to; j++, o += hd) {
    const m0 = m[o];
    const m1 = m[o + 1];
    const m2 = m[o + 2];
    const m3 = m[o + 3];
    const wa = w0[j];
    const wb = w1[j];
    const wc = w2[j];
    const wd = w3[j];
    a0 += wa * m0;
    a1 += wa * m1;
    a2 += wa * m2;
    a3 += wa * m3;
    b0 += wb * m0;
    b1 += wb * m1;
    b2 += wb * m2;
    b3 += wb * m3;
    c0 += wc * m0;
    c1 += wc * m1;
    c2 += wc * m2;
    c3 += wc * m3;
    d0 += wd * m0;
    d1 += wd * m1;
    d2 += wd * m2;
    d3 += wd * m3;
  }
  const a = oo;
  const b = a + stride;
  const c = b + stride;
  const d = c + stride;
  out[a] += a0;
  out[a + 1] += a1;
  out[a + 2] += a2;
  out[a + 3] += a3;
  out[b] += b0;
  out[b + 1] += b1;
  out[b + 2] += b2;
  out[b + 3] += b3;
  out[c] += c0;
  out[c + 1] += c1;
  out[c + 2] += c2;
  out[c + 3] += c3;
  out[d] += d0;
  out[d + 1] += d1;
  out[d + 2] += d2;
  out[d + 3] += d3;
}

/** out[lanes] += Σ_j w[j] · m_j[lanes], for one row. */
function weighted1(
  w: Float64Array,
  m: Float32Array,
  mo: number,
  hd: number,
  from: number,
  to: number,
  out: Float32Array,
  oo: number,
): void {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let j = from, o = mo + from * hd; j < to; j++, o += hd) {
    const wj = w[j];
    a0 += wj * m[o];
    a1 += wj * m[o + 1];
    a2 += wj * m[o + 2];
    a3 += wj * m[o + 3];
  }
  out[oo] += a0;
  out[oo + 1] += a1;
  out[oo + 2] += a2;
  out[oo + 3] += a3;
}

/** m_j[lanes] += Σ_i w_i[j] · x_i[lanes], for four rows x_i at xo + i·stride. */
function outer4(
  w0: Float64Array,
  w1: Float64Array,
  w2: Float64Array,
  w3: Float64Array,
  x: Float32Array,
  xo: number,
  stride: number,
  m: Float32Array,
  mo: number,
  hd: number,
  from: number,
  to: number,
): void {
  const a = xo;
  const b = a + stride;
  const c = b + stride;
  const d = c + stride;
  const a0 = x[a];
  const a1 = x[a + 1];
  const a2 = x[a + 2];
  const a3 = x[a + 3];
  const b0 = x[b];
  const b1 = x[b + 1];
  const b2 = x[b + 2];
  const b3 = x[b + 3];
  const c0 = x[c];
  const c1 = x[c + 1];
  const c2 = x[c + 2];
  const c3 = x[c + 3];
  const d0 = x[d];
  const d1 = x[d + 1];
  const d2 = x[d + 2];
  const d3 = x[d + 3];
  for (let j = from, o = mo + from * hd; j < to; j++, o += hd) {
    const wa = w0[j];
    const wb = w1[j];
    const wc = w2[j];
    const wd = w3[j];
    m[o] += wa * a0 + wb * b0 + (wc * c0 + wd * d0);
    m[o + 1] += wa * a1 + wb * b1 + (wc * c1 + wd * d1);
    m[o + 2] += wa * a2 + wb * b2 + (wc * c2 + wd * d2);
    m[o + 3] += wa * a3 + wb * b3 + (wc * c3 + wd * d3);
  }
}

/** m_j[lanes] += w[j] · x[lanes], for one row. */
function outer1(
  w: Float64Array,
  x: Float32Array,
  xo: number,
  m: Float32Array,
  mo: number,
  hd: number,
  from: number,
  to: number,
): void {
  const x0 = x[xo];
  const x1 = x[xo + 1];
  const x2 = x[xo + 2];
  const x3 = x[xo + 3];
  for (let j = from, o = mo + from * hd; j < to; j++, o += hd) {
    const wj = w[j];
    m[o] += wj * x0;
    m[o + 1] += wj * x1;
    m[o + 2] += wj * x2;
    m[o + 3] += wj * x3;
  }
}

// ---- blocks of rows -----------------------------------------------------------------------------

/**
 * s_i[j] = x_i · m_j for the `count` (1 or 4) rows of a block whose first row sees keys 0..last
 * and row i sees keys 0..last+i. Buffers are zeroed first.
 */
function blockDots(
  x: Float32Array,
  xo: number,
  stride: number,
  m: Float32Array,
  mo: number,
  hd: number,
  last: number,
  count: number,
  s: Float64Array[],
): void {
  for (let i = 0; i < count; i++) s[i].fill(0, 0, last + 1 + i);
  for (let c = 0; c < hd; c += 4) {
    if (count === 4) dots4(x, xo + c, stride, m, mo + c, hd, 0, last + 1, s[0], s[1], s[2], s[3]);
    else dots1(x, xo + c, m, mo + c, hd, 0, last + 1, s[0]);
    for (let i = 1; i < count; i++)
      dots1(x, xo + i * stride + c, m, mo + c, hd, last + 1, last + 1 + i, s[i]);
  }
}

/** out_i[c] += Σ_j w_i[j] · m_j[c] for a block (row i summing keys 0..last+i). */
function blockWeighted(
  w: Float64Array[],
  m: Float32Array,
  mo: number,
  hd: number,
  last: number,
  count: number,
  out: Float32Array,
  oo: number,
  stride: number,
): void {
  for (let c = 0; c < hd; c += 4) {
    if (count === 4) weighted4(w[0], w[1], w[2], w[3], m, mo + c, hd, 0, last + 1, out, oo + c, stride);
    else weighted1(w[0], m, mo + c, hd, 0, last + 1, out, oo + c);
    for (let i = 1; i < count; i++)
      weighted1(w[i], m, mo + c, hd, last + 1, last + 1 + i, out, oo + i * stride + c);
  }
}

/** m_j[c] += Σ_i w_i[j] · x_i[c] for a block (row i reaching keys 0..last+i). */
function blockOuter(
  w: Float64Array[],
  x: Float32Array,
  xo: number,
  stride: number,
  m: Float32Array,
  mo: number,
  hd: number,
  last: number,
  count: number,
): void {
  for (let c = 0; c < hd; c += 4) {
    if (count === 4) outer4(w[0], w[1], w[2], w[3], x, xo + c, stride, m, mo + c, hd, 0, last + 1);
    else outer1(w[0], x, xo + c, m, mo + c, hd, 0, last + 1);
    for (let i = 1; i < count; i++)
      outer1(w[i], x, xo + i * stride + c, m, mo + c, hd, last + 1, last + 1 + i);
  }
}

/** q · scale, so the kernels produce scaled scores directly (one multiply per query, not per key). */
function scaledCopy(q: Float32Array, length: number, scale: number): Float32Array {
  const scaled = new Float32Array(length);
  for (let i = 0; i < length; i++) scaled[i] = q[i] * scale;
  return scaled;
}

/**
 * Causal attention for `rows` consecutive query rows at positions first..first+rows-1 (row r sees
 * keys 0..first+r). lse[r][h] receives the log-sum-exp of the row's scaled scores for the backward.
 */
export function attention(
  q: Float32Array,
  first: number,
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
  const stride = heads * hd;
  const s = scratch.get(capacity);
  const scaled = scaledCopy(q, rows * stride, scale);
  const sums = [0, 0, 0, 0];
  out.fill(0, 0, rows * stride);
  for (let r = 0; r < rows;) {
    const count = rows - r >= 4 ? 4 : 1;
    const last = first + r;
    for (let h = 0; h < heads; h++) {
      const qo = r * stride + h * hd;
      const kv0 = Math.floor(h / group) * capacity * hd;
      blockDots(scaled, qo, stride, k, kv0, hd, last, count, s);
      for (let i = 0; i < count; i++) {
        const row = s[i];
        const keys = last + 1 + i;
        let max = -Infinity;
        for (let j = 0; j < keys; j++) if (row[j] > max) max = row[j];
        let sum = 0;
        for (let j = 0; j < keys; j++) {
          const e = Math.exp(row[j] - max);
          row[j] = e;
          sum += e;
        }
        sums[i] = sum;
        if (lse) lse[(r + i) * heads + h] = max + Math.log(sum);
      }
      blockWeighted(s, v, kv0, hd, last, count, out, qo, stride);
      for (let i = 0; i < count; i++) {
        const o = qo + i * stride;
        for (let c = 0; c < hd; c++) out[o + c] /= sums[i];
      }
    }
    r += count;
  }
}

/**
 * Backward of attention(): from dOut, adds to dq and to dk, dv (head-major like k and v), given the
 * forward's output and lse.
 */
export function attentionBackward(
  q: Float32Array,
  first: number,
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
  const stride = heads * hd;
  const buffers = scratch.get(capacity);
  const p = buffers.slice(0, 4);
  const ds = buffers.slice(4, 8);
  const scaled = scaledCopy(q, rows * stride, scale);
  for (let r = 0; r < rows;) {
    const count = rows - r >= 4 ? 4 : 1;
    const last = first + r;
    for (let h = 0; h < heads; h++) {
      const qo = r * stride + h * hd;
      const kv0 = Math.floor(h / group) * capacity * hd;
      blockDots(scaled, qo, stride, k, kv0, hd, last, count, p);
      blockDots(dOut, qo, stride, v, kv0, hd, last, count, ds);
      for (let i = 0; i < count; i++) {
        const o = qo + i * stride;
        let dotOut = 0; // Σ_j p_j (dOut · v_j) = dOut · out
        for (let c = 0; c < hd; c++) dotOut += dOut[o + c] * out[o + c];
        const rowLse = lse[(r + i) * heads + h];
        const pi = p[i];
        const dsi = ds[i];
        const keys = last + 1 + i;
        for (let j = 0; j < keys; j++) {
          const prob = Math.exp(pi[j] - rowLse);
          pi[j] = prob;
          dsi[j] = prob * (dsi[j] - dotOut) * scale;
        }
      }
      blockWeighted(ds, k, kv0, hd, last, count, dq, qo, stride);
      blockOuter(ds, q, qo, stride, dk, kv0, hd, last, count);
      blockOuter(p, dOut, qo, stride, dv, kv0, hd, last, count);
    }
    r += count;
  }
}
