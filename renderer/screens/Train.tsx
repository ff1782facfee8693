// Train: choose or create a training set, a trainer and a base model, set the hyper-parameters, and
// fine-tune a LoRA adapter with a live progress bar and loss chart; Stop cancels the job. Below, the
// dataset's training sets and the history of its training jobs with their loss curves.
import { useEffect, useMemo, useState } from 'react';
import type { CallInput } from '../../api/contract.ts';
import type { TrainerKind, TrainJobSummary, TrainProgress } from '../../api/types.ts';
import { LabCallError } from '../../api/framing.ts';
import { useLab } from '../lab-context.tsx';
import { useCall } from '../use-call.ts';
import { useNavigation, useWhenShown } from '../navigation.tsx';
import { EmptyState, ErrorBox, Field, IntegerInput, StartStop, TextField } from '../components/common.tsx';
import { LossChart, type LossPoint } from '../components/LossChart.tsx';
import { TrainingSetForm, TrainingSetsTable, type NewTrainingSet } from '../components/TrainingSets.tsx';
import { TrainerFields, argv } from '../components/TrainerFields.tsx';
import { TrainJobs } from '../components/TrainJobs.tsx';
import { duration, loss } from '../components/format.ts';

/** The contract's defaults (api/contract.ts, train.run hyper). */
const DEFAULT_HYPER = {
  epochs: 3,
  learningRate: 0.002,
  batchSize: 4,
  rank: 8,
  alpha: 16,
  maxSteps: 0,
  maxMinutes: 0,
};
type Hyper = typeof DEFAULT_HYPER;

/** Add a progress report to the live curve: a new step, or a validation loss for the last one. */
function addPoint(points: LossPoint[], p: TrainProgress): LossPoint[] {
  if (!Number.isFinite(p.loss) || p.step <= 0) return points;
  const last = points.at(-1);
  if (last && last[0] === p.step) return [...points.slice(0, -1), [p.step, last[1], p.validLoss ?? last[2]]];
  if (last && p.step < last[0]) return points;
  return [...points, [p.step, p.loss, p.validLoss ?? null]];
}

export function Train() {
  const { db, setDb, info } = useLab();
  const navigation = useNavigation();
  const tasks = useCall('tasks.list');
  const models = useCall('models.list');
  const addTiny = useCall('models.addTiny');
  const sets = useCall('train.sets');
  const createSet = useCall('train.createSet');
  const jobs = useCall('train.jobs');
  const training = useCall('train.run');

  const [setName, setSetName] = useState('');
  const [trainer, setTrainer] = useState<TrainerKind>('builtin');
  const [command, setCommand] = useState('python3 scripts/train_lora_peft.py');
  const [baseURL, setBaseURL] = useState('');
  const [base, setBase] = useState('');
  const [remoteBase, setRemoteBase] = useState('');
  const [adapterName, setAdapterName] = useState('');
  const [hyper, setHyper] = useState<Hyper>(DEFAULT_HYPER);
  const [progress, setProgress] = useState<TrainProgress>();
  /** The last speed reported (a stage message comes without one). */
  const [speed, setSpeed] = useState<number>();
  const [points, setPoints] = useState<LossPoint[]>([]);
  const [jobId, setJobId] = useState<number>();
  const [finished, setFinished] = useState<TrainJobSummary>();

  const refreshDataset = (): void => {
    void sets.run({ db });
    void jobs.run({ db });
  };
  const shown = navigation.current === 'train';
  useEffect(() => {
    void tasks.run({});
  }, []);
  useWhenShown('train', () => void models.run({}));
  useEffect(() => {
    if (shown) refreshDataset();
  }, [db, shown]);

  const trainTasks = useMemo(() => (tasks.result ?? []).filter((t) => t.split === 'train'), [tasks.result]);
  const localModels = (models.result?.models ?? []).filter((m) => m.info.type === 'model');
  useEffect(() => {
    if (!localModels.some((m) => m.name === base) && localModels.length) setBase(localModels[0].name);
  }, [models.result]);
  const allSets = sets.result ?? [];
  useEffect(() => {
    if (!allSets.some((s) => s.name === setName)) setSetName(allSets.at(-1)?.name ?? '');
  }, [sets.result]);
  const chosenSet = allSets.find((s) => s.name === setName);

  const create = async (set: NewTrainingSet): Promise<void> => {
    const made = await createSet.run({ db, ...set });
    if (!made) return;
    setSetName(made.name);
    void sets.run({ db });
  };

  const start = async (): Promise<void> => {
    setProgress(undefined);
    setSpeed(undefined);
    setPoints([]);
    setJobId(undefined);
    setFinished(undefined);
    const input: CallInput<'train.run'> = {
      db,
      trainingSet: setName,
      trainer,
      base: trainer === 'openai' ? remoteBase.trim() : base,
      ...(adapterName.trim() ? { name: adapterName.trim() } : {}),
      hyper: {
        epochs: hyper.epochs,
        learningRate: hyper.learningRate,
        batchSize: hyper.batchSize,
        rank: hyper.rank,
        alpha: hyper.alpha,
        maxSteps: hyper.maxSteps,
        maxSeconds: Math.round(hyper.maxMinutes * 60),
      },
      ...(trainer === 'command' ? { command: argv(command) } : {}),
      ...(trainer === 'openai' ? { baseURL: baseURL.trim() } : {}),
    };
    const job = await training.run(input, (event) => {
      if (event.type !== 'train.progress') return;
      setJobId(event.jobId);
      setProgress(event.progress);
      if (event.progress.tokensPerSecond !== undefined) setSpeed(event.progress.tokensPerSecond);
      setPoints((p) => addPoint(p, event.progress));
    });
    if (job) {
      setFinished(job);
      // The live curve holds every validation loss; the stored one is the fallback.
      setPoints((p) => (p.length ? p : job.losses));
    }
    void jobs.run({ db });
    void models.run({});
  };

  const stopped = training.error instanceof LabCallError && training.error.kind === 'stopped';
  const missing = sets.error instanceof LabCallError && sets.error.kind === 'no-dataset';
  const operatorOnly = trainer !== 'builtin' && !info.local;
  const dpoOnBuiltin = trainer === 'builtin' && chosenSet?.method === 'dpo';
  const baseChosen = trainer === 'openai' ? remoteBase.trim() !== '' : base !== '';
  const ready =
    !training.running &&
    !!chosenSet &&
    baseChosen &&
    !operatorOnly &&
    !dpoOnBuiltin &&
    (trainer !== 'command' || argv(command).length > 0) &&
    (trainer !== 'openai' || baseURL.trim() !== '');
  const number = (key: keyof Hyper, label: string, min: number, step?: number) => (
    <Field label={label}>
      {step ? (
        <input
          type="number"
          min={min}
          step={step}
          value={hyper[key]}
          onChange={(e) => setHyper({ ...hyper, [key]: Math.max(min, Number(e.target.value) || 0) })}
          data-testid={`hyper-${key}`}
        />
      ) : (
        <IntegerInput
          value={hyper[key]}
          onChange={(v) => setHyper({ ...hyper, [key]: v })}
          min={min}
          testId={`hyper-${key}`}
        />
      )}
    </Field>
  );

  return (
    <div className="screen train">
      <aside className="panel controls">
        <h2>Training set</h2>
        <TextField label="Dataset file" value={db} onChange={setDb} testId="db" />
        <Field label="Training set">
          <select value={setName} onChange={(e) => setSetName(e.target.value)} data-testid="training-set">
            {allSets.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name} ({s.method}, {s.train} + {s.validation})
              </option>
            ))}
            <option value="">new training set…</option>
          </select>
        </Field>
        {setName === '' ? (
          <TrainingSetForm tasks={trainTasks} creating={createSet.running} onCreate={(s) => void create(s)} />
        ) : (
          chosenSet && (
            <p className="muted" data-testid="set-summary">
              {chosenSet.method}: {chosenSet.train} training and {chosenSet.validation} validation{' '}
              {chosenSet.method === 'dpo' ? 'pairs' : 'examples'} from{' '}
              {Object.entries(chosenSet.perTask)
                .map(([task, n]) => `${task} (${n})`)
                .join(', ')}
            </p>
          )
        )}
        <ErrorBox error={createSet.error} onDismiss={createSet.clear} />

        <h2>Trainer</h2>
        <TrainerFields
          trainer={trainer}
          onTrainer={setTrainer}
          command={command}
          onCommand={setCommand}
          baseURL={baseURL}
          onBaseURL={setBaseURL}
        />

        <h2>Base model</h2>
        {trainer === 'openai' ? (
          <TextField
            label="Remote model id"
            value={remoteBase}
            onChange={setRemoteBase}
            placeholder="gpt-4o-mini-2024-07-18"
            testId="remote-base"
          />
        ) : localModels.length ? (
          <Field label="Local model">
            <select value={base} onChange={(e) => setBase(e.target.value)} data-testid="base-model">
              {localModels.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name} ({m.info.architecture}, {m.info.quantisation ?? '?'})
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <div className="subform">
            <p className="muted">
              No local model is registered. Add one on the Models screen, or the tiny test model (random
              weights: it exercises training end to end offline, its answers stay noise).
            </p>
            <button
              type="button"
              onClick={() => void addTiny.run({}).then(() => models.run({}))}
              disabled={addTiny.running}
              data-testid="add-tiny"
            >
              {addTiny.running ? 'Adding…' : 'Add the tiny test model'}
            </button>
          </div>
        )}
        <ErrorBox error={models.error ?? addTiny.error} />

        <h2>Hyper-parameters</h2>
        <div className="row">
          {number('epochs', 'Epochs', 1)}
          {number('learningRate', 'Learning rate', 0, 0.0005)}
          {number('batchSize', 'Batch', 1)}
        </div>
        <div className="row">
          {number('rank', 'LoRA rank', 1)}
          {number('alpha', 'LoRA alpha', 1)}
        </div>
        <div className="row">
          {number('maxSteps', 'Max steps (0: none)', 0)}
          {number('maxMinutes', 'Max minutes (0: none)', 0, 1)}
        </div>
        <TextField
          label="Adapter name (default <set>-<job>)"
          value={adapterName}
          onChange={setAdapterName}
          testId="adapter-name"
        />
        {dpoOnBuiltin && (
          <ErrorBox error="The built-in trainer does supervised fine-tuning only: choose a supervised set, or the command or OpenAI trainer for DPO." />
        )}
        {operatorOnly && (
          <ErrorBox error="This trainer is for the lab's operator: from a browser, use the built-in trainer." />
        )}
        <StartStop
          running={training.running}
          disabled={!ready}
          onStart={() => void start()}
          onStop={() => training.stop()}
          label="Train"
          runningLabel="Training…"
          startTestId="train"
          stopTestId="stop"
        />
        {!stopped && <ErrorBox error={training.error} />}
      </aside>

      <main className="stage padded">
        {training.running || progress || finished || stopped ? (
          <section data-testid="train-live">
            <div className="progress-head" data-testid="train-progress">
              <div className="progress-big">
                <span
                  style={{
                    width: `${(100 * (progress?.step ?? 0)) / Math.max(progress?.totalSteps ?? 1, 1)}%`,
                  }}
                />
              </div>
              <div className="progress-numbers">
                <strong>
                  step {progress?.step ?? 0} / {progress?.totalSteps ?? '?'}
                </strong>
                {jobId !== undefined && ` · job ${jobId}`}
                {progress && ` · epoch ${progress.epoch} · loss ${loss(progress.loss)}`}
                {progress?.validLoss !== undefined && ` · validation ${loss(progress.validLoss)}`}
                {speed !== undefined && ` · ${speed.toFixed(0)} tokens/s`}
                {` · ETA ${training.running ? duration(progress?.etaSeconds) : '–'}`}
              </div>
              {progress?.message && <div className="muted">{progress.message}</div>}
            </div>
            <LossChart points={points} totalSteps={progress?.totalSteps} testId="loss-chart" />
            {finished?.adapter && (
              <div className="verdict success" data-testid="train-result">
                <strong>
                  {finished.trainer === 'openai' ? 'Model' : 'Adapter'}{' '}
                  <span data-testid="adapter">{finished.adapter}</span> is registered
                </strong>
                <span>
                  Trained on {finished.trainingSet} from {finished.baseModel}, final loss{' '}
                  {loss(finished.losses.at(-1)?.[1])}.{' '}
                  <button
                    type="button"
                    className="link"
                    onClick={() => navigation.evaluate(finished.adapter!, finished.baseModel)}
                    data-testid="evaluate-it"
                  >
                    Evaluate it →
                  </button>
                </span>
              </div>
            )}
            {stopped && (
              <div className="verdict failure" data-testid="train-stopped">
                <strong>Stopped</strong>
                <span>
                  {jobId !== undefined ? `Job ${jobId} ended cancelled` : 'The job was cancelled'}; what it
                  wrote so far stays in its folder.
                </span>
              </div>
            )}
          </section>
        ) : (
          <EmptyState title="No training yet">
            Choose a training set (or create one from the dataset's verified successes), a base model, and
            Train. The loss curve draws itself as the job runs.
          </EmptyState>
        )}

        <h3>Training sets in this dataset</h3>
        {missing ? (
          <EmptyState title={`No dataset at ${db}`}>
            Generate episodes on the Generate screen first (the scripted solver needs no model), or type the
            path of an existing dataset file.
          </EmptyState>
        ) : (
          <>
            <ErrorBox error={sets.error ?? jobs.error} />
            {allSets.length === 0 ? (
              <EmptyState title="No training sets yet">
                Create one on the left from the dataset's verified successes.
              </EmptyState>
            ) : (
              <TrainingSetsTable sets={allSets} chosen={setName} onChoose={setSetName} />
            )}
            <h3>Training jobs</h3>
            <TrainJobs jobs={jobs.result ?? []} />
          </>
        )}
      </main>
    </div>
  );
}
