// Jogging the arm a joint at a time: − / + by the chosen step, the jaw opened or closed. Each press
// is one robot.move to the pose the arm holds with that joint moved by the step (presses while a
// move runs add up: the next one starts from the target on its way). Or the gripper in space, a few
// centimetres at a time, pointing down (robot.jogGripper). The bridge checks every goal against the
// calibrated limits and the workspace and refuses what breaks one; the refusal is shown in words.
import type { RobotTelemetry } from '../../api/types.ts';
import { degreesText, JAW, JAW_CLOSED, JAW_OPEN, JOINTS, jointLabel, toRadians } from './RobotCommon.tsx';
import { Segmented } from './common.tsx';

export const JOG_STEPS = [1, 5, 10, 30];
/** Gripper jogs, centimetres (the api takes at most 10). */
export const GRIPPER_STEPS = [1, 2, 5];
/** A gripper turn per press, degrees. */
const TURN_DEGREES = 15;

/** The gripper's axes in the arm base's frame, as the operator sees them. */
const GRIPPER_AXES: Array<{ axis: 0 | 1 | 2; label: string; minus: string; plus: string }> = [
  { axis: 0, label: 'x', minus: 'back', plus: 'forward' },
  { axis: 1, label: 'y', minus: 'right', plus: 'left' },
  { axis: 2, label: 'z', minus: 'down', plus: 'up' },
];

export function RobotJog({
  telemetry,
  step,
  onStep,
  onJog,
  onJogGripper,
  gripperStep,
  onGripperStep,
  disabled,
  note,
  failure,
}: {
  telemetry?: RobotTelemetry;
  step: number;
  onStep: (degrees: number) => void;
  /** Move joint `joint` to `change(where it is going)`, the other joints staying where they are going. */
  onJog: (joint: number, change: (radians: number) => number) => void;
  /** Move the gripper by `move` metres (arm base frame) and turn it by `turn` radians, pointing down. */
  onJogGripper: (move: [number, number, number], turn?: number) => void;
  gripperStep: number;
  onGripperStep: (centimetres: number) => void;
  disabled: boolean;
  /** Why jogging will not work now (torque off, e-stopped), before anyone tries. */
  note?: string;
  /** The last press's refusal or failure, in words. */
  failure?: string;
}) {
  const names = telemetry?.servos.map((s) => s.joint) ?? JOINTS;
  const off = disabled;
  const moved = (joint: number, to: (value: number) => number): void => onJog(joint, to);
  const by = (joint: number, sign: 1 | -1) => () => moved(joint, (v) => v + sign * toRadians(step));
  return (
    <section className="robot-jog" data-testid="robot-jog">
      <div className="robot-jog-steps">
        <span className="muted">Step</span>
        <Segmented
          label="jog step"
          options={JOG_STEPS.map((s) => ({ value: s, label: `${s}°`, testId: `robot-step-${s}` }))}
          value={step}
          onChange={onStep}
        />
      </div>
      <table className="robot-table robot-jog-table">
        <tbody>
          {names.map((joint, i) => (
            <tr key={joint} data-testid={`robot-jog-row-${joint}`}>
              <th>{jointLabel(joint)}</th>
              <td className="robot-num" data-testid={`robot-jog-angle-${joint}`}>
                {degreesText(telemetry?.joints[i])}
              </td>
              <td className="robot-jog-buttons">
                {i === JAW && (
                  <button
                    type="button"
                    disabled={off}
                    onClick={() => moved(JAW, () => JAW_CLOSED)}
                    data-testid="robot-jaw-close"
                  >
                    Close
                  </button>
                )}
                <button
                  type="button"
                  disabled={off}
                  onClick={by(i, -1)}
                  aria-label={`${jointLabel(joint)} minus ${step} degrees`}
                  data-testid={`robot-jog-${joint}-minus`}
                >
                  −
                </button>
                <button
                  type="button"
                  disabled={off}
                  onClick={by(i, 1)}
                  aria-label={`${jointLabel(joint)} plus ${step} degrees`}
                  data-testid={`robot-jog-${joint}-plus`}
                >
                  +
                </button>
                {i === JAW && (
                  <button
                    type="button"
                    disabled={off}
                    onClick={() => moved(JAW, () => JAW_OPEN)}
                    data-testid="robot-jaw-open"
                  >
                    Open
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="robot-jog-steps">
        <span className="muted">Gripper</span>
        <Segmented
          label="gripper step"
          options={GRIPPER_STEPS.map((cm) => ({
            value: cm,
            label: `${cm} cm`,
            testId: `robot-gripper-step-${cm}`,
          }))}
          value={gripperStep}
          onChange={onGripperStep}
        />
      </div>
      <div className="robot-gripper-jog" data-testid="robot-gripper-jog">
        {GRIPPER_AXES.map(({ axis, label, minus, plus }) => {
          const move = (sign: 1 | -1): [number, number, number] => {
            const m: [number, number, number] = [0, 0, 0];
            m[axis] = (sign * gripperStep) / 100;
            return m;
          };
          return (
            <div key={label} className="robot-gripper-axis">
              <button
                type="button"
                disabled={off}
                onClick={() => onJogGripper(move(-1))}
                data-testid={`robot-gripper-${label}-minus`}
              >
                {minus}
              </button>
              <span>{label}</span>
              <button
                type="button"
                disabled={off}
                onClick={() => onJogGripper(move(1))}
                data-testid={`robot-gripper-${label}-plus`}
              >
                {plus}
              </button>
            </div>
          );
        })}
        <div className="robot-gripper-axis">
          <button
            type="button"
            disabled={off}
            onClick={() => onJogGripper([0, 0, 0], -toRadians(TURN_DEGREES))}
            data-testid="robot-gripper-turn-minus"
          >
            ↻ {TURN_DEGREES}°
          </button>
          <span>turn</span>
          <button
            type="button"
            disabled={off}
            onClick={() => onJogGripper([0, 0, 0], toRadians(TURN_DEGREES))}
            data-testid="robot-gripper-turn-plus"
          >
            ↺ {TURN_DEGREES}°
          </button>
        </div>
      </div>
      <p className="muted robot-small">
        The gripper moves in the arm base’s frame, pointing down (the arm’s inverse kinematics).
      </p>
      {note && (
        <p className="muted robot-small" data-testid="robot-jog-note">
          {note}
        </p>
      )}
      {failure && (
        <p className="robot-refusal" role="status" data-testid="robot-jog-failure">
          {failure}
        </p>
      )}
    </section>
  );
}
