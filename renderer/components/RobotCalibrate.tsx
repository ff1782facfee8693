// Calibrating an arm by hand (robot.calibrate), torque off throughout: hold the reference pose and
// say so; move every joint through its range while the table fills in (min / now / max per joint);
// Finish checks and saves it under a name. Stop leaves nothing saved.
import { useState } from 'react';
import type { CalibrationProgress } from '../../api/types.ts';
import { LabCallError } from '../../api/framing.ts';
import { ErrorBox, TextField } from './common.tsx';
import { jointLabel } from './RobotCommon.tsx';
import type { PortChoice } from './RobotConnect.tsx';
import { useCall } from '../use-call.ts';

export function RobotCalibrate({
  choice,
  blocked,
  onSaved,
}: {
  choice: PortChoice;
  /** Why it cannot start now (the port is in use by the connected arm), or nothing. */
  blocked?: string;
  onSaved: (name: string) => void;
}) {
  const calibrate = useCall('robot.calibrate');
  const step = useCall('robot.calibrationStep');
  const [name, setName] = useState('my-so100');
  const [progress, setProgress] = useState<CalibrationProgress>();

  const start = async (): Promise<void> => {
    setProgress(undefined);
    step.clear();
    const saved = await calibrate.run(
      {
        port: choice.port.trim(),
        name: name.trim(),
        ...(choice.baudRate ? { baudRate: choice.baudRate } : {}),
        ...(choice.timeoutMs ? { timeoutMs: choice.timeoutMs } : {}),
      },
      (event) => {
        if (event.type === 'robot.calibration') setProgress(event.progress);
      },
    );
    if (saved) onSaved(saved.name);
  };
  const act = async (action: 'reference-pose' | 'finish'): Promise<void> => {
    const next = await step.run({ action });
    if (next) setProgress(next);
  };

  const stopped = calibrate.error instanceof LabCallError && calibrate.error.kind === 'stopped';
  const running = calibrate.running;
  const allEnough = progress?.joints.every((j) => j.enough) ?? false;
  return (
    <section className="robot-calibrate" data-testid="robot-calibrate">
      {!running && (
        <>
          <p className="muted robot-small">
            With the arm on the port above and not connected: its torque stays off while you move it by hand.
          </p>
          <div className="row">
            <TextField label="Save as" value={name} onChange={setName} testId="robot-calibrate-name" />
            <button
              type="button"
              onClick={() => void start()}
              disabled={!!blocked || !choice.port.trim() || !name.trim()}
              data-testid="robot-calibrate-start"
            >
              Start
            </button>
          </div>
          {blocked && <p className="muted robot-small">{blocked}</p>}
        </>
      )}
      {running && !progress && <p className="muted">Opening {choice.port} and finding the servos…</p>}
      {running && progress && (
        <>
          <ol className="robot-steps" data-testid="robot-calibrate-instructions">
            {progress.instructions.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ol>
          {progress.problem && <ErrorBox error={progress.problem} />}
          {progress.step === 'ranges' && (
            <table className="robot-table" data-testid="robot-calibrate-table">
              <thead>
                <tr>
                  <th>joint</th>
                  <th>min</th>
                  <th>now</th>
                  <th>max</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {progress.joints.map((j) => (
                  <tr key={j.id}>
                    <th>{jointLabel(j.joint)}</th>
                    <td className="robot-num">{j.min ?? '–'}</td>
                    <td className="robot-num">{Number.isFinite(j.ticks) ? j.ticks : '–'}</td>
                    <td className="robot-num">{j.max ?? '–'}</td>
                    <td className={j.enough ? 'ok' : 'muted'}>{j.enough ? 'enough' : `${j.travel} ticks`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {running && (
        <div className="row">
          {progress?.step === 'reference-pose' && (
            <button
              type="button"
              className="primary"
              disabled={step.running}
              onClick={() => void act('reference-pose')}
              data-testid="robot-calibrate-reference"
            >
              Reference pose
            </button>
          )}
          {progress?.step === 'ranges' && (
            <button
              type="button"
              className="primary"
              disabled={step.running || !allEnough}
              onClick={() => void act('finish')}
              data-testid="robot-calibrate-finish"
            >
              Finish and save
            </button>
          )}
          <button type="button" onClick={() => calibrate.stop()} data-testid="robot-calibrate-stop">
            Stop
          </button>
        </div>
      )}
      {!running && calibrate.result && (
        <p className="ok" data-testid="robot-calibrate-saved">
          Saved {calibrate.result.name}: it is chosen above.
        </p>
      )}
      {stopped && <p className="muted">Stopped: nothing was saved.</p>}
      {!stopped && <ErrorBox error={calibrate.error ?? step.error} />}
    </section>
  );
}
