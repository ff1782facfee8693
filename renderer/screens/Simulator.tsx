// Simulator: pick an arm, a task and a seed; see the scene; run the scripted solution, your own
// Python program or a model's attempt; watch it in 3D beside the trace of primitive calls. A lesson
// step opens it filled in (navigation's simulatorRequest) and checks the program in its editor.
import { useEffect, useMemo, useState } from 'react';
import type { CallInput, ViewedEpisode } from '../../api/contract.ts';
import type { ArmName, ProgramFormat } from '../../api/types.ts';
import { useLab } from '../lab-context.tsx';
import { useCall } from '../use-call.ts';
import { SceneView } from '../components/SceneView.tsx';
import { ReplayPlayer, stepFrames } from '../components/ReplayPlayer.tsx';
import {
  CodeBlock,
  EmptyState,
  ErrorBox,
  Field,
  IntegerInput,
  Segmented,
  TraceList,
} from '../components/common.tsx';
import { AdapterPicker, adaptersFor } from '../components/AdapterPicker.tsx';
import { AnswerFormatPicker, ModelNameInput } from '../components/ModelPicker.tsx';
import { useNavigation, useWhenShown } from '../navigation.tsx';

/** Who acts: the task's scripted solution, the person's program, or a model. */
type SolverKind = 'scripted' | 'program' | 'model';

const STARTER_PROGRAM = `# A Python robot program. In scope: objects (by name: .position, .yaw, .size),
# gripper, and the primitives move_gripper([x, y, z], yaw), open_gripper(),
# close_gripper(name) and task_completed(). Units are metres and radians.
block = next(o for o in objects.values() if o.name.endswith("_block"))
x, y, z = block.position
open_gripper()
move_gripper([x, y, z + 0.1], block.yaw)
move_gripper([x, y, z], block.yaw)
close_gripper(block.name)
move_gripper([x, y, z + 0.15], block.yaw)
task_completed()
`;

export function Simulator() {
  const { info } = useLab();
  const tasks = useCall('tasks.list');
  const models = useCall('models.list');
  const adapters = useCall('adapters.list');
  const view = useCall('scene.view');
  const episode = useCall('episode.view');
  const [arm, setArm] = useState(info.arms[0]);
  const [taskId, setTaskId] = useState('');
  const [seed, setSeed] = useState(0);
  const [solverKind, setSolverKind] = useState<SolverKind>('scripted');
  const [program, setProgram] = useState(STARTER_PROGRAM);
  const [model, setModel] = useState('');
  const [adapter, setAdapter] = useState('');
  const [format, setFormat] = useState<ProgramFormat>('json');
  const [streamed, setStreamed] = useState('');
  const [seek, setSeek] = useState<{ frame: number }>();
  const [ran, setRan] = useState<ViewedEpisode>();
  /** The scene the view shows (arm/task/seed): the previous one's until the new one has arrived. */
  const [shownScene, setShownScene] = useState('');
  const { simulatorRequest, shareSimulatorProgram } = useNavigation();

  // A lesson step's "Open in Simulator": its scene, its solver, its starter program.
  useEffect(() => {
    const r = simulatorRequest;
    if (!r) return;
    // The step's arm, else one the task runs on (a task of one arm would be swapped for another's).
    const armsOfTask = tasks.result?.find((t) => t.id === r.task)?.arms ?? [];
    const wantedArm = r.arm ?? (armsOfTask.length && !armsOfTask.includes(arm) ? armsOfTask[0] : undefined);
    if (wantedArm && info.arms.includes(wantedArm)) setArm(wantedArm);
    if (r.task) setTaskId(r.task);
    if (r.seed !== undefined) setSeed(r.seed);
    if (r.solver) setSolverKind(r.solver === 'none' ? 'scripted' : r.solver);
    if (r.program !== undefined) setProgram(r.program);
    setRan(undefined);
  }, [simulatorRequest?.nonce]);
  useEffect(() => {
    shareSimulatorProgram(program);
  }, [program]);

  useEffect(() => {
    void tasks.run({});
  }, []);
  useWhenShown('simulator', () => {
    void models.run({});
    void adapters.run({});
  });
  const forArm = useMemo(() => (tasks.result ?? []).filter((t) => t.arms.includes(arm)), [tasks.result, arm]);
  useEffect(() => {
    if (forArm.length && !forArm.some((t) => t.id === taskId)) setTaskId(forArm[0].id);
  }, [forArm, taskId]);
  useEffect(() => {
    if (!taskId) return;
    setRan(undefined);
    const key = `${arm}/${taskId}/${seed}`;
    void view.run({ task: taskId, seed, arm }).then((r) => r && setShownScene(key));
  }, [taskId, seed, arm]);

  const fitting = adaptersFor(adapters.result ?? [], models.result, model);
  const chosenAdapter = fitting.some((a) => a.name === adapter) ? adapter : '';
  const busy = episode.running;
  // One click, one call: the scene is built once for the view and the run.
  const run = async (): Promise<void> => {
    setRan(undefined);
    setStreamed('');
    const solver: CallInput<'episode.view'>['solver'] =
      solverKind === 'model'
        ? { kind: 'model', model, format, ...(chosenAdapter ? { adapter: chosenAdapter } : {}) }
        : solverKind === 'program'
          ? { kind: 'program', source: program }
          : { kind: 'scripted' };
    const result = await episode.run({ task: taskId, seed, arm, solver }, (event) => {
      if (event.type === 'model.text') setStreamed((s) => s + event.text);
    });
    if (!result) return;
    if (result.attempt)
      setProgram(result.attempt.program ?? `# no program: ${result.attempt.failure?.message ?? ''}`);
    setRan(result);
  };

  const outcome = ran?.result;
  const failure = ran?.attempt?.failure;
  const geometry = ran?.view.geometry ?? view.result?.geometry;
  const error = tasks.error ?? view.error ?? episode.error;
  const marks = outcome?.recording ? stepFrames(outcome.trace, outcome.recording.hz) : [];

  return (
    <div className="screen simulator">
      <aside className="panel controls">
        <h2>Episode</h2>
        <Field label="Arm">
          <select value={arm} onChange={(e) => setArm(e.target.value as ArmName)} data-testid="arm">
            {info.arms.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </Field>
        <Field label="Task">
          <select value={taskId} onChange={(e) => setTaskId(e.target.value)} data-testid="task">
            {forArm.map((t) => (
              <option key={t.id} value={t.id}>
                {t.title}
                {t.split === 'heldout' ? ' (held out)' : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Seed">
          <IntegerInput value={seed} onChange={setSeed} min={0} testId="seed" />
        </Field>
        {view.result && (
          <p className="instruction" data-testid="instruction" data-scene={shownScene}>
            “{view.result.instruction}”
          </p>
        )}
        <h2>Solver</h2>
        <Segmented
          options={[
            { value: 'scripted', label: 'Scripted' },
            { value: 'program', label: 'My program' },
            { value: 'model', label: 'Model' },
          ]}
          value={solverKind}
          onChange={setSolverKind}
        />
        {solverKind === 'model' && (
          <>
            <ModelNameInput models={models.result} value={model} onChange={setModel} />
            <AdapterPicker
              adapters={fitting}
              value={chosenAdapter}
              onChange={setAdapter}
              testId="sim-adapter"
            />
            <AnswerFormatPicker value={format} onChange={setFormat} />
          </>
        )}
        <button
          type="button"
          className="primary"
          disabled={!taskId || busy || (solverKind === 'model' && !model.trim())}
          onClick={() => void run()}
          data-testid="run"
        >
          {busy
            ? 'Running…'
            : solverKind === 'scripted'
              ? 'Run scripted solution'
              : solverKind === 'program'
                ? 'Run my program'
                : 'Ask the model'}
        </button>
        {busy && (
          <button type="button" onClick={() => episode.stop()}>
            Stop
          </button>
        )}
        <ErrorBox error={error} />
        {outcome && (
          <div className={`verdict ${outcome.success ? 'success' : 'failure'}`} data-testid="verdict">
            <strong>
              {outcome.success ? 'Success' : 'Failure'}
              {!outcome.success && ran?.failure && (
                <code className="failure-kind" data-testid="failure-kind" title="the kind of failure">
                  {ran.failure.kind}
                </code>
              )}
            </strong>
            <span>{outcome.reason}</span>
            {failure?.kind === 'no-program' && (
              <span data-testid="attempt-failure">no program in the answer: {failure.message}</span>
            )}
            {failure?.kind === 'truncated' && (
              <span data-testid="attempt-failure">
                {failure.message}: the answer ran past what the prompt allows
              </span>
            )}
            {outcome.program && !outcome.program.ok && (
              <span data-testid="program-error">
                {outcome.program.message}
                {outcome.program.line ? ` (line ${outcome.program.line})` : ''}
              </span>
            )}
            <span className="muted">
              {outcome.primitiveCalls} calls · {outcome.simSeconds.toFixed(1)} s simulated ·{' '}
              {outcome.wallSeconds.toFixed(1)} s wall
            </span>
          </div>
        )}
      </aside>
      <main className="stage">
        {ran?.result.recording ? (
          <ReplayPlayer
            geometry={ran.view.geometry}
            recording={ran.result.recording}
            trace={ran.result.trace}
            seekTo={seek}
          />
        ) : (
          <SceneView geometry={geometry} poses={view.result?.poses} />
        )}
        {solverKind !== 'scripted' && (
          <div className="editor">
            <div className="editor-head">
              <strong>Program</strong>
              {solverKind === 'model' && (
                <span className="muted">The model's program appears here after its answer.</span>
              )}
            </div>
            {solverKind === 'model' && streamed && !ran && <CodeBlock text={streamed} testId="streamed" />}
            <textarea
              spellCheck={false}
              value={program}
              onChange={(e) => setProgram(e.target.value)}
              disabled={solverKind !== 'program'}
              data-testid="program"
              aria-label="program"
            />
          </div>
        )}
      </main>
      <aside className="panel trace-panel">
        <h2>Trace</h2>
        {outcome ? (
          <TraceList trace={outcome.trace} onPick={(i) => setSeek({ frame: marks[i] ?? 0 })} />
        ) : (
          <EmptyState title="Nothing run yet">
            Run the episode to see each primitive call and its result here.
          </EmptyState>
        )}
        {view.result && (
          <>
            <h2>{outcome ? 'Scene state (before the run)' : 'Scene state'}</h2>
            <CodeBlock text={view.result.stateText} testId="state" />
          </>
        )}
      </aside>
    </div>
  );
}
