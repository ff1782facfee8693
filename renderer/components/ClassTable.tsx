// The teacher's view of the class: every student × every lesson (checks met of the lesson's
// checks, complete lessons highlighted), their last failed check and when they were last active;
// the same table as a CSV file made in the page (no file on the server).
import { useEffect } from 'react';
import { useCall } from '../use-call.ts';
import { EmptyState, ErrorBox } from './common.tsx';

function ago(ms: number | undefined, now = Date.now()): string {
  if (!ms) return '';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}

function download(csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `class-${new Date().toISOString().slice(0, 10)}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ClassTable() {
  const classroom = useCall('lessons.classroom');
  useEffect(() => {
    void classroom.run({});
  }, []);
  const table = classroom.result;
  return (
    <div className="class-view" data-testid="class-view">
      <div className="row class-head">
        <h2>The class</h2>
        <button
          type="button"
          onClick={() => void classroom.run({})}
          disabled={classroom.running}
          data-testid="class-refresh"
        >
          {classroom.running ? 'Refreshing…' : 'Refresh'}
        </button>
        <button
          type="button"
          disabled={!table}
          onClick={() => table && download(table.csv)}
          data-testid="class-csv"
        >
          Download CSV
        </button>
      </div>
      <ErrorBox error={classroom.error} />
      {table && table.students.length === 0 && (
        <EmptyState title="No student yet">
          Students appear here once they open the class link and type their name.
        </EmptyState>
      )}
      {table && table.students.length > 0 && (
        <div className="class-scroll">
          <table className="class-table" data-testid="class-table">
            <thead>
              <tr>
                <th>Student</th>
                {table.lessons.map((l) => (
                  <th key={l.id} title={l.title}>
                    {l.order}. {l.title}
                  </th>
                ))}
                <th>Last failure</th>
                <th>Last active</th>
              </tr>
            </thead>
            <tbody>
              {table.students.map((s) => (
                <tr key={s.student} data-testid="class-row">
                  <th scope="row">{s.student}</th>
                  {table.lessons.map((l) => {
                    const p = s.lessons[l.id];
                    const complete = p?.complete && l.checks > 0;
                    return (
                      <td key={l.id} className={complete ? 'complete' : p && p.done > 0 ? 'started' : ''}>
                        {l.checks === 0 ? '–' : `${p?.done ?? 0}/${p?.total ?? l.checks}`}
                        {complete ? ' ✓' : ''}
                      </td>
                    );
                  })}
                  <td className="last-failure">
                    {s.lastFailure && (
                      <>
                        <span className="muted">
                          {s.lastFailure.lesson} · {s.lastFailure.step} · {s.lastFailure.kind}
                        </span>
                        <br />
                        {s.lastFailure.message}
                      </>
                    )}
                  </td>
                  <td className="muted" title={s.lastActive ? new Date(s.lastActive).toLocaleString() : ''}>
                    {ago(s.lastActive)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
