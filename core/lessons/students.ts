// Students: a name, no account. In a class each has a folder in the lab's data folder,
// <lab home>/students/<name>/, for every file they make (programs, datasets). Their progress is
// kept apart, in <lab home>/progress/<name>.json, where no file a student writes can land; it is
// written atomically.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LessonProgress, StepProgress } from '../../api/types.ts';
import { writeFileAtomicallySync } from '../files/atomic-write.ts';
import { withFileLock } from '../files/file-lock.ts';
import type { ParsedLesson } from './parse-lesson.ts';
import { LessonError } from './lesson-errors.ts';

export interface StudentRecord {
  /** The name as the student first typed it. */
  student: string;
  /** Why the progress file could not be read (the teacher's table shows it; the rest still does). */
  problem?: string;
  lessons: Record<string, Record<string, StepProgress>>;
  lastFailure?: { lesson: string; step: string; kind: string; message: string; at: number };
  lastActive?: number;
}

/** One student however they type their name: "Ada ", "ada" and "ADA" are the same student. */
export function studentKey(name: string): string {
  return name.trim().normalize('NFC').toLowerCase();
}

/** The student's folder: their name when it makes a plain folder name, else made plain and told apart by a hash. */
export function studentFolder(home: string, name: string): string {
  const key = studentKey(name);
  const plain = key.replace(/[^\p{L}\p{N}._-]+/gu, '_');
  const folder =
    plain === key ? plain : `${plain}-${createHash('sha256').update(key).digest('hex').slice(0, 6)}`;
  return join(home, 'students', folder);
}

/** Where a student's progress is kept: outside their folder, so no file of theirs can replace it. */
export function progressFile(home: string, name: string): string {
  return join(home, 'progress', `${basename(studentFolder(home, name))}.json`);
}

export function readStudent(home: string, name: string): StudentRecord {
  const file = progressFile(home, name);
  if (!existsSync(file)) return { student: name.trim(), lessons: {} };
  const record = parseRecord(file, name.trim());
  if (record.problem) throw new LessonError('bad-progress', record.problem);
  return record;
}

/** A student who joined a class appears in the teacher's table at once, with nothing done yet. */
export function joinStudent(home: string, name: string): void {
  mkdirSync(studentFolder(home, name), { recursive: true });
  const file = progressFile(home, name);
  if (existsSync(file)) return;
  mkdirSync(join(home, 'progress'), { recursive: true });
  withFileLock(file, () => {
    if (existsSync(file)) return; // a check of theirs on another thread got there first
    writeFileAtomicallySync(file, JSON.stringify({ student: name.trim(), lessons: {} }, null, 2) + '\n');
  });
}

/** Keep a check's verdict: a met step stays met; a failure is counted and remembered. */
export function recordCheck(
  home: string,
  name: string,
  where: { lesson: string; step: string },
  verdict: { met: boolean; failure?: { kind: string; message: string } },
  now = Date.now(),
): StudentRecord {
  mkdirSync(join(home, 'progress'), { recursive: true });
  // Two checks of one student at once (two tabs, two worker threads) must not lose either.
  return withFileLock(progressFile(home, name), () => {
    const record = readStudent(home, name);
    const steps = (record.lessons[where.lesson] ??= {});
    const step = (steps[where.step] ??= { met: false, attempts: 0 });
    step.attempts += 1;
    if (verdict.met && !step.met) {
      step.met = true;
      step.metAt = now;
    }
    if (!verdict.met && verdict.failure) {
      step.lastFailure = { ...verdict.failure, at: now };
      record.lastFailure = { ...where, ...verdict.failure, at: now };
    }
    record.lastActive = now;
    writeFileAtomicallySync(progressFile(home, name), JSON.stringify(record, null, 2) + '\n');
    return record;
  });
}

/** Every student with a progress file, by name; an unreadable file is a row with its problem. */
export function listStudents(home: string): StudentRecord[] {
  const root = join(home, 'progress');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.json'))
    .map((d) => parseRecord(join(root, d.name), d.name.slice(0, -'.json'.length)))
    .sort((a, b) => a.student.localeCompare(b.student));
}

/** A lesson's progress from a student's record: checked steps met, of the lesson's checks. */
export function lessonProgress(lesson: ParsedLesson, record: StudentRecord): LessonProgress {
  const kept = record.lessons[lesson.summary.id] ?? {};
  const steps: Record<string, StepProgress> = {};
  for (const step of lesson.steps) if (kept[step.id]) steps[step.id] = kept[step.id];
  const checked = lesson.steps.filter((s) => s.check);
  const done = checked.filter((s) => steps[s.id]?.met).length;
  return { lesson: lesson.summary.id, steps, done, total: checked.length, complete: done === checked.length };
}

function parseRecord(file: string, fallbackName: string): StudentRecord {
  const broken = (why: string): StudentRecord => ({
    student: fallbackName,
    lessons: {},
    problem: `${file} is not a progress file (${why}); move it aside to start this student afresh`,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return broken((err as Error).message);
  }
  const record = parsed as Partial<StudentRecord> | null;
  if (!record || typeof record !== 'object' || typeof record.lessons !== 'object' || record.lessons === null)
    return broken('no lessons');
  return {
    ...record,
    student: typeof record.student === 'string' ? record.student : fallbackName,
    lessons: record.lessons,
  };
}
