// The bar over the Robot screen's 3D view, always in sight: the E-STOP button (Escape, or Space
// when no text field has the keyboard, do the same), the arm's state with why it last changed,
// Resume, and torque on / off.
import type { RobotTelemetry } from '../../api/types.ts';
import { RobotStateBadge } from './RobotCommon.tsx';
import { Segmented } from './common.tsx';

export function RobotEstopBar({
  telemetry,
  connected,
  onEstop,
  onResume,
  onTorque,
  busy,
  problem,
}: {
  telemetry?: RobotTelemetry;
  connected: boolean;
  onEstop: () => void;
  onResume: () => void;
  onTorque: (on: boolean) => void;
  /** A control call is on its way (resume, torque); the e-stop is never disabled. */
  busy: boolean;
  /** What went wrong with the last e-stop, resume or torque call, in words. */
  problem?: string;
}) {
  const state = connected ? telemetry?.state : undefined;
  const stopped = state === 'estopped' || state === 'fault';
  // The goal is there exactly while torque is on (an e-stopped arm holds where it stopped).
  const torqueOn = state !== undefined && telemetry?.goal !== undefined;
  return (
    <div className="robot-bar" data-testid="robot-bar">
      <button
        type="button"
        className="robot-estop"
        onClick={onEstop}
        aria-keyshortcuts="Escape Space"
        title="Stops the arm where it is; nothing moves until Resume"
        data-testid="robot-estop"
      >
        <span className="robot-estop-label">E-STOP</span>
        <span className="robot-estop-keys">Esc or Space</span>
      </button>
      <div className="robot-bar-right">
        <div className="robot-bar-row">
          <RobotStateBadge telemetry={telemetry} connected={connected} />
          <div className="robot-bar-actions">
            <button
              type="button"
              className={stopped ? 'primary' : ''}
              disabled={!stopped || busy}
              onClick={onResume}
              data-testid="robot-resume"
            >
              Resume
            </button>
            <Segmented
              label="torque"
              options={[
                {
                  value: false,
                  label: 'Torque off',
                  testId: 'robot-torque-off',
                  disabled: !connected || busy,
                },
                {
                  value: true,
                  label: 'Torque on',
                  testId: 'robot-torque-on',
                  disabled: !connected || busy || stopped,
                },
              ]}
              value={state === undefined ? undefined : torqueOn}
              onChange={onTorque}
            />
          </div>
        </div>
        {connected && telemetry?.message && (
          <div className="robot-state-message" title={telemetry.message} data-testid="robot-state-message">
            {telemetry.message}
          </div>
        )}
        {problem && (
          <div className="robot-refusal" role="alert" data-testid="robot-control-problem">
            {problem}
          </div>
        )}
      </div>
    </div>
  );
}
