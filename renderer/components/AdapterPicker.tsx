// Choosing a registered LoRA adapter for a model: only adapters made for that model's file are
// offered when the model is a registered local one (an adapter on another base is refused anyway);
// none for the scripted solver or a remote endpoint.
import type { ModelList } from '../../api/contract.ts';
import type { RegisteredAdapter } from '../../api/types.ts';
import { Field } from './common.tsx';

/** The adapters that fit `model` (a registered name or a GGUF path); all of them when its file is unknown. */
export function adaptersFor(
  adapters: RegisteredAdapter[],
  models: ModelList | undefined,
  model: string,
): RegisteredAdapter[] {
  const spec = model.trim();
  if (!spec || spec === 'scripted' || spec.startsWith('openai:')) return [];
  if (models?.endpoints.some((e) => e.name === spec)) return [];
  const path = models?.models.find((m) => m.name === spec || m.path === spec)?.path;
  return path ? adapters.filter((a) => a.base.path === path) : adapters;
}

export function AdapterPicker({
  adapters,
  value,
  onChange,
  testId,
}: {
  /** The adapters that fit the chosen model (adaptersFor). */
  adapters: RegisteredAdapter[];
  value: string;
  onChange: (adapter: string) => void;
  testId?: string;
}) {
  return (
    <Field label="LoRA adapter">
      <select
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={adapters.length === 0}
        data-testid={testId}
      >
        <option value="">{adapters.length ? 'none (the base model)' : 'none fits this model'}</option>
        {adapters.map((a) => (
          <option key={a.name} value={a.name}>
            {a.name} (r{a.rank}, {a.source}
            {a.trainingSet ? `, set ${a.trainingSet}` : ''})
          </option>
        ))}
      </select>
    </Field>
  );
}
