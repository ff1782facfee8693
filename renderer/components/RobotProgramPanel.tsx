// Running a program on the real arm, the safe way round (robot.dryRun, robot.execute,
// robot.markTrial): place the task's objects where they really are, dry-run the program (yours, the
// scripted solution or a model's) in simulation from the arm's real joints (nothing moves), look at
// each primitive, confirm, execute primitive by primitive with the E-STOP at hand, then mark the
// trial a success or a failure: it is stored in the dataset as a real trial.
import { useEffect, useMemo, useState } from 'react';
import type { CallInput } from '../../api/contract.ts';
import type { EpisodeView, RobotState, TaskSummary } from '../../api/types.ts';
import { LabCallError } from '../../api/framing.ts';
import { CodeBlock, ErrorBox, Field, IntegerInput, Segmented, TextField } from './common.tsx';
import { failureText, toDegrees, toRadians } from './RobotCommon.tsx';
import { useCall } from '../use-call.ts';

type SolverKind = 'program' | 'scripted' | 'model';

export interface PlacedObject {
  name: string;
  position: [number, number, number];
  /** Degrees, as the operator types it. */
  yaw: number;
}

const STARTER = `# Runs in simulation first (the dry run), then on the arm. In scope: objects (by name:
# .position, .yaw, .size), move_gripper([x, y, z], yaw), open_gripper(),
# close_gripper(name), task_completed(). Metres and radians, from the arm's base.
target = objects["target"]
move_gripper(target.position, 0)
`;

const STATUS_WORDS: Record<string, string> = {
  completed: 'ran every primitive',
  estopped: 'stopped by the e-stop',
  fault: 'stopped by a fault',
  refused: 'refused a step',
  stopped: 'stopped',
};

export function RobotProgramPanel({
  tasks,
  connected,
  state,
  db,
  onScene,
}: {
  /** The tasks the SO-100 can do. */
  tasks: TaskSummary[];
  connected: boolean;
  state?: RobotState;
  /** The dataset real trials are stored in. */
  db: string;
  /** The task's scene and where the operator placed its objects, for the 3D view. */
  onScene?: (scene: { view: EpisodeView; objects: PlacedObject[] }) => void;
}) {
  const view = useCall('scene.view');
  const dry = useCall('robot.dryRun');
  const execute = useCall('robot.execute');
  const mark = useCall('robot.markTrial');
  const [task, setTask] = useState('');
  const [seed, setSeed] = useState(0);
  const [objects, setObjects] = useState<PlacedObject[]>([]);
  const [kind, setKind] = useState<SolverKind>('program');
  const [program, setProgram] = useState(STARTER);
  const [model, setModel] = useState('');
  const [format, setFormat] = useState<'json' | 'code'>('json');
  const [confirming, setConfirming] = useState(false);
  const [progress, setProgress] = useState<{ step: number; of: number; primitive: string }>();
  const [note, setNote] = useState('');

  useEffect(() => {
    if (tasks.length && !tasks.some((t) => t.id === task))
      setTask(tasks.find((t) => t.id === 'reach_target')?.id ?? tasks[0].id);
  }, [tasks]);
  // The task's objects where the simulation would put them: the operator moves them to where they are.
  useEffect(() => {
    if (!task) return;
    void view.run({ task, seed, arm: 'so100' }).then((v) => {
      if (v)
        setObjects(
          v.state.objects.map((o) => ({ name: o.name, position: [...o.position], yaw: toDegrees(o.yaw) })),
        );
    });
  }, [task, seed]);

  useEffect(() => {
    if (view.result) onScene?.({ view: view.result, objects });
  }, [view.result, objects]);

  const solver = useMemo((): CallInput<'robot.dryRun'>['solver'] => {
    if (kind === 'program') return { kind: 'program', source: program, format: 'code' };
    if (kind === 'model') return { kind: 'model', model: model.trim(), format };
    return { kind: 'scripted' };
  }, [kind, program, model, format]);

  const runDry = async (): Promise<void> => {
    setConfirming(false);
    setProgress(undefined);
    execute.clear();
    mark.clear();
    await dry.run({
      task,
      seed,
      solver,
      objects: objects.map((o) => ({ name: o.name, position: o.position, yaw: toRadians(o.yaw) })),
    });
  };
  const runOnArm = async (): Promise<void> => {
    if (!dry.result) return;
    setConfirming(false);
    setProgress(undefined);
    mark.clear();
    // Never stopped from here: the E-STOP stops it (stopping the call would e-stop the arm too).
    await execute.run({ plan: dry.result.plan }, (event) => {
      if (event.type === 'robot.run')
        setProgress({ step: event.step, of: event.of, primitive: event.primitive });
    });
  };
  const verdict = async (success: boolean): Promise<void> => {
    if (!execute.result) return;
    await mark.run({
      trial: execute.result.trial,
      success,
      db,
      ...(note.trim() ? { note: note.trim() } : {}),
    });
  };

  const setPlaced = (i: number, change: Partial<PlacedObject>): void =>
    setObjects((all) => all.map((o, j) => (j === i ? { ...o, ...change } : o)));
  const plan = dry.result;
  const armReady = connected && (state === 'holding' || state === 'moving');
  const trial = execute.result;
  const executeFailure =
    execute.error && !(execute.error instanceof LabCallError && execute.error.kind === 'stopped')
      ? failureText(execute.error)
      : undefined;

  return (
    <section className="robot-program" data-testid="robot-program">
      <div className="row">
        <Field label="Task">
          <select value={task} onChange={(e) => setTask(e.target.value)} data-testid="robot-program-task">
            {tasks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.title}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Seed">
          <IntegerInput value={seed} onChange={setSeed} min={0} testId="robot-program-seed" />
        </Field>
      </div>
      {view.result && <p className="instruction">“{view.result.instruction}”</p>}
      {objects.length > 0 && (
        <table className="robot-table robot-objects" data-testid="robot-program-objects">
          <thead>
            <tr>
              <th title="where it really is, metres from the arm's base: x forward, y left">object</th>
              <th>x, m</th>
              <th>y, m</th>
              <th>z, m</th>
              <th>yaw, °</th>
            </tr>
          </thead>
          <tbody>
            {objects.map((o, i) => (
              <tr key={o.name}>
                <th>{o.name}</th>
                {([0, 1, 2] as const).map((k) => (
                  <td key={k}>
                    <input
                      type="number"
                      step={0.005}
                      value={Number(o.position[k].toFixed(4))}
                      onChange={(e) => {
                        const position: [number, number, number] = [...o.position];
                        position[k] = Number(e.target.value) || 0;
                        setPlaced(i, { position });
                      }}
                      aria-label={`${o.name} ${'xyz'[k]}`}
                    />
                  </td>
                ))}
                <td>
                  <input
                    type="number"
                    step={5}
                    value={Number(o.yaw.toFixed(1))}
                    onChange={(e) => setPlaced(i, { yaw: Number(e.target.value) || 0 })}
                    aria-label={`${o.name} yaw`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Segmented
        label="who writes the program"
        options={(
          [
            ['program', 'My program'],
            ['scripted', 'Scripted'],
            ['model', 'Model'],
          ] as const
        ).map(([value, label]) => ({ value, label, testId: `robot-program-solver-${value}` }))}
        value={kind}
        onChange={setKind}
      />
      {kind === 'program' && (
        <textarea
          className="robot-program-source"
          spellCheck={false}
          value={program}
          onChange={(e) => setProgram(e.target.value)}
          aria-label="program"
          data-testid="robot-program-source"
        />
      )}
      {kind === 'model' && (
        <div className="row">
          <TextField
            label="Model"
            value={model}
            onChange={setModel}
            placeholder="a registered name, file.gguf or openai:NAME@URL"
          />
          <Field label="Answer">
            <select value={format} onChange={(e) => setFormat(e.target.value as 'json' | 'code')}>
              <option value="json">JSON plan</option>
              <option value="code">Python code</option>
            </select>
          </Field>
        </div>
      )}
      <button
        type="button"
        className="primary"
        disabled={!task || dry.running || execute.running || (kind === 'model' && !model.trim())}
        onClick={() => void runDry()}
        data-testid="robot-dry-run"
      >
        {dry.running ? 'Simulating…' : 'Dry run in simulation'}
      </button>
      <ErrorBox error={dry.error ?? view.error} />

      {plan && (
        <div className={`verdict ${plan.executable ? 'success' : 'failure'}`} data-testid="robot-dry-result">
          <strong>
            {plan.executable
              ? `Ready: ${plan.steps.length} primitive${plan.steps.length === 1 ? '' : 's'} for the arm`
              : 'Cannot run on the arm'}
          </strong>
          {plan.why && <span>{plan.why}</span>}
          <span>
            In simulation: {plan.result.success ? 'success' : 'failure'}, {plan.result.reason}
          </span>
          <span className="muted">
            {plan.fromArm
              ? "Simulated from the arm's joints now."
              : 'Simulated from the home pose: connect the arm to start from where it is.'}
          </span>
          <ol className="robot-steps">
            {plan.steps.map((s, i) => (
              <li key={i} className={s.status === 'reached' ? '' : 'bad'}>
                {s.primitive}: {s.status}
                {s.status !== 'reached' && s.message ? ` (${s.message})` : ''}
              </li>
            ))}
          </ol>
          {kind === 'model' && plan.program && <CodeBlock text={plan.program} />}
        </div>
      )}

      {plan?.executable && !trial && (
        <>
          {!confirming ? (
            <button
              type="button"
              disabled={!armReady || execute.running}
              onClick={() => setConfirming(true)}
              data-testid="robot-execute"
            >
              {execute.running ? 'Running on the arm…' : 'Execute on the arm…'}
            </button>
          ) : (
            <div className="robot-confirm" role="alertdialog" aria-label="confirm the real run">
              <span>
                The arm will move through {plan.steps.length} primitive{plan.steps.length === 1 ? '' : 's'}.
                Is the workspace clear, and your hand on the E-STOP?
              </span>
              <div className="row">
                <button
                  type="button"
                  className="primary"
                  onClick={() => void runOnArm()}
                  data-testid="robot-execute-confirm"
                >
                  Execute now
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
          {!armReady && (
            <p className="muted robot-small">
              {connected ? 'Turn torque on (and Resume) to execute.' : 'Connect the arm to execute.'}
            </p>
          )}
        </>
      )}
      {execute.running && progress && (
        <p className="robot-running" data-testid="robot-execute-progress">
          Primitive {progress.step} of {progress.of}: {progress.primitive}. E-STOP stops it.
        </p>
      )}
      {executeFailure && <p className="robot-refusal">{executeFailure}</p>}

      {trial && (
        <div className="robot-trial" data-testid="robot-trial">
          <strong>
            The arm {STATUS_WORDS[trial.status] ?? trial.status}: {trial.stepsDone} of {trial.steps}{' '}
            primitives
          </strong>
          {trial.message && <span className="muted">{trial.message}</span>}
          {mark.result ? (
            <p className="ok" data-testid="robot-trial-stored">
              Stored as real episode {mark.result.episodeId} (run {mark.result.runId}) in {db}.
            </p>
          ) : (
            <>
              <TextField label="Note (optional)" value={note} onChange={setNote} testId="robot-trial-note" />
              <div className="row">
                <button
                  type="button"
                  className="primary"
                  disabled={mark.running}
                  onClick={() => void verdict(true)}
                  data-testid="robot-trial-success"
                >
                  It succeeded
                </button>
                <button
                  type="button"
                  disabled={mark.running}
                  onClick={() => void verdict(false)}
                  data-testid="robot-trial-failure"
                >
                  It failed
                </button>
              </div>
              <p className="muted robot-small">Your verdict is stored in {db}, marked real.</p>
            </>
          )}
          <ErrorBox error={mark.error} />
        </div>
      )}
    </section>
  );
}
