// Evaluate: run a model (with a LoRA adapter or not, or the scripted solver) on the evaluation seeds
// generation never uses, with progress and Stop; the dataset's evaluation runs; and for the runs
// ticked, the paper's table with 95% intervals and a chart of success per task per run.
import { useEffect, useMemo, useState } from 'react';
import type { EvalSummary, GenerationProgress } from '../../api/types.ts';
import { LabCallError } from '../../api/framing.ts';
import { useLab } from '../lab-context.tsx';
import { useCall } from '../use-call.ts';
import { useNavigation, useWhenShown, type EvaluateRequest } from '../navigation.tsx';
import {
  EmptyState,
  ErrorBox,
  Field,
  IntegerInput,
  Segmented,
  StartStop,
  TaskPicker,
  TextField,
} from '../components/common.tsx';
import { AdapterPicker, adaptersFor } from '../components/AdapterPicker.tsx';
import { CompareTable } from '../components/CompareTable.tsx';
import { RateChart } from '../components/RateChart.tsx';
import { duration, rateCell, when } from '../components/format.ts';

type TaskMode = 'train' | 'heldout' | 'all' | 'chosen';
const TASK_MODES: { id: TaskMode; title: string }[] = [
  { id: 'train', title: 'Train' },
  { id: 'heldout', title: 'Held out' },
  { id: 'all', title: 'All' },
  { id: 'chosen', title: 'Chosen' },
];

export function Evaluate() {
  const { db, setDb } = useLab();
  const { evaluateRequest, current } = useNavigation();
  const tasks = useCall('tasks.list');
  const models = useCall('models.list');
  const adapters = useCall('adapters.list');
  const evaluation = useCall('eval.run');
  const runs = useCall('eval.list');
  const compare = useCall('eval.compare');

  const [model, setModel] = useState('scripted');
  const [adapter, setAdapter] = useState('');
  // Python code, as generation's default: a student is evaluated in the format it learned.
  const [format, setFormat] = useState<'json' | 'code'>('code');
  const [taskMode, setTaskMode] = useState<TaskMode>('train');
  const [chosen, setChosen] = useState<string[]>([]);
  const [scenes, setScenes] = useState(10);
  const [samples, setSamples] = useState(1);
  const [progress, setProgress] = useState<GenerationProgress>();
  const [last, setLast] = useState<EvalSummary>();
  const [checked, setChecked] = useState<number[]>([]);

  const shown = current === 'evaluate';
  useEffect(() => {
    void tasks.run({});
  }, []);
  useWhenShown('evaluate', () => {
    void models.run({});
    void adapters.run({});
  });
  useEffect(() => {
    if (shown) void runs.run({ db });
  }, [db, shown]);
  useEffect(() => setChecked([]), [db]);

  // The Train screen's "evaluate it": the new adapter on the model it was trained from, chosen once
  // the adapter list that holds it has arrived.
  const [pending, setPending] = useState<EvaluateRequest>();
  useEffect(() => {
    if (evaluateRequest) setPending(evaluateRequest);
  }, [evaluateRequest?.nonce]);
  useEffect(() => {
    if (!pending || !models.result || !adapters.result) return;
    const made = adapters.result.find((a) => a.name === pending.adapter);
    if (!made && adapters.running) return;
    const base =
      models.result.models.find((m) => made && m.path === made.base.path) ??
      models.result.models.find((m) => m.name === pending.base);
    setModel(base?.name ?? pending.base);
    setAdapter(pending.adapter);
    setPending(undefined);
  }, [pending, models.result, adapters.result]);
  useEffect(() => {
    if (checked.length) void compare.run({ db, runs: checked });
    else compare.clear();
  }, [checked.join(','), db]);

  const fitting = useMemo(
    () => adaptersFor(adapters.result ?? [], models.result, model),
    [adapters.result, models.result, model],
  );
  const chosenAdapter = fitting.some((a) => a.name === adapter) ? adapter : '';
  const localModels = (models.result?.models ?? []).filter((m) => m.info.type === 'model');
  const endpoints = models.result?.endpoints ?? [];
  const known = model === 'scripted' || [...localModels, ...endpoints].some((m) => m.name === model);

  const start = async (): Promise<void> => {
    setProgress(undefined);
    setLast(undefined);
    const summary = await evaluation.run(
      {
        db,
        model,
        ...(chosenAdapter && model !== 'scripted' ? { adapter: chosenAdapter } : {}),
        tasks: taskMode === 'chosen' ? chosen : taskMode,
        scenes,
        samples,
        ...(model === 'scripted' ? {} : { format }),
      },
      (event) => {
        if (event.type === 'eval.progress') setProgress(event.progress);
      },
    );
    if (summary) setLast(summary);
    void runs.run({ db });
  };

  const stopped = evaluation.error instanceof LabCallError && evaluation.error.kind === 'stopped';
  const missing = runs.error instanceof LabCallError && runs.error.kind === 'no-dataset';
  const allRuns = runs.result ?? [];
  const table = checked.length ? compare.result : undefined;

  return (
    <div className="screen evaluate">
      <aside className="panel controls">
        <h2>Evaluation</h2>
        <TextField label="Dataset file" value={db} onChange={setDb} testId="db" />
        <Field label="Model">
          <select value={model} onChange={(e) => setModel(e.target.value)} data-testid="eval-model">
            <option value="scripted">scripted solver (the tasks' own solutions)</option>
            {localModels.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
            {endpoints.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name} (remote)
              </option>
            ))}
            {!known && <option value={model}>{model}</option>}
          </select>
        </Field>
        {model !== 'scripted' && (
          <>
            <AdapterPicker
              adapters={fitting}
              value={chosenAdapter}
              onChange={setAdapter}
              testId="eval-adapter"
            />
            <Field label="Answer format">
              <select
                value={format}
                onChange={(e) => setFormat(e.target.value as 'json' | 'code')}
                data-testid="eval-format"
              >
                <option value="code">Python code (as generated data)</option>
                <option value="json">JSON plan (small models)</option>
              </select>
            </Field>
          </>
        )}
        <Field label="Tasks">
          <Segmented
            options={TASK_MODES.map((m) => ({ value: m.id, label: m.title }))}
            value={taskMode}
            onChange={setTaskMode}
            testId="eval-tasks"
          />
        </Field>
        {taskMode === 'chosen' && (
          <TaskPicker
            tasks={tasks.result ?? []}
            chosen={chosen}
            onChange={setChosen}
            legend="Tasks to attempt"
            testId="eval-task-picker"
          />
        )}
        <div className="row">
          <Field label="Scenes per task">
            <IntegerInput value={scenes} onChange={setScenes} min={1} max={100_000} testId="eval-scenes" />
          </Field>
          <Field label="Samples per scene">
            <IntegerInput value={samples} onChange={setSamples} min={1} max={1000} />
          </Field>
        </div>
        <p className="muted">
          Evaluation scenes come from seeds generation never uses, so a fine-tuned model never saw them. More
          scenes narrow the 95% intervals.
        </p>
        <StartStop
          running={evaluation.running}
          disabled={evaluation.running || !db.trim() || (taskMode === 'chosen' && chosen.length === 0)}
          onStart={() => void start()}
          onStop={() => evaluation.stop()}
          label="Run evaluation"
          runningLabel="Evaluating…"
          startTestId="eval-run"
          stopTestId="eval-stop"
        />
        {stopped ? (
          <p className="muted" data-testid="eval-stopped">
            Stopped: the episodes attempted so far are kept in the run.
          </p>
        ) : (
          <ErrorBox error={evaluation.error ?? models.error ?? adapters.error} />
        )}
      </aside>

      <main className="stage padded">
        {progress && (
          <div className="progress-head" data-testid="eval-progress">
            <div className="progress-big">
              <span style={{ width: `${(100 * progress.done) / Math.max(progress.total, 1)}%` }} />
            </div>
            <div className="progress-numbers">
              <strong>
                {progress.done} / {progress.total}
              </strong>{' '}
              attempts · {progress.successes} successes · {progress.perMinute.toFixed(0)} / min · ETA{' '}
              {evaluation.running ? duration(progress.etaSeconds) : '–'}
            </div>
            {last && (
              <div data-testid="eval-last">
                Run {last.runId}: {last.label} · train {rateCell(last.train)} · held out{' '}
                {rateCell(last.heldout)} ({last.status})
              </div>
            )}
          </div>
        )}

        <h3>Evaluation runs (tick runs to compare them)</h3>
        {missing ? (
          <EmptyState title={`No dataset at ${db}`}>
            Run an evaluation: its episodes are stored in this dataset file (it is made if missing).
          </EmptyState>
        ) : allRuns.length === 0 ? (
          <EmptyState title="No evaluation runs yet">
            Run the scripted solver for a ceiling, the base model, then the base model with its adapter.
          </EmptyState>
        ) : (
          <table className="models-table" data-testid="eval-runs">
            <thead>
              <tr>
                <th />
                <th>run</th>
                <th>model</th>
                <th>tasks</th>
                <th>scenes × samples</th>
                <th>train mean</th>
                <th>held-out mean</th>
                <th>status</th>
                <th>started</th>
              </tr>
            </thead>
            <tbody>
              {[...allRuns].reverse().map((r) => (
                <tr key={r.runId} data-testid={`eval-run-${r.runId}`}>
                  <td>
                    <input
                      type="checkbox"
                      checked={checked.includes(r.runId)}
                      onChange={(e) =>
                        setChecked((c) =>
                          e.target.checked
                            ? [...c, r.runId].sort((a, b) => a - b)
                            : c.filter((x) => x !== r.runId),
                        )
                      }
                      data-testid="eval-check"
                      aria-label={`compare run ${r.runId}`}
                    />
                  </td>
                  <td>{r.runId}</td>
                  <td>{r.label}</td>
                  <td>{r.tasks.length}</td>
                  <td>
                    {r.scenes} × {r.samples}
                  </td>
                  <td>{rateCell(r.train)}</td>
                  <td>{rateCell(r.heldout)}</td>
                  <td>{r.status}</td>
                  <td>{when(r.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ErrorBox error={runs.error && !missing ? runs.error : compare.error} />

        {table && (
          <section data-testid="comparison">
            <h3>Comparison (95% Wilson intervals)</h3>
            <CompareTable table={table} />
            <h3>Success per task</h3>
            <RateChart table={table} testId="rate-chart" />
          </section>
        )}
      </main>
    </div>
  );
}
