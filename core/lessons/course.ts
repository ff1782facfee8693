// The course: every lessons/NN-<id>.md file of the lab, then the teacher's own in <lab home>/lessons/
// (an installed app's folder is read-only; a teacher's file with a shipped lesson's id replaces it).
// Read afresh on each call (a few small files), so a new lesson appears without restarting the lab.
// A file that does not parse is listed as a problem (file, line, field), never silently dropped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LessonProblem } from '../../api/types.ts';
import { loadTasks } from '../tasks/registry.ts';
import { labHome } from '../paths.ts';
import { parseLesson, type ParsedLesson } from './parse-lesson.ts';
import { LessonError, LessonFormatError } from './lesson-errors.ts';

export const LESSONS_DIR = fileURLToPath(new URL('../../lessons/', import.meta.url));
const LESSON_FILE = /^(\d{2})-([a-z0-9][a-z0-9-]*)\.md$/;

export interface Course {
  lessons: ParsedLesson[];
  problems: LessonProblem[];
}

/** The lab's own lessons folder, then the teacher's. */
export function lessonFolders(): LessonFolder[] {
  const own = join(labHome(), 'lessons');
  return [
    { dir: LESSONS_DIR, shown: (name) => `lessons/${name}` },
    { dir: own, shown: (name) => join(own, name) },
  ];
}

export interface LessonFolder {
  dir: string;
  /** How messages name a file of it. */
  shown: (name: string) => string;
}

/** `figureDirs`: where else a figure a lesson names may be (the lab's own, for a teacher's copy). */
export async function loadCourse(folders = lessonFolders(), figureDirs = [LESSONS_DIR]): Promise<Course> {
  const taskIds = new Set((await loadTasks()).map((t) => t.id));
  const course: Course = { lessons: [], problems: [] };
  for (const folder of folders) readFolder(folder, taskIds, course, figureDirs);
  course.lessons.sort(
    (a, b) => a.summary.order - b.summary.order || a.summary.id.localeCompare(b.summary.id),
  );
  return course;
}

function readFolder(
  { dir, shown }: LessonFolder,
  taskIds: Set<string>,
  { lessons, problems }: Course,
  figureDirs: string[],
): void {
  if (!existsSync(dir)) return;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort();
  for (const name of files) {
    const file = shown(name);
    const match = LESSON_FILE.exec(name);
    if (!match) {
      problems.push({
        file,
        line: 1,
        field: 'file name',
        message: 'a lesson file is named NN-<id>.md (01-meet-the-robot.md)',
      });
      continue;
    }
    try {
      const lesson = parseLesson(file, readFileSync(join(dir, name), 'utf8'), {
        dir,
        order: Number(match[1]),
        id: match[2],
        figureDirs,
      });
      checkTaskIds(lesson, taskIds);
      const twin = lessons.findIndex((l) => l.summary.id === lesson.summary.id);
      if (twin >= 0 && lessons[twin].dir === dir)
        throw new LessonFormatError(
          file,
          1,
          'file name',
          `lesson id '${lesson.summary.id}' is also ${lessons[twin].summary.file}`,
        );
      if (twin >= 0) lessons.splice(twin, 1); // the teacher's version replaces the lab's
      lessons.push(lesson);
    } catch (err) {
      if (!(err instanceof LessonFormatError)) throw err;
      problems.push({
        file: err.file,
        line: err.line,
        ...(err.field ? { field: err.field } : {}),
        message: err.problem,
      });
    }
  }
}

export function findLesson(course: Course, id: string): ParsedLesson {
  const lesson = course.lessons.find((l) => l.summary.id === id);
  if (lesson) return lesson;
  const broken = course.problems.find((p) => p.file.endsWith(`-${id}.md`));
  if (broken)
    throw new LessonError(
      'lesson-format',
      `lesson '${id}' cannot be used: ${broken.file}:${broken.line}: ${broken.message}`,
    );
  throw new LessonError(
    'no-lesson',
    `no lesson '${id}'; the course has ${course.lessons.map((l) => l.summary.id).join(', ')}`,
  );
}

/** A task named in a check or an open block must exist: a typo would make the exercise impossible. */
function checkTaskIds(lesson: ParsedLesson, taskIds: Set<string>): void {
  for (const step of lesson.steps) {
    const named: [string | undefined, number][] = [
      [step.open?.task, step.line],
      [step.check && 'task' in step.check ? step.check.task : undefined, step.checkLine ?? step.line],
    ];
    for (const [task, line] of named)
      if (task !== undefined && !taskIds.has(task))
        throw new LessonFormatError(
          lesson.summary.file,
          line,
          'task',
          `no task '${task}' (lab tasks list names them)`,
        );
  }
}
