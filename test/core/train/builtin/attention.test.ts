// The blocked attention kernels equal plain textbook attention (float64, one row and one key at a
// time): outputs, log-sum-exp and all three gradients, with grouped-query heads and row counts
// that leave a remainder after the blocks of four.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../core/random.ts';
import { attention, attentionBackward, AttentionScratch } from '../../../../core/train/builtin/attention.ts';

const shape = { heads: 4, headsKv: 2, headDim: 8, scale: 1 / Math.sqrt(8) };
const capacity = 23;
const first = 12;
const rows = 11; // positions 12..22: two blocks of four and three single rows
const random = seededRandom(7);
const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => random() * 2 - 1);
const q = fill(rows * shape.heads * shape.headDim);
const k = fill(shape.headsKv * capacity * shape.headDim);
const v = fill(shape.headsKv * capacity * shape.headDim);
const dOut = fill(rows * shape.heads * shape.headDim);

/** Textbook attention and its gradients, straight from the definitions. */
function reference() {
  const { heads, headsKv, headDim: hd, scale } = shape;
  const out = new Float64Array(q.length);
  const lse = new Float64Array(rows * heads);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  for (let r = 0; r < rows; r++)
    for (let h = 0; h < heads; h++) {
      const qo = (r * heads + h) * hd;
      const kv = Math.floor(h / (heads / headsKv)) * capacity * hd;
      const keys = first + r + 1;
      const scores = Array.from({ length: keys }, (_, j) => {
        let s = 0;
        for (let c = 0; c < hd; c++) s += q[qo + c] * k[kv + j * hd + c];
        return s * scale;
      });
      const max = Math.max(...scores);
      const sum = scores.reduce((a, s) => a + Math.exp(s - max), 0);
      const p = scores.map((s) => Math.exp(s - max) / sum);
      lse[r * heads + h] = max + Math.log(sum);
      for (let j = 0; j < keys; j++) for (let c = 0; c < hd; c++) out[qo + c] += p[j] * v[kv + j * hd + c];
      const dp = p.map((_, j) => {
        let d = 0;
        for (let c = 0; c < hd; c++) d += dOut[qo + c] * v[kv + j * hd + c];
        return d;
      });
      const mean = p.reduce((a, pj, j) => a + pj * dp[j], 0);
      for (let j = 0; j < keys; j++) {
        const ds = p[j] * (dp[j] - mean) * scale;
        for (let c = 0; c < hd; c++) {
          dq[qo + c] += ds * k[kv + j * hd + c];
          dk[kv + j * hd + c] += ds * q[qo + c];
          dv[kv + j * hd + c] += p[j] * dOut[qo + c];
        }
      }
    }
  return { out, lse, dq, dk, dv };
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

describe('attention kernels', () => {
  it('match textbook attention and its gradients', () => {
    const expected = reference();
    const scratch = new AttentionScratch();
    const out = new Float32Array(q.length);
    const lse = new Float32Array(rows * shape.heads);
    attention(q, first, rows, k, v, capacity, shape, out, lse, scratch);
    const dq = new Float32Array(q.length);
    const dk = new Float32Array(k.length);
    const dv = new Float32Array(v.length);
    attentionBackward(q, first, rows, k, v, capacity, shape, out, lse, dOut, dq, dk, dv, scratch);
    expect(maxDifference(out, expected.out)).toBeLessThan(1e-6);
    expect(maxDifference(lse, expected.lse)).toBeLessThan(1e-5);
    expect(maxDifference(dq, expected.dq)).toBeLessThan(1e-5);
    expect(maxDifference(dk, expected.dk)).toBeLessThan(1e-5);
    expect(maxDifference(dv, expected.dv)).toBeLessThan(1e-5);
  });
});
