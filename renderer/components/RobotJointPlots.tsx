// Each joint's angle over the last seconds, small plots in plain SVG: the measured angle as a line,
// the goal dashed behind it, the range shown on the left, time running to the right edge (now).
import { linear } from './chart-scale.ts';
import { JOINTS, jointLabel, toDegrees } from './RobotCommon.tsx';

export interface JointSample {
  /** ms, the bridge's clock. */
  t: number;
  joints: number[];
  goal?: number[];
}

const WIDTH = 200;
const HEIGHT = 70;
const M = { left: 34, right: 4, top: 14, bottom: 6 };
/** A flat line is drawn within at least this many degrees, so noise does not look like motion. */
const MIN_SPAN = 10;

function path(points: Array<[number, number]>): string {
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
}

export function RobotJointPlots({
  samples,
  seconds = 10,
  names = JOINTS,
}: {
  samples: JointSample[];
  seconds?: number;
  names?: string[];
}) {
  const now = samples.at(-1)?.t ?? 0;
  const x = linear(now - seconds * 1000, now, M.left, WIDTH - M.right);
  return (
    <div className="robot-plots" data-testid="robot-plots" data-samples={samples.length}>
      {names.map((joint, j) => {
        const measured = samples.map((s) => toDegrees(s.joints[j]));
        const goals = samples.map((s) => (s.goal ? toDegrees(s.goal[j]) : undefined));
        const all = [...measured, ...goals].filter((v): v is number => v !== undefined && Number.isFinite(v));
        let low = all.length ? Math.min(...all) : 0;
        let high = all.length ? Math.max(...all) : 0;
        if (high - low < MIN_SPAN) {
          const mid = (high + low) / 2;
          [low, high] = [mid - MIN_SPAN / 2, mid + MIN_SPAN / 2];
        }
        const y = linear(low, high, HEIGHT - M.bottom, M.top);
        const line = path(samples.map((s, i) => [x(s.t), y(measured[i])]));
        // The goal is absent while torque is off: break its line there.
        const goalRuns: Array<Array<[number, number]>> = [];
        samples.forEach((s, i) => {
          const g = goals[i];
          if (g === undefined) return void goalRuns.push([]);
          if (!goalRuns.length) goalRuns.push([]);
          goalRuns.at(-1)!.push([x(s.t), y(g)]);
        });
        return (
          <svg
            key={joint}
            className="chart robot-plot"
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            role="img"
            aria-label={`${jointLabel(joint)} over the last ${seconds} seconds`}
            data-testid={`robot-plot-${joint}`}
          >
            <text className="robot-plot-title" x={M.left} y={10}>
              {jointLabel(joint)}
              {measured.length ? ` ${measured.at(-1)!.toFixed(1)}°` : ''}
            </text>
            <text className="tick" x={M.left - 4} y={M.top + 4} textAnchor="end">
              {high.toFixed(0)}°
            </text>
            <text className="tick" x={M.left - 4} y={HEIGHT - M.bottom} textAnchor="end">
              {low.toFixed(0)}°
            </text>
            <line className="axis" x1={M.left} x2={M.left} y1={M.top} y2={HEIGHT - M.bottom} />
            {goalRuns
              .filter((run) => run.length > 1)
              .map((run, i) => (
                <path key={i} className="robot-plot-goal" d={path(run)} />
              ))}
            {samples.length > 1 && <path className="robot-plot-line" d={line} />}
          </svg>
        );
      })}
    </div>
  );
}
