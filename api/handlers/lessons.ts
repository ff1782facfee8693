// Lessons: the course, one lesson's steps, checking a step's exercise (core runs the program,
// reads the scene or the student's dataset), and the teacher's table. Who the student is: a class
// link's student is fixed by their connection; the operator and the teacher name one.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { looksLikePath } from '../../core/llm/model-registry.ts';
import type { Lesson, LessonCheckResult, StudentRow } from '../types.ts';
import type { CallContext, Handlers } from '../dispatch.ts';
import type { ParsedInput } from '../contract.ts';
import { ApiError } from '../errors.ts';
import { LabError } from '../../core/errors.ts';
import { filePath, filesOf } from '../access.ts';
import { labHome } from '../../core/paths.ts';
import { findLesson, loadCourse } from '../../core/lessons/course.ts';
import { viewOf, type CheckParams } from '../../core/lessons/check-kinds.ts';
import type { ParsedLesson, ParsedStep } from '../../core/lessons/parse-lesson.ts';
import { LessonError } from '../../core/lessons/lesson-errors.ts';
import {
  lessonProgress,
  listStudents,
  readStudent,
  recordCheck,
  studentFolder,
} from '../../core/lessons/students.ts';
import {
  verdictOfChoice,
  verdictOfDataset,
  verdictOfEvaluation,
  verdictOfFindEpisode,
  verdictOfRealTrial,
  verdictOfRun,
  verdictOfSceneValue,
  type Verdict,
} from '../../core/lessons/check-evaluate.ts';
import { findTask } from '../../core/tasks/registry.ts';
import { EpisodeSession } from '../../core/episode/session.ts';
import { solveTask } from '../../core/planner/solve.ts';
import { sharedSandbox } from '../resources.ts';
import { withSolver } from './solvers.ts';
import { classroomCsv } from '../../core/lessons/classroom-csv.ts';

export const handlers: Handlers<'lessons'> = {
  'lessons.list': async ({ student }, context) => {
    const course = await loadCourse();
    const who = studentOf(context, student, { optional: true });
    const record = who === undefined ? undefined : readStudent(labHome(), who);
    return {
      lessons: course.lessons.map((l) => l.summary),
      problems: course.problems,
      ...(who !== undefined ? { student: record!.student } : {}),
      progress: record
        ? Object.fromEntries(course.lessons.map((l) => [l.summary.id, lessonProgress(l, record)]))
        : {},
    };
  },

  'lessons.get': async ({ lesson: id, student }, context) => {
    const lesson = findLesson(await loadCourse(), id);
    const who = studentOf(context, student, { optional: true });
    return {
      lesson: lessonView(lesson),
      ...(who !== undefined ? { progress: lessonProgress(lesson, readStudent(labHome(), who)) } : {}),
    };
  },

  'lessons.check': async (input, context) => {
    const who = studentOf(context, input.student, { optional: false })!;
    const lesson = findLesson(await loadCourse(), input.lesson);
    const step = lesson.steps.find((s) => s.id === input.step);
    if (!step)
      throw new LessonError(
        'no-step',
        `lesson ${lesson.summary.id} has no step '${input.step}'; its steps are ${lesson.steps.map((s) => s.id).join(', ')}`,
      );
    if (!step.check)
      throw new LessonError('no-check', `step '${step.id}' of ${lesson.summary.id} has nothing to check`);
    const { verdict, episode } = await evaluate(step.check, input, context, who);
    const record = recordCheck(labHome(), who, { lesson: lesson.summary.id, step: step.id }, verdict);
    const result: LessonCheckResult = {
      met: verdict.met,
      message: verdict.message,
      ...(verdict.failure ? { failure: verdict.failure } : {}),
      hints: verdict.met ? [] : hintsFor(step, verdict.failure?.kind),
      progress: lessonProgress(lesson, record),
      ...(episode ? { episode } : {}),
    };
    return result;
  },

  'lessons.classroom': async (_input, context) => {
    if (!(context.shell.local || context.shell.teacher))
      throw new ApiError(
        'forbidden',
        "the class's progress is for its teacher (lab serve's teacher link, or the lab's own machine)",
      );
    const course = await loadCourse();
    const students: StudentRow[] = listStudents(labHome()).map((record) => ({
      student: record.student,
      lessons: Object.fromEntries(
        course.lessons.map((l) => {
          const p = lessonProgress(l, record);
          return [l.summary.id, { done: p.done, total: p.total, complete: p.complete }];
        }),
      ),
      ...(record.problem ? { problem: record.problem } : {}),
      ...(record.lastFailure ? { lastFailure: record.lastFailure } : {}),
      ...(record.lastActive ? { lastActive: record.lastActive } : {}),
    }));
    const lessons = course.lessons.map((l) => l.summary);
    return { lessons, students, csv: classroomCsv(lessons, students) };
  },
};

/**
 * The student a call is about: a class link's own student (naming another is refused); else the
 * one the operator or teacher names (required to check a step).
 */
function studentOf(
  context: CallContext,
  named: string | undefined,
  { optional }: { optional: boolean },
): string | undefined {
  const own = context.shell.student;
  if (own !== undefined) {
    if (named !== undefined && named.trim().toLowerCase() !== own.trim().toLowerCase())
      throw new ApiError('forbidden', `you are ${own} in this class; another student's progress is theirs`);
    return own;
  }
  if (named === undefined && !optional)
    throw new ApiError(
      'bad-request',
      'name the student (a name, no account): their progress is kept under it',
    );
  return named;
}

function lessonView(lesson: ParsedLesson): Lesson {
  const figures: Record<string, string> = {};
  for (const [name, path] of Object.entries(lesson.figures)) {
    const type = name.endsWith('.svg') ? 'image/svg+xml' : 'image/png';
    figures[name] = `data:${type};base64,${readFileSync(path).toString('base64')}`;
  }
  return {
    ...lesson.summary,
    intro: lesson.intro,
    steps: lesson.steps.map((s) => ({
      id: s.id,
      title: s.title,
      markdown: s.markdown,
      ...(s.open ? { open: s.open } : {}),
      ...(s.starter ? { starter: s.starter } : {}),
      ...(s.check ? { check: viewOf(s.check) } : {}),
      hints: s.hints.length,
    })),
    figures,
  };
}

/** The hints for this failure: those written for its kind, then the step's general ones. */
function hintsFor(step: ParsedStep, kind: string | undefined): string[] {
  return [
    ...step.hints.filter((h) => h.failure !== undefined && h.failure === kind),
    ...step.hints.filter((h) => h.failure === undefined),
  ].map((h) => h.text);
}

/** The student's dataset: the one they name (inside their folder, for a class), else their own default. */
function datasetOf(
  context: CallContext,
  named: string | undefined,
  who: string,
): { path: string; shown: string } {
  const path =
    named !== undefined
      ? filePath(context, named, 'db')
      : (context.shell.defaultDb ??
        (context.shell.local
          ? join(labHome(), 'dataset.sqlite')
          : join(studentFolder(labHome(), who), 'dataset.sqlite')));
  return { path, shown: filesOf(context).show(path) };
}

async function evaluate(
  check: CheckParams,
  input: ParsedInput<'lessons.check'>,
  context: CallContext,
  who: string,
): Promise<{ verdict: Verdict; episode?: LessonCheckResult['episode'] }> {
  switch (check.kind) {
    case 'run':
      return runCheck(check, input, context);
    case 'scene-value': {
      const session = await EpisodeSession.open(await findTask(check.task), check.seed);
      try {
        return { verdict: verdictOfSceneValue(check, session.initialState, input.answer) };
      } finally {
        session.dispose();
      }
    }
    case 'choice':
      return { verdict: verdictOfChoice(check, input.answer) };
    case 'find-episode': {
      const { path, shown } = datasetOf(context, input.db, who);
      return { verdict: verdictOfFindEpisode(check, path, shown, input.episode) };
    }
    case 'dataset': {
      const { path, shown } = datasetOf(context, input.db, who);
      return { verdict: verdictOfDataset(check, path, shown) };
    }
    case 'evaluation': {
      const { path, shown } = datasetOf(context, input.db, who);
      return { verdict: verdictOfEvaluation(check, path, shown) };
    }
    case 'real-trial': {
      const { path, shown } = datasetOf(context, input.db, who);
      return { verdict: verdictOfRealTrial(check, path, shown) };
    }
  }
}

/** A file the student named by its path is missing (not a registered model's file gone: the lab's problem). */
function namedFileMissing(error: LabError, model: string | undefined): boolean {
  return error.kind === 'missing' && model !== undefined && looksLikePath(model);
}

async function runCheck(
  check: Extract<CheckParams, { kind: 'run' }>,
  input: ParsedInput<'lessons.check'>,
  context: CallContext,
): Promise<{ verdict: Verdict; episode?: LessonCheckResult['episode'] }> {
  if (check.solver === 'program' && (input.program === undefined || input.program.trim() === ''))
    return {
      verdict: {
        met: false,
        message: 'write a program first',
        failure: { kind: 'no-program', message: 'the program is empty' },
      },
    };
  if (check.solver === 'model' && input.model === undefined)
    throw new ApiError(
      'bad-request',
      'lessons.check: model: this step runs a model: name one (the tiny model will do)',
    );
  const solver =
    check.solver === 'program'
      ? ({ kind: 'program', source: input.program!, format: 'code' } as const)
      : check.solver === 'model'
        ? ({
            kind: 'model',
            model: input.model!,
            ...(input.adapter ? { adapter: input.adapter } : {}),
            format: input.format ?? 'json',
            temperature: 0,
            ...(input.threads ? { threads: input.threads } : {}),
          } as const)
        : ({ kind: check.solver } as const);
  let opened = false;
  return withSolver(solver, check.seed, context, async (spec) => {
    opened = true;
    const { result, attempt } = await solveTask(await findTask(check.task), check.seed, spec, {
      sandbox: sharedSandbox(),
      signal: context.signal,
    });
    return {
      verdict: verdictOfRun(check, result, attempt?.failure),
      episode: {
        success: result.success,
        reason: result.reason,
        trace: result.trace,
        ...(attempt?.program ? { program: attempt.program } : {}),
      },
    };
  }).catch((error: unknown) => {
    // A model name the lab does not know is the student's slip, not the lab's: a verdict with hints.
    if (
      !opened &&
      error instanceof LabError &&
      (error.kind === 'registry' || namedFileMissing(error, input.model))
    )
      return {
        verdict: {
          met: false,
          message: error.message,
          failure: { kind: 'no-model', message: error.message },
        },
      };
    throw error;
  });
}
