// The paper's table from evaluation runs: a row per run (teacher, base student, fine-tuned
// student...), a column per task, then the train and held-out means, each with its 95% interval;
// and, in words, which differences between rows lie outside the intervals.
import { intervalsApart } from './wilson.ts';
import type { CompareTable, EvalSummary, RateWithInterval } from '../../api/types.ts';

export function compareEvaluations(runs: EvalSummary[]): CompareTable {
  const splitOf = new Map<string, 'train' | 'heldout'>();
  for (const run of runs) for (const t of run.tasks) splitOf.set(t.task, t.split);
  const tasks = [...splitOf]
    .map(([id, split]) => ({ id, split }))
    .sort((a, b) => (a.split === b.split ? a.id.localeCompare(b.id) : a.split === 'train' ? -1 : 1));
  const rows = runs.map((run) => ({
    runId: run.runId,
    label: run.label,
    cells: Object.fromEntries(tasks.map(({ id }) => [id, strip(run.tasks.find((t) => t.task === id))])),
    train: strip(run.train),
    heldout: strip(run.heldout),
  }));
  const significant: string[] = [];
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) {
      const columns: [string, RateWithInterval | null, RateWithInterval | null][] = [
        ...tasks.map(({ id }): [string, RateWithInterval | null, RateWithInterval | null] => [
          id,
          rows[i].cells[id],
          rows[j].cells[id],
        ]),
        ['train mean', rows[i].train, rows[j].train],
        ['held-out mean', rows[i].heldout, rows[j].heldout],
      ];
      for (const [column, a, b] of columns) {
        if (!a || !b || !intervalsApart(a, b)) continue;
        const [better, worse, hi, lo] = a.rate > b.rate ? [rows[i], rows[j], a, b] : [rows[j], rows[i], b, a];
        significant.push(
          `${better.label} beats ${worse.label} on ${column}: ${percent(hi.rate)} vs ${percent(lo.rate)} (intervals ${interval(hi)} and ${interval(lo)} do not overlap)`,
        );
      }
    }
  return { tasks, rows, significant };
}

function strip(rate: RateWithInterval | undefined): RateWithInterval | null {
  if (!rate) return null;
  const { attempts, successes, rate: r, low, high } = rate;
  return { attempts, successes, rate: r, low, high };
}

export const percent = (x: number): string => `${Math.round(x * 100)}%`;
export const interval = (r: RateWithInterval): string => `${percent(r.low)}-${percent(r.high)}`;

/** The table as fixed-width text, as `lab eval compare` prints it. */
export function formatCompareTable(table: CompareTable): string {
  const header = [
    'model',
    ...table.tasks.map((t) => (t.split === 'heldout' ? `${t.id} (held-out)` : t.id)),
    'train mean',
    'held-out mean',
  ];
  const cell = (r: RateWithInterval | null): string =>
    r ? `${percent(r.rate)} [${interval(r)}] n=${r.attempts}` : '-';
  const body = table.rows.map((row) => [
    row.label,
    ...table.tasks.map((t) => cell(row.cells[t.id])),
    cell(row.train),
    cell(row.heldout),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => line[c].length)));
  const line = (values: string[]): string =>
    values
      .map((v, c) => v.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  lines.push(
    '',
    ...(table.significant.length ? table.significant : ['no difference lies outside the 95% intervals']),
  );
  return lines.join('\n') + '\n';
}
