// Axis arithmetic the SVG charts share: round tick values (1, 2 or 5 times a power of ten) that
// cover a range, a linear map from data to pixels, and tick labels with as many decimals as the
// tick step needs.

/** About `count` round values from at or below `min` to at or above `max`. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(round(v, step));
  if (ticks.at(-1)! < max) ticks.push(round(ticks.at(-1)! + step, step));
  return ticks;
}

/** Whole steps for a step axis: round ticks that are integers. */
export function integerTicks(max: number, count = 6): number[] {
  return niceTicks(0, Math.max(max, 1), count).filter((v) => Number.isInteger(v));
}

function round(value: number, step: number): number {
  return Number(value.toFixed(decimals(step)));
}

/** Decimals a tick label needs to tell ticks `step` apart. */
export function decimals(step: number): number {
  return Math.max(0, Math.min(6, -Math.floor(Math.log10(Math.abs(step) || 1) + 1e-9)));
}

export function tickLabel(value: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  return value.toFixed(decimals(step));
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}
