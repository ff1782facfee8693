// The course: every lessons/NN-<id>.md file, in order. Read afresh on each call (a few small
// files), so a teacher's new lesson appears without restarting the lab. A file that does not parse
// is listed as a problem (file, line, field), never silently dropped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LessonProblem } from '../../api/types.ts';
import { loadTasks } from '../tasks/registry.ts';
import { parseLesson, type ParsedLesson } from './parse-lesson.ts';
import { LessonError, LessonFormatError } from './lesson-errors.ts';

export const LESSONS_DIR = fileURLToPath(new URL('../../lessons/', import.meta.url));
const LESSON_FILE = /^(\d{2})-([a-z0-9][a-z0-9-]*)\.md$/;

export interface Course {
  lessons: ParsedLesson[];
  problems: LessonProblem[];
}

export async function loadCourse(dir = LESSONS_DIR): Promise<Course> {
  const taskIds = new Set((await loadTasks()).map((t) => t.id));
  const lessons: ParsedLesson[] = [];
  const problems: LessonProblem[] = [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort();
  for (const name of files) {
    const file = `lessons/${name}`;
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
      });
      checkTaskIds(lesson, taskIds);
      const twin = lessons.find((l) => l.summary.id === lesson.summary.id);
      if (twin)
        throw new LessonFormatError(
          file,
          1,
          'file name',
          `lesson id '${lesson.summary.id}' is also ${twin.summary.file}`,
        );
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
  return { lessons, problems };
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
