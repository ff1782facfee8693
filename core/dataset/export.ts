// Exports for fine-tuning and analysis: OpenAI chat JSONL of successes (with a deterministic
// train/validation split by scene), preference pairs (a success and a failure on the same scene)
// and CSV of episodes. Rows stream from SQLite, so a million episodes never sit in memory. Every
// export writes a temporary file and renames it into place (outputs.ts): a failure or a kill leaves
// the previous export as it was, and a path naming the dataset itself is refused.
import { csvField } from '../files/csv.ts';
import { createHash } from 'node:crypto';
import { datasetPath, type Db } from './open-dataset.ts';
import { DatasetError } from './errors.ts';
import { refuseDatasetAsOutput, writeOutputs } from './outputs.ts';
import { chatLine, preferenceLine } from './chat-lines.ts';
import type { ChatExportResult, ChatMessage } from '../../api/types.ts';

interface Row {
  id: number;
  task: string;
  split: string;
  arm: string;
  seed: number;
  prompt: string | null;
  answer: string | null;
  program: string | null;
  success: number;
  failure_kind: string | null;
  reason: string;
  model: string | null;
  created_at: number;
}

/** Which scenes go to validation: a hash of task and seed, so the split is stable across exports. */
export function isValidationScene(task: string, seed: number, fraction: number): boolean {
  return createHash('sha256').update(`${task}/${seed}`).digest().readUInt32LE(0) / 2 ** 32 < fraction;
}

export async function exportChatJsonl(
  db: Db,
  trainPath: string,
  validationPath: string,
  validationFraction = 0.1,
): Promise<ChatExportResult> {
  if (!(validationFraction >= 0 && validationFraction < 1))
    throw new DatasetError('bad-input', 'the validation fraction must be in [0, 1)');
  refuseDatasetAsOutput(datasetPath(db), [trainPath, validationPath]);
  const result: ChatExportResult = { train: 0, validation: 0, skipped: 0, cut: 0 };
  const cutColumn = hasCutColumn(db) ? 'e.cut' : 'NULL';
  await writeOutputs([trainPath, validationPath], async ([train, validation]) => {
    const rows = db
      .prepare(
        `SELECT e.id, e.task, e.seed, e.prompt, e.answer, ${cutColumn} AS cut FROM episodes e
         WHERE e.success = 1 AND e.split = 'train' ${fromGenerationRuns(db, 'e')} ORDER BY e.id`,
      )
      .iterate() as IterableIterator<
      Pick<Row, 'id' | 'task' | 'seed' | 'prompt' | 'answer'> & { cut: string | null }
    >;
    for (const row of rows) {
      if (!row.prompt || !row.answer) {
        result.skipped++;
        continue;
      }
      if (wasCut(row.cut, ['prompt', 'answer'])) {
        result.cut++;
        continue;
      }
      const { messages } = chatLine(JSON.parse(row.prompt) as ChatMessage[], row.answer);
      const toValidation = isValidationScene(row.task, row.seed, validationFraction);
      await (toValidation ? validation : train).write(JSON.stringify({ messages }) + '\n');
      if (toValidation) result.validation++;
      else result.train++;
    }
  });
  return result;
}

/** Preference pairs: for each scene with both, a successful answer (chosen) and a failed one (rejected). */
export async function exportPreferencePairs(db: Db, path: string): Promise<number> {
  refuseDatasetAsOutput(datasetPath(db), [path]);
  // Leave out answers whose prompt or answer was cut when stored.
  const uncut = hasCutColumn(db)
    ? `AND (cut IS NULL OR (instr(cut, '"prompt"') = 0 AND instr(cut, '"answer"') = 0))`
    : '';
  let pairs = 0;
  await writeOutputs([path], async ([out]) => {
    const rows = db
      .prepare(
        `SELECT s.prompt AS prompt, s.answer AS chosen, f.answer AS rejected, f.failure_kind AS rejectedWhy
         FROM episodes s JOIN episodes f
           ON f.task = s.task AND f.arm = s.arm AND f.seed = s.seed AND f.success = 0 AND f.answer IS NOT NULL
         WHERE s.success = 1 AND s.answer IS NOT NULL AND s.prompt IS NOT NULL AND s.split = 'train'
           ${fromGenerationRuns(db, 's')} ${fromGenerationRuns(db, 'f')}
           AND f.id = (SELECT MIN(id) FROM episodes WHERE task = s.task AND arm = s.arm AND seed = s.seed AND success = 0 AND answer IS NOT NULL ${uncut})
           AND s.id = (SELECT MIN(id) FROM episodes WHERE task = s.task AND arm = s.arm AND seed = s.seed AND success = 1 AND answer IS NOT NULL ${uncut})`,
      )
      .iterate() as IterableIterator<{
      prompt: string;
      chosen: string;
      rejected: string;
      rejectedWhy: string | null;
    }>;
    for (const row of rows) {
      const line = {
        ...preferenceLine(JSON.parse(row.prompt) as ChatMessage[], row.chosen, row.rejected),
        rejected_because: row.rejectedWhy,
      };
      await out.write(JSON.stringify(line) + '\n');
      pairs++;
    }
  });
  return pairs;
}

const CSV_COLUMNS = [
  'id',
  'task',
  'split',
  'arm',
  'seed',
  'sample',
  'success',
  'failure_kind',
  'reason',
  'model',
  'tokens',
  'sim_seconds',
  'wall_seconds',
  'created_at',
] as const;

export async function exportCsv(db: Db, path: string): Promise<number> {
  refuseDatasetAsOutput(datasetPath(db), [path]);
  let count = 0;
  await writeOutputs([path], async ([out]) => {
    await out.write(CSV_COLUMNS.join(',') + '\n');
    for (const row of db
      .prepare(`SELECT ${CSV_COLUMNS.join(', ')} FROM episodes ORDER BY id`)
      .iterate() as IterableIterator<Record<string, unknown>>) {
      await out.write(CSV_COLUMNS.map((c) => csvField(row[c])).join(',') + '\n');
      count++;
    }
  });
  return count;
}

/** Evaluation runs measure a model; their episodes are never training data. */
function fromGenerationRuns(db: Db, alias: string): string {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('runs') as string[];
  return columns.includes('purpose')
    ? `AND ${alias}.run_id IN (SELECT id FROM runs WHERE purpose = 'generate')`
    : ''; // a dataset older than schema 7 has generation runs only
}

function hasCutColumn(db: Db): boolean {
  return (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('episodes') as string[]).includes(
    'cut',
  );
}

function wasCut(cut: string | null, fields: string[]): boolean {
  return cut !== null && (JSON.parse(cut) as string[]).some((f) => fields.includes(f));
}
