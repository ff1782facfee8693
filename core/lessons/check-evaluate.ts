// Whether a step's exercise is met, from what the lab itself saw: the episode it ran, the scene
// state it built, the student's dataset it read. A verdict names why it is not met with a failure
// kind (the episode's own, or wrong-answer, not-yet, bad-answer), which picks the step's hints.
import type { AttemptFailure, EpisodeResult, EvalSummary, SceneState } from '../../api/types.ts';
import { openDataset, type Db } from '../dataset/open-dataset.ts';
import { DatasetError } from '../dataset/errors.ts';
import { listEvaluations } from '../eval/evaluate.ts';
import { episodeFailure } from '../planner/attempt.ts';
import { ModelRegistry } from '../llm/model-registry.ts';
import { parseOpenAISpec } from '../llm/openai-model.ts';
import type { CheckParams } from './check-kinds.ts';
import { LessonError } from './lesson-errors.ts';

export interface Verdict {
  met: boolean;
  message: string;
  failure?: { kind: string; message: string; line?: number };
}

type Check<K extends CheckParams['kind']> = Extract<CheckParams, { kind: K }>;

const met = (message: string): Verdict => ({ met: true, message });
const notMet = (kind: string, message: string, line?: number): Verdict => ({
  met: false,
  message,
  failure: { kind, message, ...(line ? { line } : {}) },
});

/** A `run` check from the episode the lab ran (and a model's attempt's failure, when a model acted). */
export function verdictOfRun(
  check: Check<'run'>,
  episode: EpisodeResult,
  modelFailure?: AttemptFailure,
): Verdict {
  const failure = episode.success ? undefined : (modelFailure ?? episodeFailure(episode));
  const said = episode.success
    ? `succeeded: ${episode.reason}`
    : `failed (${failure?.kind}): ${failure?.message ?? episode.reason}`;
  // A program cut short (a syntax or runtime error, a model's answer without one) may never have come
  // to the call: its own failure, with its line, says what to fix.
  const cutShort =
    !episode.success &&
    ((episode.program !== undefined && !episode.program.ok) ||
      modelFailure?.kind === 'no-program' ||
      modelFailure?.kind === 'truncated');
  if (check.calls && !cutShort && !episode.trace.some((r) => r.primitive === check.calls))
    return notMet(
      'missing-call',
      `the program never called ${check.calls}()${episode.success ? '' : `, and the task was not done: ${episode.reason}`}`,
    );
  if (check.expect === 'any') return met(`the episode ran and ${said}`);
  if (check.expect === 'failure')
    return episode.success
      ? notMet('not-yet', `the episode ${said}; this step wants to see it fail`)
      : met(`the episode ${said}`);
  if (episode.success) return met(`the episode ${said}`);
  return notMet(failure?.kind ?? 'task-failed', `the episode ${said}`, failure?.line);
}

/** A `scene-value` check: the student's number against the scene state's. */
export function verdictOfSceneValue(
  check: Check<'scene-value'>,
  state: SceneState,
  answer: string | undefined,
): Verdict {
  const truth = sceneValue(check, state);
  const given = parseNumber(answer);
  if (given === undefined)
    return notMet(
      'bad-answer',
      `'${(answer ?? '').slice(0, 40)}' is not a number: give the ${check.field} as a number (metres or radians)`,
    );
  const off = Math.abs(given - truth);
  if (off <= check.tolerance) return met(`right: ${whose(check)} is ${round(truth)}`);
  return notMet(
    'wrong-answer',
    `${given} is not ${whose(check)} (it is off by more than ${check.tolerance}); look at the scene state again`,
  );
}

/** "the gripper's opening", "the z of blue_block". */
function whose(check: Check<'scene-value'>): string {
  return check.object === 'gripper'
    ? `the gripper's ${check.field}`
    : `the ${check.field} of ${check.object}`;
}

function sceneValue(check: Check<'scene-value'>, state: SceneState): number {
  if (check.object === 'gripper') {
    const g = state.gripper;
    if (!g) throw new LessonError('bad-lesson', `the scene of ${check.task} has no gripper state`);
    const pick: Record<string, number | undefined> = {
      x: g.position[0],
      y: g.position[1],
      z: g.position[2],
      yaw: g.yaw,
      opening: g.opening,
    };
    const value = pick[check.field];
    if (value === undefined)
      throw new LessonError('bad-lesson', `the gripper has no ${check.field} (x, y, z, yaw, opening)`);
    return value;
  }
  const object = state.objects.find((o) => o.name === check.object);
  if (!object)
    throw new LessonError(
      'bad-lesson',
      `the scene of ${check.task} has no object '${check.object}' (it has ${state.objects.map((o) => o.name).join(', ')})`,
    );
  const pick: Record<string, number | undefined> = {
    x: object.position[0],
    y: object.position[1],
    z: object.position[2],
    yaw: object.yaw,
    length: object.size[0],
    width: object.size[1],
    height: object.size[2],
  };
  const value = pick[check.field];
  if (value === undefined) throw new LessonError('bad-lesson', `an object has no ${check.field}`);
  return value;
}

export function verdictOfChoice(check: Check<'choice'>, answer: string | undefined): Verdict {
  if (answer === undefined || answer.trim() === '')
    return notMet('bad-answer', `choose one of: ${check.options.join(', ')}`);
  const pick = check.options.find((o) => sameOption(o, answer));
  if (!pick)
    return notMet(
      'bad-answer',
      `'${answer.slice(0, 40)}' is not one of the options: ${check.options.join(', ')}`,
    );
  return pick === check.answer ? met(`right: ${pick}`) : notMet('wrong-answer', `not ${pick}: think again`);
}

/** An option as typed: in any case, and a number in any form (0.120 is 0.12). */
function sameOption(option: string, answer: string): boolean {
  const [a, b] = [option.trim().toLowerCase(), answer.trim().toLowerCase()];
  if (a === b) return true;
  const [x, y] = [parseNumber(a), parseNumber(b)];
  return x !== undefined && x === y;
}

/** `find-episode`: the episode the student named is in their dataset and failed that way. */
export function verdictOfFindEpisode(
  check: Check<'find-episode'>,
  dbPath: string,
  shown: string,
  id: number | undefined,
): Verdict {
  if (id === undefined)
    return notMet('bad-answer', 'give the episode id (the id column of the Dataset screen)');
  return withDataset(dbPath, shown, (db) => {
    const row = db
      .prepare('SELECT task, success, failure_kind AS failureKind FROM episodes WHERE id = ?')
      .get(id) as { task: string; success: number; failureKind: string | null } | undefined;
    if (!row) return notMet('wrong-answer', `${shown} has no episode ${id}`);
    if (check.task && row.task !== check.task)
      return notMet('wrong-answer', `episode ${id} is of ${row.task}, not ${check.task}`);
    if (row.success) return notMet('wrong-answer', `episode ${id} succeeded; look for a failed one`);
    if (row.failureKind !== check.failure)
      return notMet(
        'wrong-answer',
        `episode ${id} failed with '${row.failureKind ?? 'no recorded reason'}', not '${check.failure}'`,
      );
    return met(`right: episode ${id} (${row.task}) failed with '${check.failure}'`);
  });
}

/** `dataset`: the student's dataset holds enough generated episodes. */
export function verdictOfDataset(check: Check<'dataset'>, dbPath: string, shown: string): Verdict {
  return withDataset(dbPath, shown, (db) => {
    const where = ["r.purpose = 'generate'"];
    const args: (string | number)[] = [];
    if (check.task) {
      where.push('e.task = ?');
      args.push(check.task);
    }
    if (check.teacher)
      where.push(check.teacher === 'scripted' ? "r.teacher = 'scripted'" : "r.teacher <> 'scripted'");
    const row = db
      .prepare(
        `SELECT COUNT(*) AS n, COALESCE(SUM(e.success), 0) AS ok FROM episodes e JOIN runs r ON r.id = e.run_id WHERE ${where.join(' AND ')}`,
      )
      .get(...args) as { n: number; ok: number };
    const what = `${check.task ? `${check.task} ` : ''}episodes${check.teacher ? ` by ${check.teacher === 'model' ? 'a model' : 'the scripted teacher'}` : ''}`;
    if (row.n < check.episodes)
      return notMet('not-yet', `${shown} has ${row.n} ${what}; this step wants ${check.episodes}`);
    if (check.successes !== undefined && row.ok < check.successes)
      return notMet(
        'not-yet',
        `${shown} has ${row.ok} successful ${what}; this step wants ${check.successes}`,
      );
    return met(`${shown} has ${row.n} ${what}, ${row.ok} of them successes`);
  });
}

/** `evaluation`: a fine-tuned model's evaluation run beats its base model's on the task. */
export function verdictOfEvaluation(check: Check<'evaluation'>, dbPath: string, shown: string): Verdict {
  return withDataset(dbPath, shown, (db) =>
    compareEvaluations(check, listEvaluations(db), hostedFineTunes(db), shown, modelIds()),
  );
}

/**
 * The verdict from a dataset's evaluation runs. A fine-tuned run is one with an adapter, or of a
 * model a hosted trainer made (`hosted`: its registered name → its base model's id). It is compared
 * only with a run of its base alone on the same scenes, answer format and temperature: anything
 * else would credit the adapter with what the settings did.
 */
export function compareEvaluations(
  check: Check<'evaluation'>,
  all: EvalSummary[],
  hosted: ReadonlyMap<string, string>,
  shown: string,
  idOf: (model: string) => string = (model) => model,
): Verdict {
  const runs = all.filter((r) => !r.real && r.tasks.some((t) => t.task === check.task));
  const covers = (run: EvalSummary): boolean =>
    check.split === 'both' ? !!run.train && !!run.heldout : check.split ? !!run[check.split] : true;
  const baseOf = (run: EvalSummary): string | undefined => (run.adapter ? run.model : hosted.get(run.model));
  const tuned = runs.filter((r) => baseOf(r) !== undefined && covers(r));
  const bases = runs.filter((r) => baseOf(r) === undefined && covers(r));
  if (tuned.length === 0)
    return notMet(
      'not-yet',
      `${shown} has no evaluation of a fine-tuned model on ${check.task}${check.split === 'both' ? ' with a held-out task too' : ''} (Evaluate screen)`,
    );
  const rate = (run: EvalSummary): number => run.tasks.find((t) => t.task === check.task)!.rate;
  const isBase = (run: EvalSummary, base: string): boolean => run.model === base || idOf(run.model) === base;
  const pairs = tuned.flatMap((a) =>
    bases.filter((b) => isBase(b, baseOf(a)!) && sameSettings(a, b)).map((b) => ({ a, b })),
  );
  // The best pair speaks for the student: the widest win, else the nearest miss.
  const best = pairs.sort(
    (x, y) => rate(y.a) - rate(y.b) - (rate(x.a) - rate(x.b)) || rate(y.a) - rate(x.a),
  )[0];
  if (best && rate(best.a) > rate(best.b))
    return met(
      `${best.a.label} ${pct(rate(best.a))} beats ${best.b.label} ${pct(rate(best.b))} on ${check.task}`,
    );
  if (best)
    return notMet(
      'not-better',
      `${best.a.label} ${pct(rate(best.a))} does not beat ${best.b.label} ${pct(rate(best.b))} on ${check.task}`,
    );
  const latest = tuned[tuned.length - 1];
  const base = baseOf(latest)!;
  const unlike = bases.find((b) => isBase(b, base));
  if (unlike)
    return notMet(
      'not-yet',
      `${shown} has ${unlike.label} alone evaluated on ${check.task}, but not as ${latest.label} was (${settingsOf(latest)}; it was ${settingsOf(unlike)}): evaluate both the same way`,
    );
  return notMet(
    'not-yet',
    `${shown} has no evaluation of the adapter's base model (${base}) alone on ${check.task} to compare with`,
  );
}

function sameSettings(a: EvalSummary, b: EvalSummary): boolean {
  return settingsOf(a) === settingsOf(b) && a.firstSeed === b.firstSeed;
}

/** "3 scenes per task, code, temperature 0". */
function settingsOf(run: EvalSummary): string {
  const samples = run.samples > 1 ? ` × ${run.samples} samples` : '';
  return `${run.scenes} scene${run.scenes === 1 ? '' : 's'} per task${samples}, ${run.format ?? 'no'} answers, temperature ${run.temperature ?? 0}`;
}

/** Models a hosted trainer (openai) made from this dataset: the name they are registered under → their base. */
function hostedFineTunes(db: Db): Map<string, string> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (!tables.includes('train_jobs')) return new Map();
  const rows = db
    .prepare(
      "SELECT adapter, base_model AS base FROM train_jobs WHERE trainer = 'openai' AND status = 'succeeded' AND adapter IS NOT NULL",
    )
    .all() as { adapter: string; base: string }[];
  return new Map(rows.map((r) => [r.adapter, r.base]));
}

/**
 * A model's id as a hosted trainer names its base: a registered endpoint's or an openai: spec's model
 * id; any other name as it is. The registry is read once per verdict (when a name needs it), not
 * once per pair compared.
 */
function modelIds(): (model: string) => string {
  let endpoints: Map<string, string> | undefined;
  const specOf = (model: string): string | undefined => {
    try {
      endpoints ??= new Map(new ModelRegistry().endpoints().map((e) => [e.name, e.spec]));
    } catch {
      endpoints = new Map(); // an unreadable registry: only names are left to match
    }
    return endpoints.get(model);
  };
  return (model) => parseOpenAISpec(specOf(model) ?? model)?.model ?? model;
}

/** `real-trial`: a trial on the real arm, marked by the operator. */
export function verdictOfRealTrial(check: Check<'real-trial'>, dbPath: string, shown: string): Verdict {
  return withDataset(dbPath, shown, (db) => {
    const rows = db
      .prepare(
        "SELECT e.task, e.success FROM episodes e JOIN runs r ON r.id = e.run_id WHERE r.purpose = 'real'",
      )
      .all() as { task: string; success: number }[];
    const trials = rows.filter((r) => !check.task || r.task === check.task);
    const wanted = trials.filter((r) => Boolean(r.success) === check.success);
    if (wanted.length > 0)
      return met(
        `${shown} has ${wanted.length} real trial${wanted.length === 1 ? '' : 's'} marked ${check.success ? 'a success' : 'a failure'}`,
      );
    return notMet(
      'not-yet',
      `${shown} has ${trials.length} real trial${trials.length === 1 ? '' : 's'}${check.task ? ` of ${check.task}` : ''}, none marked ${check.success ? 'a success' : 'a failure'}`,
    );
  });
}

function withDataset(path: string, shown: string, read: (db: Db) => Verdict): Verdict {
  let db: Db;
  try {
    db = openDataset(path, { readonly: true });
  } catch (err) {
    if (err instanceof DatasetError && err.kind === 'no-dataset')
      return notMet('not-yet', `there is no dataset at ${shown} yet: make one on the Generate screen`);
    throw err;
  }
  try {
    return read(db);
  } finally {
    db.close();
  }
}

function parseNumber(answer: string | undefined): number | undefined {
  if (answer === undefined) return undefined;
  const text = answer.trim().replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
const pct = (x: number): string => `${Math.round(x * 100)}%`;
