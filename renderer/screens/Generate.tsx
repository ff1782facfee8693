// Generate: configure a zero-shot data generation run, start it, stop it, start it again to resume;
// live progress per task, rate and ETA, and a log.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useWhenShown } from '../navigation.tsx';
import { useLab } from '../lab-context.tsx';
import { useCall } from '../use-call.ts';
import {
  BarChart,
  EmptyState,
  ErrorBox,
  Field,
  IntegerInput,
  StartStop,
  TaskPicker,
  TextField,
} from '../components/common.tsx';
import { duration } from '../components/format.ts';
import { AdapterPicker, adaptersFor } from '../components/AdapterPicker.tsx';
import type { GenerationProgress } from '../../api/types.ts';

export function Generate() {
  const { db, setDb } = useLab();
  const tasks = useCall('tasks.list');
  const models = useCall('models.list');
  const adapters = useCall('adapters.list');
  const generation = useCall('generate.run');
  const [chosen, setChosen] = useState<string[]>([]);
  const [teacher, setTeacher] = useState('scripted');
  const [adapter, setAdapter] = useState('');
  const [scenes, setScenes] = useState(5);
  const [samples, setSamples] = useState(1);
  const [workers, setWorkers] = useState(2);
  const [temperature, setTemperature] = useState(0.7);
  const [format, setFormat] = useState<'json' | 'code'>('json');
  const [progress, setProgress] = useState<GenerationProgress>();
  const [log, setLog] = useState<string[]>([]);
  const lastLogged = useRef(0);

  useEffect(() => {
    void tasks.run({});
  }, []);
  // A model added on the Models screen since (the tiny one, in lesson 6) must be in the list.
  useWhenShown('generate', () => {
    void models.run({});
    void adapters.run({});
  });
  const fitting = useMemo(
    () => adaptersFor(adapters.result ?? [], models.result, teacher),
    [adapters.result, models.result, teacher],
  );
  const chosenAdapter = fitting.some((a) => a.name === adapter) ? adapter : '';
  const train = useMemo(() => (tasks.result ?? []).filter((t) => t.split === 'train'), [tasks.result]);
  const note = (line: string): void =>
    setLog((l) => [...l.slice(-199), `${new Date().toLocaleTimeString()}  ${line}`]);

  const start = async (): Promise<void> => {
    setProgress(undefined);
    lastLogged.current = 0;
    const selection = chosen.length ? chosen : 'train';
    note(
      `start: ${chosen.length ? chosen.join(', ') : 'all training tasks'} × ${scenes} scenes × ${samples}, teacher ${teacher}`,
    );
    const summary = await generation.run(
      {
        db,
        tasks: selection,
        teacher,
        scenes,
        samples,
        workers,
        ...(teacher === 'scripted' ? {} : { temperature, format }),
        ...(chosenAdapter ? { adapter: chosenAdapter } : {}),
      },
      (event) => {
        if (event.type !== 'generation.progress') return;
        setProgress(event.progress);
        if (
          event.progress.done === event.progress.resumed &&
          event.progress.resumed > 0 &&
          lastLogged.current === 0
        )
          note(`resuming: ${event.progress.resumed} episodes were already in the dataset`);
        const tenth = Math.floor((10 * event.progress.done) / Math.max(event.progress.total, 1));
        if (tenth > lastLogged.current) {
          lastLogged.current = tenth;
          note(
            `${event.progress.done}/${event.progress.total} episodes, ${event.progress.successes} successes`,
          );
        }
      },
    );
    if (summary)
      note(
        `${summary.stopped ? 'stopped' : 'finished'}: run ${summary.runId}, ${summary.done}/${summary.total} episodes`,
      );
  };
  useEffect(() => {
    if (generation.error) note(`error: ${generation.error.message}`);
  }, [generation.error]);

  const perTask = Object.entries(progress?.tasks ?? {}).map(([task, p]) => ({
    label: task,
    value: p.total ? p.done / p.total : 0,
    detail: `${p.done}/${p.total} · ${p.successes} ok`,
  }));

  return (
    <div className="screen generate">
      <aside className="panel controls">
        <h2>Run</h2>
        <TextField label="Dataset file" value={db} onChange={setDb} testId="db" />
        <Field label="Teacher">
          <select value={teacher} onChange={(e) => setTeacher(e.target.value)} data-testid="teacher">
            <option value="scripted">scripted solver (no model)</option>
            {(models.result?.models ?? [])
              .filter((m) => m.info.type === 'model')
              .map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name}
                </option>
              ))}
            {(models.result?.endpoints ?? []).map((e) => (
              <option key={e.name} value={e.name}>
                {e.name} (remote)
              </option>
            ))}
          </select>
        </Field>
        <div className="row">
          <Field label="Scenes per task">
            <IntegerInput value={scenes} onChange={setScenes} min={1} testId="scenes" />
          </Field>
          <Field label="Samples per scene">
            <IntegerInput value={samples} onChange={setSamples} min={1} />
          </Field>
          <Field label="Workers">
            <IntegerInput value={workers} onChange={setWorkers} min={1} max={64} />
          </Field>
        </div>
        {teacher !== 'scripted' && (
          <AdapterPicker
            adapters={fitting}
            value={chosenAdapter}
            onChange={setAdapter}
            testId="teacher-adapter"
          />
        )}
        {teacher !== 'scripted' && (
          <div className="row">
            <Field label="Temperature">
              <input
                type="number"
                min={0}
                max={2}
                step={0.1}
                value={temperature}
                onChange={(e) => setTemperature(Number(e.target.value))}
              />
            </Field>
            <Field label="Format">
              <select value={format} onChange={(e) => setFormat(e.target.value as 'json' | 'code')}>
                <option value="json">JSON plan</option>
                <option value="code">Python code</option>
              </select>
            </Field>
          </div>
        )}
        <TaskPicker
          tasks={train}
          chosen={chosen}
          onChange={setChosen}
          legend="Tasks (none ticked: every training task)"
        />
        <p className="muted">
          Held-out tasks are for evaluation and never generate data. Starting the same run again resumes it.
        </p>
        <StartStop
          running={generation.running}
          disabled={generation.running || !db.trim()}
          onStart={() => void start()}
          onStop={() => generation.stop()}
          label="Start / resume"
          runningLabel="Generating…"
          startTestId="start"
          stopTestId="stop"
        />
        <ErrorBox error={generation.error} />
      </aside>
      <main className="stage padded">
        {progress ? (
          <>
            <div className="progress-head" data-testid="generation-progress">
              <div className="progress-big">
                <span style={{ width: `${(100 * progress.done) / Math.max(progress.total, 1)}%` }} />
              </div>
              <div className="progress-numbers">
                <strong>
                  {progress.done} / {progress.total}
                </strong>{' '}
                episodes · {progress.successes} successes this session · {progress.perMinute.toFixed(0)} / min
                · ETA {generation.running ? duration(progress.etaSeconds) : '–'}
              </div>
            </div>
            <h3>Per task (bar: episodes done; right: successes this session)</h3>
            <BarChart bars={perTask} testId="task-progress" />
          </>
        ) : (
          <EmptyState title="No run yet">
            Choose a teacher and how many scenes, then Start. The scripted solver needs no model; to use an
            LLM, add one under Models first.
          </EmptyState>
        )}
        <h3>Log</h3>
        <pre className="log" data-testid="log">
          {log.join('\n') || 'Nothing yet.'}
        </pre>
      </main>
    </div>
  );
}
