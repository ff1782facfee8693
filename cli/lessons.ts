// lab lessons list: the course and any lesson file the lab refused (file:line: field: why).
// lab lessons check <student> <lesson>: what the student has done in a lesson and what not; checks
// that need nothing from the student (their dataset, an evaluation, a real trial) are looked at now.
// lab lessons class [--csv FILE]: the teacher's table, every student × every lesson.
import { writeFileSync } from 'node:fs';
import { UsageError, text, type ParsedArgs } from './args.ts';
import { call } from './lab.ts';
import { print } from './print.ts';
import type { LessonProgress, LessonStep } from '../api/types.ts';

export async function lessonsCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  const json = flags.json === true;
  if (sub === 'list') {
    if (rest.length) throw new UsageError('lab lessons list takes no arguments');
    const course = await call('lessons.list', {});
    if (json) print(course, true);
    else {
      for (const l of course.lessons)
        process.stdout.write(
          `${String(l.order).padStart(2, '0')} ${l.id.padEnd(28)} ${String(l.minutes).padStart(3)} min  ${l.checks} checks${l.needs.length ? `  needs ${l.needs.join(', ')}` : ''}${l.optional ? '  (optional)' : ''}\n   ${l.title}\n`,
        );
      for (const p of course.problems)
        process.stderr.write(`refused ${p.file}:${p.line}: ${p.field ? `${p.field}: ` : ''}${p.message}\n`);
    }
    return course.problems.length ? 1 : 0;
  }
  if (sub === 'check') {
    const [student, lesson, ...extra] = rest;
    if (!student || !lesson || extra.length)
      throw new UsageError('lab lessons check <student> <lesson> (lab lessons list names the lessons)');
    const { lesson: view } = await call('lessons.get', { lesson, student });
    const db = text(flags, 'db');
    for (const step of view.steps)
      if (step.check && ['dataset', 'nothing'].includes(step.check.submit) && step.check.kind !== 'run')
        await call('lessons.check', { lesson, step: step.id, student, ...(db ? { db } : {}) });
    const { progress } = await call('lessons.get', { lesson, student });
    if (json) print({ lesson: view.id, student, progress }, true);
    else process.stdout.write(progressText(view.title, view.steps, progress!));
    return progress!.complete ? 0 : 1;
  }
  if (sub === 'class') {
    const table = await call('lessons.classroom', {});
    const csv = text(flags, 'csv');
    if (csv !== undefined) {
      writeFileSync(csv, table.csv);
      process.stderr.write(`wrote ${csv} (${table.students.length} students)\n`);
    }
    if (json) print(table, true);
    else if (csv === undefined) process.stdout.write(table.csv);
    return 0;
  }
  throw new UsageError(
    `lab lessons: ${sub === undefined ? 'say' : `unknown subcommand '${sub}';`} list, check or class`,
  );
}

function progressText(title: string, steps: LessonStep[], progress: LessonProgress): string {
  const lines = [
    `${title}: ${progress.done} of ${progress.total} checks done${progress.complete ? ' (complete)' : ''}`,
  ];
  for (const step of steps) {
    const kept = progress.steps[step.id];
    if (!step.check) {
      lines.push(`  ·  ${step.title}`);
      continue;
    }
    const mark = kept?.met ? 'done' : 'todo';
    const last =
      !kept?.met && kept?.lastFailure
        ? `  (last: ${kept.lastFailure.kind}: ${kept.lastFailure.message})`
        : '';
    const tries = kept?.attempts ? ` after ${kept.attempts} tr${kept.attempts === 1 ? 'y' : 'ies'}` : '';
    lines.push(`  ${mark} ${step.title}${kept?.met ? tries : ''}: ${step.check.describe}${last}`);
  }
  return lines.join('\n') + '\n';
}
