// The history of training jobs in a dataset (train.jobs): status, trainer, base, set, final loss,
// what each made or why it failed; any job's loss curve on request.
import { useState } from 'react';
import type { TrainJobSummary } from '../../api/types.ts';
import { EmptyState } from './common.tsx';
import { LossChart } from './LossChart.tsx';
import { loss, when } from './format.ts';

const STATUS_CLASS: Record<string, string> = { succeeded: 'ok', failed: 'bad', interrupted: 'bad' };

export function TrainJobs({ jobs }: { jobs: TrainJobSummary[] }) {
  const [shown, setShown] = useState<number>();
  const job = jobs.find((j) => j.id === shown);
  if (jobs.length === 0)
    return (
      <EmptyState title="No training jobs yet">Jobs started here or with lab train appear here.</EmptyState>
    );
  return (
    <>
      <table className="models-table" data-testid="train-jobs">
        <thead>
          <tr>
            <th>job</th>
            <th>status</th>
            <th>trainer</th>
            <th>base</th>
            <th>set</th>
            <th>steps</th>
            <th>final loss</th>
            <th>adapter</th>
            <th>started</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {[...jobs].reverse().map((j) => {
            const last = j.losses.at(-1);
            return (
              <tr key={j.id} data-testid={`train-job-${j.id}`} className={j.id === shown ? 'selected' : ''}>
                <td>{j.id}</td>
                <td>
                  <span className={STATUS_CLASS[j.status] ?? ''} data-testid="job-status">
                    {j.status}
                  </span>
                  {j.error && (
                    <div className="job-error" title={j.error}>
                      {j.error}
                    </div>
                  )}
                </td>
                <td>{j.trainer}</td>
                <td className="path" title={j.baseModel}>
                  {j.baseModel}
                </td>
                <td>{j.trainingSet}</td>
                <td>{last?.[0] ?? 0}</td>
                <td>
                  {loss(last?.[1])}
                  {last?.[2] !== null && last?.[2] !== undefined && (
                    <span className="muted"> (val {loss(last[2])})</span>
                  )}
                </td>
                <td>{j.adapter ?? '–'}</td>
                <td>{when(j.startedAt)}</td>
                <td>
                  <button
                    type="button"
                    disabled={j.losses.length === 0}
                    onClick={() => setShown(j.id === shown ? undefined : j.id)}
                    data-testid="show-curve"
                  >
                    {j.id === shown ? 'Hide curve' : 'Loss curve'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {job && (
        <div className="chart-box">
          <h3>
            Job {job.id}: {job.trainingSet} on {job.baseModel} ({job.status})
          </h3>
          <LossChart points={job.losses} testId="job-loss-chart" />
        </div>
      )}
    </>
  );
}
