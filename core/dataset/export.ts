// Exports for fine-tuning and analysis: OpenAI chat JSONL of successes (with a deterministic
// train/validation split by scene), preference pairs (a success and a failure on the same scene)
// and CSV of episodes. Rows stream from SQLite, so a million episodes never sit in memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import type { Db } from './open-dataset.ts';
import { DatasetError } from './open-dataset.ts';

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

export interface ChatExportResult {
  train: number;
  validation: number;
  /** Successes without a prompt (scripted episodes): nothing to learn from as chat data. */
  skipped: number;
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
  const train = createWriteStream(trainPath);
  const validation = createWriteStream(validationPath);
  const result: ChatExportResult = { train: 0, validation: 0, skipped: 0 };
  const rows = db
    .prepare(
      `SELECT e.id, e.task, e.seed, e.prompt, e.answer FROM episodes e WHERE e.success = 1 AND e.split = 'train' ORDER BY e.id`,
    )
    .iterate() as IterableIterator<Pick<Row, 'id' | 'task' | 'seed' | 'prompt' | 'answer'>>;
  for (const row of rows) {
    if (!row.prompt || !row.answer) {
      result.skipped++;
      continue;
    }
    const messages = [
      ...(JSON.parse(row.prompt) as { role: string; content: string }[]),
      { role: 'assistant', content: row.answer },
    ];
    const toValidation = isValidationScene(row.task, row.seed, validationFraction);
    const out = toValidation ? validation : train;
    if (!out.write(JSON.stringify({ messages }) + '\n')) await once(out, 'drain');
    if (toValidation) result.validation++;
    else result.train++;
  }
  await Promise.all([close(train), close(validation)]);
  return result;
}

/** Preference pairs: for each scene with both, a successful answer (chosen) and a failed one (rejected). */
export async function exportPreferencePairs(db: Db, path: string): Promise<number> {
  const out = createWriteStream(path);
  const rows = db
    .prepare(
      `SELECT s.prompt AS prompt, s.answer AS chosen, f.answer AS rejected, f.failure_kind AS rejectedWhy
       FROM episodes s JOIN episodes f
         ON f.task = s.task AND f.arm = s.arm AND f.seed = s.seed AND f.success = 0 AND f.answer IS NOT NULL
       WHERE s.success = 1 AND s.answer IS NOT NULL AND s.prompt IS NOT NULL AND s.split = 'train'
         AND f.id = (SELECT MIN(id) FROM episodes WHERE task = s.task AND arm = s.arm AND seed = s.seed AND success = 0 AND answer IS NOT NULL)
         AND s.id = (SELECT MIN(id) FROM episodes WHERE task = s.task AND arm = s.arm AND seed = s.seed AND success = 1 AND answer IS NOT NULL)`,
    )
    .iterate() as IterableIterator<{
    prompt: string;
    chosen: string;
    rejected: string;
    rejectedWhy: string | null;
  }>;
  let pairs = 0;
  for (const row of rows) {
    const line = {
      input: { messages: JSON.parse(row.prompt) },
      preferred_output: [{ role: 'assistant', content: row.chosen }],
      non_preferred_output: [{ role: 'assistant', content: row.rejected }],
      rejected_because: row.rejectedWhy,
    };
    if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
    pairs++;
  }
  await close(out);
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
  const out = createWriteStream(path);
  out.write(CSV_COLUMNS.join(',') + '\n');
  let count = 0;
  for (const row of db
    .prepare(`SELECT ${CSV_COLUMNS.join(', ')} FROM episodes ORDER BY id`)
    .iterate() as IterableIterator<Record<string, unknown>>) {
    if (!out.write(CSV_COLUMNS.map((c) => csvField(row[c])).join(',') + '\n')) await once(out, 'drain');
    count++;
  }
  await close(out);
  return count;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function close(stream: NodeJS.WritableStream & { end(cb?: () => void): void }): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.end(() => resolve());
  });
}
