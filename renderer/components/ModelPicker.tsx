// Naming the model that acts, as the Simulator and a lesson's model check both ask for it: a
// registered local model or endpoint from the list, or any spec typed in (file.gguf, openai:NAME@URL).
import type { ModelList } from '../../api/contract.ts';
import type { ProgramFormat } from '../../api/types.ts';
import { Field } from './common.tsx';

export function ModelNameInput({
  models,
  value,
  onChange,
  listId = 'model-names',
  testId,
}: {
  models: ModelList | undefined;
  value: string;
  onChange: (model: string) => void;
  /** The datalist's id: unique on the page. */
  listId?: string;
  testId?: string;
}) {
  const names = [
    ...(models?.models ?? []).filter((m) => m.info.type === 'model'),
    ...(models?.endpoints ?? []),
  ];
  return (
    <Field label="Model">
      <input
        list={listId}
        value={value}
        placeholder="a registered name, file.gguf or openai:NAME@URL"
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
      <datalist id={listId}>
        {names.map((m) => (
          <option key={m.name} value={m.name} />
        ))}
      </datalist>
    </Field>
  );
}

/** What the model is asked to answer with: small models manage a JSON plan better than code. */
export function AnswerFormatPicker({
  value,
  onChange,
  testId,
}: {
  value: ProgramFormat;
  onChange: (format: ProgramFormat) => void;
  testId?: string;
}) {
  return (
    <Field label="Answer format">
      <select value={value} onChange={(e) => onChange(e.target.value as ProgramFormat)} data-testid={testId}>
        <option value="json">JSON plan (small models)</option>
        <option value="code">Python code</option>
      </select>
    </Field>
  );
}
