// How the fine-tuning screens write numbers: rates with their 95% intervals (as `lab eval compare`
// prints them), durations, losses and speeds.
import type { RateWithInterval } from '../../api/types.ts';

export const percent = (x: number): string => `${Math.round(100 * x)}%`;

/** "85% [64-95%] n=20" */
export const rateCell = (r: RateWithInterval | null | undefined): string =>
  r ? `${percent(r.rate)} [${Math.round(100 * r.low)}-${percent(r.high)}] n=${r.attempts}` : '–';

export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return '–';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
    : s >= 60
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${s} s`;
}

export const loss = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(4);

export const when = (ms: number): string => new Date(ms).toLocaleString();
