// Dataset: success rates per task and per model, the episodes table (filters, search, virtualised),
// one episode's prompt, program, trace and failure, and its replay in 3D.
import { useCallback, useEffect, useState } from 'react';
import { useWhenShown } from '../navigation.tsx';
import type { EpisodeFilter, EpisodeSummary, ModelDescription, PageCursor } from '../../api/types.ts';
import { LabCallError } from '../../api/framing.ts';
import { useLab } from '../lab-context.tsx';
import { useCall } from '../use-call.ts';
import {
  BarChart,
  CodeBlock,
  EmptyState,
  ErrorBox,
  Field,
  TraceList,
  TextField,
} from '../components/common.tsx';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { ReplayPlayer, stepFrames } from '../components/ReplayPlayer.tsx';

type Filter = Pick<EpisodeFilter, 'task' | 'split' | 'success' | 'model' | 'programContains'>;

const COLUMNS: Column<EpisodeSummary>[] = [
  { title: 'id', width: '70px', cell: (r) => r.id },
  { title: 'task', width: 'minmax(160px, 2fr)', cell: (r) => r.task },
  {
    title: 'arm',
    width: '80px',
    cell: (r) =>
      r.real ? (
        <span className="badge-real" title="a trial on the real arm, marked by its operator">
          {r.arm} · real
        </span>
      ) : (
        r.arm
      ),
  },
  { title: 'seed', width: '60px', cell: (r) => r.seed },
  { title: 'model', width: 'minmax(90px, 1.2fr)', cell: (r) => r.model ?? '–' },
  {
    title: 'result',
    width: '120px',
    cell: (r) => (
      <span className={r.success ? 'ok' : 'bad'}>{r.success ? 'success' : (r.failureKind ?? 'failure')}</span>
    ),
  },
  { title: 'when', width: '180px', cell: (r) => new Date(r.createdAt).toLocaleString() },
];

const pct = (v: number): string => `${Math.round(100 * v)}%`;

/** What the dataset recorded about a model, for its bar's tooltip: " · llama, 8.0 B parameters, Q4_K_M". */
function describeModel(description?: ModelDescription): string {
  if (!description) return '';
  const parts = [
    description.architecture,
    description.parameters ? `${(description.parameters / 1e9).toFixed(1)} B parameters` : undefined,
    description.quantisation,
    description.adapters?.length ? `${description.adapters.length} LoRA adapter(s)` : undefined,
  ].filter(Boolean);
  return parts.length ? ` · ${parts.join(', ')}` : '';
}

export function Dataset() {
  const { db, setDb } = useLab();
  const stats = useCall('dataset.stats');
  const modelStats = useCall('dataset.modelStats');
  const list = useCall('dataset.list');
  const show = useCall('dataset.show');
  const replay = useCall('dataset.replay');
  const [filter, setFilter] = useState<Filter>({});
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<EpisodeSummary[]>([]);
  const [next, setNext] = useState<PageCursor>();
  const [selected, setSelected] = useState<number>();
  const [seek, setSeek] = useState<{ frame: number }>();

  const load = useCallback(
    async (after?: PageCursor) => {
      const page = await list.run({ db, filter, limit: 200, ...(after ? { after } : {}) });
      if (!page) return;
      setRows((r) => (after ? [...r, ...page.rows] : page.rows));
      setNext(page.next);
    },
    [db, filter],
  );

  const reload = (): void => {
    setRows([]);
    setNext(undefined);
    void load(); // rows first: the server answers in order, and the charts read every episode
    void stats.run({ db, filter });
    void modelStats.run({ db, filter });
  };
  useEffect(reload, [db, filter]);
  // Another dataset's episode #7 is another episode: the one on show belonged to the old file.
  useEffect(() => {
    setSelected(undefined);
    setSeek(undefined);
    show.clear();
    replay.clear();
  }, [db]);
  // Episodes made on other screens since (a generation, an evaluation) show when the screen does.
  useWhenShown('dataset', reload);

  const pick = (row: EpisodeSummary): void => {
    setSelected(row.id);
    setSeek(undefined);
    replay.clear();
    void show.run({ db, id: row.id });
  };

  const missing = stats.error instanceof LabCallError && stats.error.kind === 'no-dataset';
  const total = (stats.result ?? []).reduce((n, s) => n + s.episodes, 0);
  const episode = show.result;
  const trace = episode?.trace ?? [];
  const replayed = replay.result;
  const marks = replayed?.result.recording
    ? stepFrames(replayed.result.trace, replayed.result.recording.hz)
    : [];

  return (
    <div className="screen dataset">
      <div className="filter-bar">
        <TextField label="Dataset file" value={db} onChange={setDb} testId="db" />
        <Field label="Task">
          <select
            value={filter.task ?? ''}
            onChange={(e) => setFilter({ ...filter, task: e.target.value || undefined })}
            data-testid="filter-task"
          >
            <option value="">all tasks</option>
            {(stats.result ?? []).map((s) => (
              <option key={s.task}>{s.task}</option>
            ))}
            {filter.task && !(stats.result ?? []).some((s) => s.task === filter.task) && (
              <option>{filter.task}</option>
            )}
          </select>
        </Field>
        <Field label="Split">
          <select
            value={filter.split ?? ''}
            onChange={(e) =>
              setFilter({ ...filter, split: (e.target.value || undefined) as Filter['split'] })
            }
          >
            <option value="">both</option>
            <option value="train">train</option>
            <option value="heldout">held out</option>
          </select>
        </Field>
        <Field label="Result">
          <select
            value={filter.success === undefined ? '' : filter.success ? 'yes' : 'no'}
            onChange={(e) =>
              setFilter({ ...filter, success: e.target.value === '' ? undefined : e.target.value === 'yes' })
            }
            data-testid="filter-success"
          >
            <option value="">any</option>
            <option value="yes">successes</option>
            <option value="no">failures</option>
          </select>
        </Field>
        <Field label="Model">
          <select
            value={filter.model ?? ''}
            onChange={(e) => setFilter({ ...filter, model: e.target.value || undefined })}
          >
            <option value="">any</option>
            {(modelStats.result ?? []).map((m) => (
              <option key={m.model}>{m.model}</option>
            ))}
          </select>
        </Field>
        <form
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter({ ...filter, programContains: search.trim() || undefined });
          }}
        >
          <TextField
            label="Program contains"
            value={search}
            onChange={setSearch}
            placeholder="e.g. close_gripper"
            testId="search"
          />
        </form>
        {Object.values(filter).some((value) => value !== undefined) && (
          <button
            type="button"
            className="clear-filters"
            onClick={() => {
              setFilter({});
              setSearch('');
            }}
            data-testid="clear-filters"
          >
            Clear filters
          </button>
        )}
      </div>
      {missing ? (
        <EmptyState title={`No dataset at ${db}`}>
          Generate episodes on the Generate screen (the scripted solver needs no model), or type the path of
          an existing dataset file above.
        </EmptyState>
      ) : (
        <div className="dataset-body">
          <section className="dataset-left">
            <ErrorBox error={stats.error ?? list.error} />
            <div className="charts">
              <div>
                <h3>Success rate per task</h3>
                <BarChart
                  testId="task-chart"
                  bars={(stats.result ?? []).map((s) => ({
                    label: s.task,
                    value: s.rate,
                    detail: `${pct(s.rate)} of ${s.episodes.toLocaleString()}`,
                  }))}
                />
              </div>
              <div>
                <h3>Success rate per model</h3>
                <BarChart
                  testId="model-chart"
                  bars={(modelStats.result ?? []).map((m) => ({
                    label: m.model,
                    value: m.rate,
                    detail: `${pct(m.rate)} of ${m.episodes.toLocaleString()}${describeModel(m.description)}`,
                  }))}
                />
              </div>
            </div>
            <div className="table-head">
              <strong data-testid="episode-count">{total.toLocaleString()} episodes</strong>
              <span className="muted">
                {rows.length.toLocaleString()} loaded{list.running ? ' · loading…' : ''}
              </span>
            </div>
            {stats.result && total === 0 && !stats.running && rows.length === 0 ? (
              <EmptyState title="No episodes match">
                Change the filters, or generate episodes first.
              </EmptyState>
            ) : (
              <VirtualTable
                rows={rows}
                columns={COLUMNS}
                rowKey={(r) => r.id}
                selected={selected}
                onSelect={pick}
                more={next !== undefined && !list.error}
                loading={list.running}
                onNeedMore={() => next && !list.running && void load(next)}
              />
            )}
          </section>
          <section className="dataset-detail" data-testid="episode-detail">
            {!episode ? (
              <EmptyState title="No episode selected">
                Click a row to see its prompt, program, trace and replay.
              </EmptyState>
            ) : (
              <>
                <div className="detail-head">
                  <strong>
                    #{episode.id} {episode.task} · seed {episode.seed}
                  </strong>
                  <span className={episode.success ? 'ok' : 'bad'}>
                    {episode.success ? 'success' : 'failure'}
                  </span>
                  {episode.real && (
                    <span className="badge-real" data-testid="episode-real">
                      real arm · {episode.trajectory?.frames.length ?? 0} measured poses
                    </span>
                  )}
                  <button
                    type="button"
                    className="primary"
                    disabled={replay.running}
                    onClick={() => void replay.run({ db, id: episode.id })}
                    data-testid="replay"
                  >
                    {replay.running ? 'Simulating…' : 'Replay in 3D'}
                  </button>
                </div>
                <p className="instruction">“{episode.instruction}”</p>
                <p>
                  {episode.reason}
                  {episode.failure ? ` — ${episode.failure}` : ''}
                </p>
                <ErrorBox error={show.error ?? replay.error} />
                {replayed?.result.recording && (
                  <>
                    <ReplayPlayer
                      geometry={replayed.view.geometry}
                      recording={replayed.result.recording}
                      trace={replayed.result.trace}
                      seekTo={seek}
                    />
                    {!replayed.reproduced && (
                      <ErrorBox error="The replay did not reproduce the stored result (the simulator or the task changed since this episode was recorded)." />
                    )}
                  </>
                )}
                <h3>Trace</h3>
                <TraceList trace={trace} onPick={(i) => setSeek({ frame: marks[i] ?? 0 })} />
                {episode.program !== null && (
                  <>
                    <h3>Program</h3>
                    <CodeBlock text={episode.program} testId="episode-program" />
                  </>
                )}
                {episode.prompt && (
                  <>
                    <h3>Prompt</h3>
                    {episode.prompt.map((m, i) => (
                      <div key={i} className="message">
                        <span className="muted">{m.role}</span>
                        <CodeBlock text={m.content} />
                      </div>
                    ))}
                  </>
                )}
                {episode.answer !== null && (
                  <>
                    <h3>Answer</h3>
                    <CodeBlock text={episode.answer} />
                  </>
                )}
              </>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
