// The speed report bench/train.ts builds on: it times the first visits, a forward-only and a
// forward+backward pass over the same cached batch, and counts the tokens right.
import { describe, expect, it } from 'vitest';
import { readLlamaWeights } from '../../../../core/train/builtin/gguf-weights.ts';
import { measureStepSpeed, syntheticExample } from '../../../../core/train/builtin/speed.ts';
import { tinyBase } from './helpers.ts';

describe('measureStepSpeed', () => {
  it('reports first visits, forward-only and forward+backward times for one batch', async () => {
    const batch = [1, 2, 3].map((seed) => syntheticExample(366, 400, 30, seed, 300));
    const report = measureStepSpeed(await readLlamaWeights(tinyBase()), batch, { repeats: 2 });
    expect(report).toMatchObject({ examples: 3, tokens: 3 * 429, lossTokens: 3 * 30 });
    // The first example runs its whole sequence; the others only what follows the shared 300 tokens.
    expect(report.frozenRows).toBe(429 + 2 * 129);
    expect(report.firstVisitSeconds).toHaveLength(3);
    expect(report.frozenSeconds).toBeCloseTo(report.firstVisitSeconds.reduce((a, b) => a + b));
    expect(report.forwardSeconds).toBeGreaterThan(0);
    expect(report.forwardBackwardSeconds).toBeGreaterThan(report.forwardSeconds);
    expect(report.trainingTokensPerSecond).toBeCloseTo(report.tokens / report.forwardBackwardSeconds);
  });
});
