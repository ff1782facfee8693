// Success per task per evaluated model in plain SVG: grouped bars (a group per task, then the train
// and held-out means; one colour per run) with each rate's 95% Wilson interval as an error bar, and
// a legend naming the runs.
import type { CompareTable, RateWithInterval } from '../../api/types.ts';
import { linear } from './chart-scale.ts';
import { rateCell } from './format.ts';

/** One colour per run, in order; distinguishable in print and for common colour blindness. */
export const RUN_COLOURS = [
  '#2c64d8',
  '#e08a1e',
  '#1f8a4c',
  '#a23fb5',
  '#c2372f',
  '#0f9ab0',
  '#7a6a3a',
  '#5b6578',
];
export const runColour = (index: number): string => RUN_COLOURS[index % RUN_COLOURS.length];

const HEIGHT = 280;
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];

/** The columns: every task, then the train and held-out means (the chart: only those that exist). */
export function chartGroups(
  table: CompareTable,
  { everyMean = false } = {},
): { id: string; label: string; heldout: boolean }[] {
  const train = everyMean || table.rows.some((r) => r.train);
  const heldout = everyMean || table.rows.some((r) => r.heldout);
  return [
    ...table.tasks.map((t) => ({ id: t.id, label: t.id, heldout: t.split === 'heldout' })),
    ...(train ? [{ id: ':train', label: 'train mean', heldout: false }] : []),
    ...(heldout ? [{ id: ':heldout', label: 'held-out mean', heldout: true }] : []),
  ];
}

export function groupRate(row: CompareTable['rows'][number], group: string): RateWithInterval | null {
  return group === ':train' ? row.train : group === ':heldout' ? row.heldout : (row.cells[group] ?? null);
}

export function RateChart({ table, testId }: { table: CompareTable; testId?: string }) {
  const groups = chartGroups(table);
  const runs = table.rows.length;
  const rotate = groups.length > 4 || groups.some((g) => g.label.length > 16);
  const M = { left: 52, right: 12, top: 12, bottom: rotate ? 110 : 44 };
  const gap = 18;
  const barWidth = Math.max(6, Math.min(34, (560 / Math.max(groups.length, 1) - gap) / Math.max(runs, 1)));
  const groupWidth = runs * barWidth + gap;
  const width = M.left + M.right + Math.max(360, groups.length * groupWidth);
  const y = linear(0, 1, HEIGHT - M.bottom, M.top);
  const plotLeft = M.left + (width - M.left - M.right - groups.length * groupWidth) / 2;

  return (
    <div className="rate-chart" data-testid={testId}>
      <svg
        className="chart"
        viewBox={`0 0 ${width} ${HEIGHT}`}
        style={{ maxWidth: `${width * 1.4}px` }}
        role="img"
        aria-label="success per task per run with 95% intervals"
      >
        {Y_TICKS.map((t) => (
          <g key={t}>
            <line className="grid" x1={M.left} x2={width - M.right} y1={y(t)} y2={y(t)} />
            <text className="tick" x={M.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
              {Math.round(t * 100)}%
            </text>
          </g>
        ))}
        <line className="axis" x1={M.left} x2={M.left} y1={M.top} y2={HEIGHT - M.bottom} />
        <line className="axis" x1={M.left} x2={width - M.right} y1={y(0)} y2={y(0)} />
        <text
          className="axis-label"
          transform={`translate(14 ${(M.top + HEIGHT - M.bottom) / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          success (bar), 95% interval (whisker)
        </text>
        {groups.map((group, g) => {
          const left = plotLeft + g * groupWidth + gap / 2;
          const centre = left + (runs * barWidth) / 2;
          return (
            <g key={group.id} className="rate-group">
              {table.rows.map((row, r) => {
                const rate = groupRate(row, group.id);
                if (!rate) return null;
                const x = left + r * barWidth;
                const mid = x + barWidth / 2;
                const cap = Math.max(3, barWidth * 0.3);
                return (
                  <g key={row.runId}>
                    <rect
                      className="rate-bar"
                      x={x + 1}
                      width={barWidth - 2}
                      // At least a sliver, so a 0% shows in its run's colour.
                      y={Math.min(y(rate.rate), y(0) - 2)}
                      height={Math.max(2, y(0) - y(rate.rate))}
                      fill={runColour(r)}
                    >
                      <title>{`${row.label} · ${group.label}: ${rateCell(rate)}`}</title>
                    </rect>
                    <g className="error-bar" data-low={rate.low} data-high={rate.high}>
                      <line x1={mid} x2={mid} y1={y(rate.low)} y2={y(rate.high)} />
                      <line x1={mid - cap} x2={mid + cap} y1={y(rate.low)} y2={y(rate.low)} />
                      <line x1={mid - cap} x2={mid + cap} y1={y(rate.high)} y2={y(rate.high)} />
                    </g>
                  </g>
                );
              })}
              <text
                className={`tick group-label${group.heldout ? ' heldout' : ''}`}
                x={centre}
                y={y(0) + 14}
                textAnchor={rotate ? 'end' : 'middle'}
                transform={rotate ? `rotate(-35 ${centre} ${y(0) + 14})` : undefined}
              >
                {group.label}
                {group.heldout && !group.id.startsWith(':') ? ' (held out)' : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <div className="legend" data-testid={testId && `${testId}-legend`}>
        {table.rows.map((row, r) => (
          <span key={row.runId}>
            <i style={{ background: runColour(r) }} />
            run {row.runId}: {row.label}
          </span>
        ))}
      </div>
    </div>
  );
}
