// Teach by demonstration: record the arm's joints while the operator moves it (by hand with torque
// off, or by jogging), save the recording under a name, and replay one through the same checks as
// every other motion (after a confirmation: the arm moves).
import { useEffect, useState } from 'react';
import { ErrorBox, Field, TextField } from './common.tsx';
import { failureText } from './RobotCommon.tsx';
import { useCall } from '../use-call.ts';

export function RobotTeach({ connected, ready }: { connected: boolean; ready: boolean }) {
  const teach = useCall('robot.teach');
  const list = useCall('robot.trajectories');
  const replay = useCall('robot.replay');
  const [recording, setRecording] = useState(false);
  const [name, setName] = useState('demo-1');
  const [chosen, setChosen] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState<string>();

  const refresh = async (): Promise<void> => {
    const names = await list.run({});
    if (names && !names.includes(chosen)) setChosen(names[0] ?? '');
  };
  useEffect(() => void refresh(), []);
  useEffect(() => {
    if (!connected) setRecording(false); // the recording ended with the bridge
  }, [connected]);

  const start = async (): Promise<void> => {
    setSaved(undefined);
    if (await teach.run({ action: 'start' })) setRecording(true);
  };
  const stop = async (): Promise<void> => {
    const done = await teach.run({ action: 'stop', name: name.trim() });
    if (!done) return;
    setRecording(false);
    setSaved(`Saved ${name.trim()}: ${done.frames} poses.`);
    await refresh();
    setChosen(name.trim());
  };
  const play = async (): Promise<void> => {
    setConfirming(false);
    await replay.run({ name: chosen });
  };
  const replayFailure = replay.error ? failureText(replay.error) : undefined;

  return (
    <section className="robot-teach" data-testid="robot-teach">
      <div className="row">
        <TextField label="Recording name" value={name} onChange={setName} testId="robot-teach-name" />
        {recording ? (
          <button
            type="button"
            className="primary"
            onClick={() => void stop()}
            disabled={teach.running || !name.trim()}
            data-testid="robot-teach-stop"
          >
            Stop and save
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void start()}
            disabled={!connected || teach.running}
            data-testid="robot-teach-start"
          >
            Record
          </button>
        )}
      </div>
      {recording && (
        <p className="robot-recording" data-testid="robot-teach-recording">
          Recording: move the arm by hand (torque off) or jog it.
        </p>
      )}
      {saved && <p className="ok">{saved}</p>}
      <ErrorBox error={teach.error} onDismiss={teach.clear} />
      <div className="row">
        <Field label="Replay">
          <select value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="robot-replay-name">
            {(list.result ?? []).length === 0 && <option value="">no recordings yet</option>}
            {(list.result ?? []).map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Field>
        <button
          type="button"
          onClick={() => setConfirming(true)}
          disabled={!ready || !chosen || replay.running || recording}
          data-testid="robot-replay"
        >
          {replay.running ? 'Replaying…' : 'Replay…'}
        </button>
      </div>
      {confirming && (
        <div className="robot-confirm" role="alertdialog" aria-label="confirm the replay">
          <span>The arm will move through {chosen}. Keep a hand on the E-STOP.</span>
          <div className="row">
            <button
              type="button"
              className="primary"
              onClick={() => void play()}
              data-testid="robot-replay-go"
            >
              Replay now
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {replayFailure && <p className="robot-refusal">{replayFailure}</p>}
      <ErrorBox error={list.error} />
    </section>
  );
}
