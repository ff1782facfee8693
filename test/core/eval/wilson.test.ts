import { describe, expect, it } from 'vitest';
import { intervalsApart, rateWithInterval, wilsonInterval } from '../../../core/eval/wilson.ts';

describe('95% Wilson intervals', () => {
  // Reference values: the roots of (p - x/n)^2 = z^2 p (1 - p) / n, solved separately (quadratic
  // formula in Python); 0/10, 5/10 and 10/10 also match R's prop.test(x, n, correct = FALSE).
  it.each([
    [0, 10, 0, 0.2775328],
    [5, 10, 0.2365931, 0.7634069],
    [10, 10, 0.7224672, 1],
    [3, 3, 0.438503, 1],
    [81, 263, 0.2552885, 0.3662096],
    [1, 20, 0.0088814, 0.2361312],
  ])('%i of %i successes: [%f, %f]', (successes, attempts, low, high) => {
    const interval = wilsonInterval(successes, attempts);
    expect(interval.low).toBeCloseTo(low, 6);
    expect(interval.high).toBeCloseTo(high, 6);
  });

  it('says nothing is known without attempts, and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    expect(() => wilsonInterval(4, 3)).toThrow(/0 <= successes <= attempts/);
    expect(() => wilsonInterval(-1, 3)).toThrow(RangeError);
  });

  it('calls two rates apart only when their intervals do not overlap', () => {
    expect(intervalsApart(rateWithInterval(0, 20), rateWithInterval(15, 20))).toBe(true);
    expect(intervalsApart(rateWithInterval(2, 5), rateWithInterval(4, 5))).toBe(false);
  });
});
