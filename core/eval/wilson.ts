// Success rates with 95% Wilson score intervals: unlike the normal approximation they stay inside
// [0, 1] and are honest at 0 or n successes, which small evaluations hit all the time.
import type { RateWithInterval } from '../../api/types.ts';

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export function wilsonInterval(successes: number, attempts: number, z = Z95): { low: number; high: number } {
  if (
    !Number.isInteger(attempts) ||
    attempts < 0 ||
    !Number.isInteger(successes) ||
    successes < 0 ||
    successes > attempts
  )
    throw new RangeError(`wilsonInterval: need 0 <= successes <= attempts, got ${successes}/${attempts}`);
  if (attempts === 0) return { low: 0, high: 1 };
  const p = successes / attempts;
  const z2 = z * z;
  const centre = (p + z2 / (2 * attempts)) / (1 + z2 / attempts);
  const half =
    (z / (1 + z2 / attempts)) * Math.sqrt((p * (1 - p)) / attempts + z2 / (4 * attempts * attempts));
  // Clamp the rounding at the ends: 0 successes has a lower bound of exactly 0.
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function rateWithInterval(successes: number, attempts: number): RateWithInterval {
  const { low, high } = wilsonInterval(successes, attempts);
  return { attempts, successes, rate: attempts ? successes / attempts : 0, low, high };
}

/** Two rates differ beyond chance (at this rough level) when their intervals do not overlap. */
export function intervalsApart(a: RateWithInterval, b: RateWithInterval): boolean {
  return a.high < b.low || b.high < a.low;
}
