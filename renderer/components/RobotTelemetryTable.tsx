// The arm's readings, a row per servo: the measured angle and the goal (degrees), the raw ticks, and
// load, temperature and voltage (read every few cycles), amber when they get high and red at the
// bridge's limits; a servo's error flags in red.
import type { RobotTelemetry } from '../../api/types.ts';
import { degreesText, jointLabel, loadLevel, temperatureLevel, type Level } from './RobotCommon.tsx';

const levelClass = (level: Level): string => (level === 'ok' ? 'robot-num' : `robot-num robot-${level}`);

export function RobotTelemetryTable({ telemetry }: { telemetry?: RobotTelemetry }) {
  if (!telemetry) return <p className="muted">No readings yet: connect the arm.</p>;
  const warnings = telemetry.servos.filter(
    (s) => temperatureLevel(s.temperature) !== 'ok' || loadLevel(s.load) !== 'ok' || s.errors.length > 0,
  );
  return (
    <>
      <table className="robot-table robot-telemetry" data-testid="robot-telemetry">
        <thead>
          <tr>
            <th>joint</th>
            <th title="measured">angle</th>
            <th title="the goal last sent to the servo">goal</th>
            <th>ticks</th>
            <th title="share of the servo's torque">load</th>
            <th>°C</th>
            <th>V</th>
          </tr>
        </thead>
        <tbody>
          {telemetry.servos.map((s, i) => (
            <tr key={s.id} data-testid={`robot-telemetry-${s.joint}`}>
              <th title={`servo ${s.id}`}>{jointLabel(s.joint)}</th>
              <td className="robot-num" data-testid={`robot-angle-${s.joint}`}>
                {degreesText(telemetry.joints[i])}
              </td>
              <td className="robot-num muted" data-testid={`robot-goal-${s.joint}`}>
                {degreesText(telemetry.goal?.[i])}
              </td>
              <td className="robot-num muted">{Number.isFinite(s.ticks) ? s.ticks : '–'}</td>
              <td className={levelClass(loadLevel(s.load))} data-testid={`robot-load-${s.joint}`}>
                {s.load === undefined ? '–' : `${(Math.abs(s.load) / 10).toFixed(0)}%`}
              </td>
              <td
                className={levelClass(temperatureLevel(s.temperature))}
                data-testid={`robot-temperature-${s.joint}`}
              >
                {s.temperature ?? '–'}
              </td>
              <td className="robot-num">{s.voltage === undefined ? '–' : s.voltage.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {warnings.length > 0 && (
        <ul className="robot-warnings" data-testid="robot-warnings">
          {warnings.map((s) => (
            <li
              key={s.id}
              className={
                temperatureLevel(s.temperature) === 'danger' ||
                loadLevel(s.load) === 'danger' ||
                s.errors.length
                  ? 'robot-danger'
                  : 'robot-warn'
              }
            >
              {jointLabel(s.joint)} (servo {s.id}):{' '}
              {[
                temperatureLevel(s.temperature) !== 'ok' && `${s.temperature} °C`,
                loadLevel(s.load) !== 'ok' && `${(Math.abs(s.load ?? 0) / 10).toFixed(0)}% load`,
                ...s.errors,
              ]
                .filter(Boolean)
                .join(', ')}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
