// Small pieces every screen uses: an error box that shows what went wrong, an empty state that
// says what to do next, a bar chart, the trace of primitive calls, a code block, and a row of
// buttons for one choice of a few.
import type { ReactNode } from 'react';
import type { PrimitiveResult } from '../../api/types.ts';

export function ErrorBox({ error, onDismiss }: { error?: Error | string; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      <span>{typeof error === 'string' ? error : error.message}</span>
      {onDismiss && (
        <button type="button" onClick={onDismiss} aria-label="dismiss">
          ×
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

export interface Bar {
  label: string;
  value: number; // 0..1
  detail: string;
}

/** Horizontal bars for rates (success per task, per model). */
export function BarChart({ bars, testId }: { bars: Bar[]; testId?: string }) {
  return (
    <div className="bar-chart" data-testid={testId}>
      {bars.map((bar) => (
        <div className="bar-row" key={bar.label} title={bar.detail}>
          <span className="bar-label">{bar.label}</span>
          <span className="bar-track">
            <span
              className="bar-fill"
              style={{ width: `${Math.round(100 * Math.min(Math.max(bar.value, 0), 1))}%` }}
            />
          </span>
          <span className="bar-detail">{bar.detail}</span>
        </div>
      ))}
    </div>
  );
}

const fmt = (v: number[]): string => `[${v.map((x) => x.toFixed(3)).join(', ')}]`;

export function TraceList({
  trace,
  active,
  onPick,
}: {
  trace: PrimitiveResult[];
  active?: number;
  onPick?: (index: number) => void;
}) {
  if (trace.length === 0)
    return <EmptyState title="No primitive calls">The program moved nothing.</EmptyState>;
  return (
    <ol className="trace" data-testid="trace">
      {trace.map((step, i) => (
        <li
          key={i}
          className={`trace-step status-${step.status}${i === active ? ' active' : ''}`}
          onClick={() => onPick?.(i)}
        >
          <span className="trace-name">{step.primitive}</span>
          <span className="trace-status">{step.status}</span>
          <span className="trace-pose">
            {fmt(step.pose.position)} yaw {step.pose.yaw.toFixed(2)}
          </span>
          {step.status !== 'reached' && <span className="trace-message">{step.message}</span>}
        </li>
      ))}
    </ol>
  );
}

export function CodeBlock({ text, testId }: { text: string; testId?: string }) {
  return (
    <pre className="code" data-testid={testId}>
      {text}
    </pre>
  );
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A whole number kept within [min, max] as the person types (seeds, counts, workers). */
export function IntegerInput({
  value,
  onChange,
  min,
  max = Number.MAX_SAFE_INTEGER,
  testId,
}: {
  value: number;
  onChange: (value: number) => void;
  min: number;
  max?: number;
  testId?: string;
}) {
  return (
    <input
      type="number"
      min={min}
      max={max === Number.MAX_SAFE_INTEGER ? undefined : max}
      value={value}
      onChange={(e) => onChange(Math.min(max, Math.max(min, Math.floor(Number(e.target.value) || 0))))}
      data-testid={testId}
    />
  );
}

/** A labelled one-line text input. */
export function TextField({
  label,
  value,
  onChange,
  placeholder,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  testId?: string;
}) {
  return (
    <Field label={label}>
      <input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        data-testid={testId}
      />
    </Field>
  );
}

/** Tick boxes for tasks; the chosen ids in the order ticked. */
export function TaskPicker({
  tasks,
  chosen,
  onChange,
  legend,
  testId,
}: {
  tasks: { id: string; split: string }[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
  legend: string;
  testId?: string;
}) {
  return (
    <fieldset className="task-picker" data-testid={testId}>
      <legend>{legend}</legend>
      {tasks.map((t) => (
        <label key={t.id}>
          <input
            type="checkbox"
            checked={chosen.includes(t.id)}
            onChange={(e) =>
              onChange(e.target.checked ? [...chosen, t.id] : chosen.filter((x) => x !== t.id))
            }
          />
          {t.id}
          {t.split === 'heldout' && <span className="muted"> (held out)</span>}
        </label>
      ))}
    </fieldset>
  );
}

/** A long call's two buttons: start it (its label changes while it runs) and stop it. */
export function StartStop({
  running,
  disabled,
  onStart,
  onStop,
  label,
  runningLabel,
  startTestId,
  stopTestId,
}: {
  running: boolean;
  disabled: boolean;
  onStart: () => void;
  onStop: () => void;
  label: string;
  runningLabel: string;
  startTestId: string;
  stopTestId: string;
}) {
  return (
    <div className="row">
      <button
        type="button"
        className="primary"
        disabled={disabled}
        onClick={onStart}
        data-testid={startTestId}
      >
        {running ? runningLabel : label}
      </button>
      <button type="button" disabled={!running} onClick={onStop} data-testid={stopTestId}>
        Stop
      </button>
    </div>
  );
}

export interface SegmentedOption<T> {
  value: T;
  label: ReactNode;
  testId?: string;
  disabled?: boolean;
}

/**
 * One choice of a few, as a row of buttons: radio buttons (the solver, a step size), or with `tabs`
 * a tab list. No option is on while `value` is undefined (the torque of an arm not yet read).
 */
export function Segmented<T extends string | number | boolean>({
  options,
  value,
  onChange,
  label,
  testId,
  tabs = false,
}: {
  options: readonly SegmentedOption<T>[];
  value: T | undefined;
  onChange: (value: T) => void;
  label?: string;
  testId?: string;
  tabs?: boolean;
}) {
  return (
    <div
      className={tabs ? 'segmented tabs' : 'segmented'}
      role={tabs ? 'tablist' : 'radiogroup'}
      aria-label={label}
      data-testid={testId}
    >
      {options.map((option) => {
        const on = value !== undefined && option.value === value;
        return (
          <button
            key={String(option.value)}
            type="button"
            role={tabs ? 'tab' : 'radio'}
            {...(tabs ? { 'aria-selected': on } : { 'aria-checked': on })}
            className={on ? 'on' : ''}
            disabled={option.disabled}
            onClick={() => onChange(option.value)}
            data-testid={option.testId}
          >
            {option.label}
          </button>
        );
      })}
    </div>
  );
}
