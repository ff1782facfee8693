// The loss curve of a training job in plain SVG: training loss per step, validation loss where the
// trainer measured it, axes with round ticks. Live while a job runs (the x axis spans the job's
// planned steps, so the curve grows into it) and for finished jobs from their stored losses.
import { integerTicks, linear, niceTicks, tickLabel } from './chart-scale.ts';

/** [step, training loss, validation loss or null], as train.jobs stores them. */
export type LossPoint = [number, number, number | null];

const WIDTH = 640;
const HEIGHT = 250;
const M = { left: 56, right: 16, top: 26, bottom: 40 };
/** Beyond this many steps the points are drawn as a line only. */
const MAX_MARKERS = 160;

export function LossChart({
  points,
  totalSteps,
  testId,
}: {
  points: LossPoint[];
  totalSteps?: number;
  testId?: string;
}) {
  const train = points.filter((p) => Number.isFinite(p[1]));
  // Trainers repeat the latest validation loss on every step: a new value is a new measurement.
  const valid = points.filter(
    (p, i): p is [number, number, number] =>
      p[2] !== null && Number.isFinite(p[2]) && p[2] !== points[i - 1]?.[2],
  );
  const values = [...train.map((p) => p[1]), ...valid.map((p) => p[2])];
  const yTicks = values.length ? niceTicks(Math.min(...values), Math.max(...values), 5) : [0, 1];
  const lastStep = Math.max(0, ...points.map((p) => p[0]));
  const xTicks = integerTicks(Math.max(totalSteps ?? 0, lastStep, 1));
  const x = linear(0, xTicks.at(-1)!, M.left, WIDTH - M.right);
  const y = linear(yTicks[0], yTicks.at(-1)!, HEIGHT - M.bottom, M.top);
  const line = (ps: [number, number][]): string =>
    ps.map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const markers = points.length <= MAX_MARKERS;

  return (
    <svg
      className="chart loss-chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="loss per step"
      data-testid={testId}
      data-points={train.length}
      data-valid-points={valid.length}
    >
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line className="grid" x1={M.left} x2={WIDTH - M.right} y1={y(t)} y2={y(t)} />
          <text className="tick" x={M.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
            {tickLabel(t, yTicks)}
          </text>
        </g>
      ))}
      {xTicks.map((t) => (
        <g key={`x${t}`}>
          <line className="axis" x1={x(t)} x2={x(t)} y1={HEIGHT - M.bottom} y2={HEIGHT - M.bottom + 4} />
          <text className="tick" x={x(t)} y={HEIGHT - M.bottom + 16} textAnchor="middle">
            {t}
          </text>
        </g>
      ))}
      <line className="axis" x1={M.left} x2={M.left} y1={M.top} y2={HEIGHT - M.bottom} />
      <line className="axis" x1={M.left} x2={WIDTH - M.right} y1={HEIGHT - M.bottom} y2={HEIGHT - M.bottom} />
      <text className="axis-label" x={(M.left + WIDTH - M.right) / 2} y={HEIGHT - 4} textAnchor="middle">
        step
      </text>
      <text
        className="axis-label"
        transform={`translate(14 ${(M.top + HEIGHT - M.bottom) / 2}) rotate(-90)`}
        textAnchor="middle"
      >
        loss (cross-entropy per answer token)
      </text>

      {train.length === 0 && (
        <text className="chart-empty" x={(M.left + WIDTH) / 2} y={HEIGHT / 2} textAnchor="middle">
          waiting for the first step…
        </text>
      )}
      <polyline className="loss-line train" points={line(train.map((p) => [p[0], p[1]]))} />
      <polyline className="loss-line valid" points={line(valid.map((p) => [p[0], p[2]]))} />
      {markers &&
        train.map(([s, v]) => (
          <circle key={`t${s}`} className="loss-point train" cx={x(s)} cy={y(v)} r={2.8}>
            <title>{`step ${s}: training loss ${v.toFixed(4)}`}</title>
          </circle>
        ))}
      {markers &&
        valid.map(([s, , v]) => (
          <circle key={`v${s}`} className="loss-point valid" cx={x(s)} cy={y(v)} r={2.8}>
            <title>{`step ${s}: validation loss ${v.toFixed(4)}`}</title>
          </circle>
        ))}

      <g className="legend" transform={`translate(${WIDTH - M.right - 250} 6)`}>
        <line className="loss-line train" x1={0} x2={18} y1={8} y2={8} />
        <text x={24} y={8} dominantBaseline="middle">
          training loss
        </text>
        {valid.length > 0 && (
          <>
            <line className="loss-line valid" x1={120} x2={138} y1={8} y2={8} />
            <text x={144} y={8} dominantBaseline="middle">
              validation loss
            </text>
          </>
        )}
      </g>
    </svg>
  );
}
