// Training sets: a named snapshot of which episodes a student learns from, kept in the dataset so
// every adapter traces back to the exact episodes (and, for preference training, the failures) it
// saw. Only verified successes with a stored prompt and answer qualify, from training tasks, never
// from evaluation runs. The files a trainer reads (OpenAI chat JSONL, DPO JSONL) are written from
// the snapshot, so writing them again later gives the same lines.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Db } from '../dataset/open-dataset.ts';
import { datasetPath } from '../dataset/open-dataset.ts';
import { isValidationScene } from '../dataset/export.ts';
import { refuseDatasetAsOutput, writeOutputs } from '../dataset/outputs.ts';
import { chatLine, preferenceLine } from '../dataset/chat-lines.ts';
import { TrainError } from './errors.ts';
import type {
  ChatMessage,
  TrainingSetSelection,
  TrainingSetSummary,
  TrainMethodName,
} from '../../api/types.ts';

export interface TrainingSetRequest {
  name: string;
  method: TrainMethodName;
  tasks?: string[];
  maxPerTask?: number;
  validation?: number;
  seed?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

interface Candidate {
  id: number;
  task: string;
  seed: number;
  rejected: number | null;
}

/** Episodes that can teach: verified successes with prompt and answer, uncut, from generation runs. */
const LEARNABLE = `e.success = 1 AND e.split = 'train' AND e.prompt IS NOT NULL AND e.answer IS NOT NULL
  AND (e.cut IS NULL OR (instr(e.cut, '"prompt"') = 0 AND instr(e.cut, '"answer"') = 0))
  AND e.run_id IN (SELECT id FROM runs WHERE purpose = 'generate')`;

export function createTrainingSet(db: Db, request: TrainingSetRequest): TrainingSetSummary {
  const selection: TrainingSetSelection = {
    tasks: [...new Set(request.tasks ?? [])].sort(),
    maxPerTask: request.maxPerTask ?? 0,
    validation: request.validation ?? 0.1,
    seed: request.seed ?? 0,
  };
  if (!NAME.test(request.name))
    throw new TrainError(
      `training set name '${request.name}' must be letters, digits, '.', '_' or '-' (at most 64)`,
    );
  if (!(selection.validation >= 0 && selection.validation < 1))
    throw new TrainError('the validation share must be in [0, 1)');
  if (!Number.isInteger(selection.maxPerTask) || selection.maxPerTask < 0)
    throw new TrainError('the most examples per task must be a whole number (0: all)');
  if (db.prepare('SELECT 1 FROM training_sets WHERE name = ?').get(request.name))
    throw new TrainError(`a training set named '${request.name}' already exists in ${datasetPath(db)}`);

  const candidates = chooseEpisodes(db, request.method, selection);
  if (candidates.length === 0) throw new TrainError(emptySetMessage(db, request.method, selection));

  return db.transaction(() => {
    const setId = Number(
      db
        .prepare('INSERT INTO training_sets (name, method, selection, created_at) VALUES (?, ?, ?, ?)')
        .run(request.name, request.method, JSON.stringify(selection), Date.now()).lastInsertRowid,
    );
    const add = db.prepare(
      'INSERT INTO training_set_examples (set_id, episode_id, rejected_id, part) VALUES (?, ?, ?, ?)',
    );
    for (const c of candidates)
      add.run(
        setId,
        c.id,
        c.rejected,
        isValidationScene(c.task, c.seed, selection.validation) ? 'validation' : 'train',
      );
    return showTrainingSet(db, request.name);
  })();
}

/** The chosen episodes: per task, ordered by a seeded hash (a fair sample), cut at maxPerTask. */
function chooseEpisodes(db: Db, method: TrainMethodName, selection: TrainingSetSelection): Candidate[] {
  const taskFilter = selection.tasks.length
    ? `AND e.task IN (${selection.tasks.map(() => '?').join(', ')})`
    : '';
  // DPO needs a failure with an answer on the same scene; the first one found is the rejected answer.
  const rejected =
    method === 'dpo'
      ? `(SELECT MIN(f.id) FROM episodes f WHERE f.task = e.task AND f.arm = e.arm AND f.seed = e.seed
           AND f.success = 0 AND f.answer IS NOT NULL AND f.prompt IS NOT NULL)`
      : 'NULL';
  const rows = db
    .prepare(
      `SELECT e.id, e.task, e.seed, ${rejected} AS rejected FROM episodes e
       WHERE ${LEARNABLE} ${taskFilter} ORDER BY e.id`,
    )
    .all(...selection.tasks) as Candidate[];
  const usable = method === 'dpo' ? rows.filter((r) => r.rejected !== null) : rows;
  const order = (id: number): string => createHash('sha256').update(`${selection.seed}/${id}`).digest('hex');
  const byTask = new Map<string, Candidate[]>();
  for (const row of usable) byTask.set(row.task, [...(byTask.get(row.task) ?? []), row]);
  const chosen: Candidate[] = [];
  for (const rowsOfTask of byTask.values()) {
    rowsOfTask.sort((a, b) => order(a.id).localeCompare(order(b.id)));
    chosen.push(...(selection.maxPerTask ? rowsOfTask.slice(0, selection.maxPerTask) : rowsOfTask));
  }
  return chosen.sort((a, b) => a.id - b.id);
}

/** Say why nothing qualified, in the terms a user can act on. */
function emptySetMessage(db: Db, method: TrainMethodName, selection: TrainingSetSelection): string {
  const where = selection.tasks.length ? ` for ${selection.tasks.join(', ')}` : '';
  const successes = db
    .prepare(
      `SELECT COUNT(*) FROM episodes WHERE success = 1 AND split = 'train'${
        selection.tasks.length ? ` AND task IN (${selection.tasks.map(() => '?').join(', ')})` : ''
      }`,
    )
    .pluck()
    .get(...selection.tasks) as number;
  if (successes === 0)
    return `${datasetPath(db)} has no successful episodes${where}: generate data first (lab generate)`;
  if (method === 'dpo')
    return `no scene${where} has both a success and a failed answer: preference pairs need both (generate with a model teacher and --samples 2 or more)`;
  return `none of the ${successes} successful episodes${where} carries a prompt and an answer to learn from: scripted episodes of tasks without a reference answer have no program text (use a model teacher, or a task with a reference answer)`;
}

export function listTrainingSets(db: Db): TrainingSetSummary[] {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'training_sets'").get()) return []; // older than schema 7
  const names = db.prepare('SELECT name FROM training_sets ORDER BY id').pluck().all() as string[];
  return names.map((name) => showTrainingSet(db, name));
}

export function showTrainingSet(db: Db, name: string): TrainingSetSummary {
  const row = db.prepare('SELECT * FROM training_sets WHERE name = ?').get(name) as
    { id: number; name: string; method: TrainMethodName; selection: string; created_at: number } | undefined;
  if (!row)
    throw new TrainError(`no training set named '${name}' in ${datasetPath(db)} (see lab train sets)`);
  const parts = db
    .prepare('SELECT part, COUNT(*) AS n FROM training_set_examples WHERE set_id = ? GROUP BY part')
    .all(row.id) as { part: string; n: number }[];
  const perTask = db
    .prepare(
      `SELECT e.task, COUNT(*) AS n FROM training_set_examples x JOIN episodes e ON e.id = x.episode_id
       WHERE x.set_id = ? GROUP BY e.task ORDER BY e.task`,
    )
    .all(row.id) as { task: string; n: number }[];
  return {
    id: row.id,
    name: row.name,
    method: row.method,
    selection: JSON.parse(row.selection) as TrainingSetSelection,
    train: parts.find((p) => p.part === 'train')?.n ?? 0,
    validation: parts.find((p) => p.part === 'validation')?.n ?? 0,
    perTask: Object.fromEntries(perTask.map((t) => [t.task, t.n])),
    createdAt: row.created_at,
  };
}

export interface TrainingFiles {
  train: string;
  /** Absent when the set has no validation examples. */
  validation?: string;
  trainExamples: number;
  validationExamples: number;
}

/**
 * Write the set as the files trainers read: `train.jsonl` and `validation.jsonl` in `dir`, OpenAI
 * chat lines ({messages}) for supervised sets, OpenAI DPO lines for preference sets.
 */
export async function writeTrainingFiles(db: Db, name: string, dir: string): Promise<TrainingFiles> {
  const set = showTrainingSet(db, name);
  const paths = [join(dir, 'train.jsonl'), join(dir, 'validation.jsonl')];
  refuseDatasetAsOutput(datasetPath(db), paths);
  const counts = { train: 0, validation: 0 };
  await writeOutputs(paths, async ([train, validation]) => {
    const rows = db
      .prepare(
        `SELECT x.part, s.prompt, s.answer, f.answer AS rejected FROM training_set_examples x
         JOIN episodes s ON s.id = x.episode_id LEFT JOIN episodes f ON f.id = x.rejected_id
         WHERE x.set_id = ? ORDER BY x.episode_id`,
      )
      .iterate(set.id) as IterableIterator<{
      part: 'train' | 'validation';
      prompt: string;
      answer: string;
      rejected: string | null;
    }>;
    for (const row of rows) {
      const prompt = JSON.parse(row.prompt) as ChatMessage[];
      const line =
        set.method === 'dpo'
          ? preferenceLine(prompt, row.answer, row.rejected ?? '')
          : chatLine(prompt, row.answer);
      await (row.part === 'train' ? train : validation).write(JSON.stringify(line) + '\n');
      counts[row.part]++;
    }
  });
  return {
    train: paths[0],
    ...(counts.validation ? { validation: paths[1] } : {}),
    trainExamples: counts.train,
    validationExamples: counts.validation,
  };
}
