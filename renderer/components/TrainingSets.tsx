// Training sets: the form for a new one (its name, the training tasks it draws from, the method:
// supervised examples or DPO pairs, the most examples per task, the share of scenes kept for
// validation), and the table of a dataset's sets with their counts.
import { useState } from 'react';
import type { CallInput } from '../../api/contract.ts';
import type { TaskSummary, TrainingSetSummary, TrainMethodName } from '../../api/types.ts';
import { Field, IntegerInput, TaskPicker, TextField } from './common.tsx';
import { when } from './format.ts';

export type NewTrainingSet = Omit<CallInput<'train.createSet'>, 'db'>;

export function TrainingSetForm({
  tasks,
  creating,
  onCreate,
}: {
  /** Training tasks only: held-out tasks never give training data. */
  tasks: TaskSummary[];
  creating: boolean;
  onCreate: (set: NewTrainingSet) => void;
}) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [method, setMethod] = useState<TrainMethodName>('supervised');
  const [maxPerTask, setMaxPerTask] = useState(0);
  const [validation, setValidation] = useState(0.1);

  return (
    <form
      className="subform"
      data-testid="new-set"
      onSubmit={(e) => {
        e.preventDefault();
        onCreate({
          name: name.trim(),
          method,
          ...(chosen.length ? { tasks: chosen } : {}),
          maxPerTask,
          validation,
        });
      }}
    >
      <TextField label="Name" value={name} onChange={setName} placeholder="reach-v1" testId="set-name" />
      <div className="row">
        <Field label="Method">
          <select
            value={method}
            onChange={(e) => setMethod(e.target.value as TrainMethodName)}
            data-testid="set-method"
          >
            <option value="supervised">supervised (successes)</option>
            <option value="dpo">DPO (success vs failure pairs)</option>
          </select>
        </Field>
        <Field label="Max per task (0: all)">
          <IntegerInput value={maxPerTask} onChange={setMaxPerTask} min={0} testId="set-max-per-task" />
        </Field>
        <Field label="Validation share">
          <input
            type="number"
            min={0}
            max={0.9}
            step={0.05}
            value={validation}
            onChange={(e) => setValidation(Math.min(0.95, Math.max(0, Number(e.target.value) || 0)))}
            data-testid="set-validation"
          />
        </Field>
      </div>
      <TaskPicker
        tasks={tasks}
        chosen={chosen}
        onChange={setChosen}
        legend="Tasks (none ticked: every training task)"
        testId="set-tasks"
      />
      <p className="muted">
        Only verified successes with their prompt and answer are taken (never evaluation runs); the set is a
        snapshot kept in the dataset, so every adapter traces back to its episodes.
      </p>
      <button type="submit" disabled={!name.trim() || creating} data-testid="create-set">
        {creating ? 'Creating…' : 'Create training set'}
      </button>
    </form>
  );
}

export function TrainingSetsTable({
  sets,
  chosen,
  onChoose,
}: {
  sets: TrainingSetSummary[];
  chosen: string;
  onChoose: (name: string) => void;
}) {
  return (
    <table className="models-table" data-testid="training-sets">
      <thead>
        <tr>
          <th>name</th>
          <th>method</th>
          <th>train</th>
          <th>validation</th>
          <th>per task</th>
          <th>created</th>
        </tr>
      </thead>
      <tbody>
        {sets.map((s) => (
          <tr key={s.id} className={s.name === chosen ? 'selected' : ''} onClick={() => onChoose(s.name)}>
            <td>{s.name}</td>
            <td>{s.method}</td>
            <td>{s.train}</td>
            <td>{s.validation}</td>
            <td>
              {Object.entries(s.perTask)
                .map(([task, n]) => `${task}: ${n}`)
                .join(', ')}
            </td>
            <td>{when(s.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
