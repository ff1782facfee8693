// The paper-style table of evaluation runs (eval.compare): a row per run, a column per task, then
// the train and held-out means, each "85% [64-95%] n=20". Differences whose 95% intervals do not
// overlap (the table's `significant` list) are marked: the better cell green, the worse red.
import type { CompareTable as Table } from '../../api/types.ts';
import { chartGroups, groupRate, runColour } from './RateChart.tsx';
import { rateCell } from './format.ts';

/** The column names `significant` uses: a task id, 'train mean' or 'held-out mean'. */
const columnName = (group: string): string =>
  group === ':train' ? 'train mean' : group === ':heldout' ? 'held-out mean' : group;

/** For each row and column, whether its cell is the better or the worse side of a significant difference. */
export function significantCells(table: Table): Map<string, 'better' | 'worse'> {
  const marks = new Map<string, 'better' | 'worse'>();
  const groups = chartGroups(table);
  table.rows.forEach((a, i) =>
    table.rows.forEach((b, j) => {
      if (j <= i) return;
      for (const g of groups) {
        const said = (x: string, y: string): boolean =>
          table.significant.some((s) => s.startsWith(`${x} beats ${y} on ${columnName(g.id)}:`));
        if (!said(a.label, b.label) && !said(b.label, a.label)) continue;
        const ra = groupRate(a, g.id)?.rate ?? 0;
        const rb = groupRate(b, g.id)?.rate ?? 0;
        if (ra === rb) continue;
        marks.set(`${i}/${g.id}`, ra > rb ? 'better' : 'worse');
        marks.set(`${j}/${g.id}`, ra > rb ? 'worse' : 'better');
      }
    }),
  );
  return marks;
}

export function CompareTable({ table }: { table: Table }) {
  const groups = chartGroups(table, { everyMean: true });
  const marks = significantCells(table);
  return (
    <>
      <div className="table-scroll">
        <table className="models-table compare-table" data-testid="compare-table">
          <thead>
            <tr>
              <th>run</th>
              {groups.map((g) => (
                <th key={g.id} className={g.id.startsWith(':') ? 'mean' : ''}>
                  {g.label}
                  {g.heldout && !g.id.startsWith(':') ? ' (held out)' : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, r) => (
              <tr key={row.runId} data-testid="compare-row">
                <td>
                  <i className="swatch" style={{ background: runColour(r) }} />
                  {row.runId}: {row.label}
                </td>
                {groups.map((g) => {
                  const mark = marks.get(`${r}/${g.id}`);
                  return (
                    <td
                      key={g.id}
                      className={`rate-cell${mark ? ` significant ${mark}` : ''}`}
                      data-testid={mark ? 'significant-cell' : undefined}
                    >
                      {rateCell(groupRate(row, g.id))}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="significant" data-testid="significant">
        {table.significant.length ? (
          table.significant.map((s) => <li key={s}>{s}</li>)
        ) : (
          <li className="muted">No difference lies outside the 95% intervals (more scenes narrow them).</li>
        )}
      </ul>
    </>
  );
}
