// Lessons: the course (each lesson's time, goals, needs and the student's progress), a lesson's
// pages with their exercises, and for the teacher the class's table. A step that uses another
// screen opens it with the lesson panel beside it (LessonDock), so the student reads while working.
import { useState } from 'react';
import type { LessonProgress, LessonSummary } from '../../api/types.ts';
import { useLab } from '../lab-context.tsx';
import { nameProblem, useLessons } from '../lesson-context.tsx';
import { useWhenShown } from '../navigation.tsx';
import { LessonPage } from '../components/LessonStep.tsx';
import { ClassTable } from '../components/ClassTable.tsx';
import { EmptyState, ErrorBox, Segmented } from '../components/common.tsx';

/** The teacher's tabs: the course as students see it, and the class's progress. */
const TABS = [
  { value: 'course', label: 'Course', testId: 'lessons-tab-course' },
  { value: 'class', label: 'Class', testId: 'lessons-tab-class' },
] as const;

export function Lessons() {
  const { info } = useLab();
  const lessons = useLessons();
  const [tab, setTab] = useState<(typeof TABS)[number]['value']>('course');
  useWhenShown('lessons', () => {
    if (!lessons.lessonId) lessons.refreshCourse();
  });
  return (
    <div className="screen lessons-screen">
      <div className="lessons-bar">
        <StudentBar />
        {info.teacher && <Segmented tabs options={TABS} value={tab} onChange={setTab} />}
      </div>
      {tab === 'class' && info.teacher ? <ClassTable /> : lessons.lessonId ? <LessonView /> : <CourseList />}
    </div>
  );
}

/** Who the work is checked for: a class link's student (fixed), or a name typed on this machine. */
function StudentBar() {
  const { changeStudent } = useLab();
  const { classStudent, student, localName, setLocalName } = useLessons();
  if (classStudent)
    return (
      <div className="student-bar" data-testid="student-bar">
        You are <strong data-testid="student-name">{student}</strong>
        {changeStudent && (
          <button type="button" className="link" onClick={changeStudent} data-testid="not-you">
            not you?
          </button>
        )}
      </div>
    );
  const problem = localName ? nameProblem(localName) : undefined;
  return (
    <div className="student-bar">
      <label className="inline-field">
        <span>Your name</span>
        <input
          value={localName}
          onChange={(e) => setLocalName(e.target.value)}
          placeholder="your progress is kept under it"
          maxLength={40}
          data-testid="local-student"
        />
      </label>
      {problem && (
        <span className="bad" role="alert">
          {problem}
        </span>
      )}
      {!localName && <span className="muted">Type your name to have your work checked and kept.</span>}
    </div>
  );
}

function progressText(p: LessonProgress | undefined, lesson: LessonSummary): string {
  if (lesson.checks === 0) return 'reading only';
  return `${p?.done ?? 0} of ${p?.total ?? lesson.checks} checks`;
}

function CourseList() {
  const { course, courseError, openLesson, student } = useLessons();
  const { info } = useLab();
  if (courseError) return <ErrorBox error={courseError} />;
  if (!course) return <EmptyState title="Loading the course…" />;
  if (course.lessons.length === 0)
    return (
      <EmptyState title="No lessons yet">
        Lessons are the Markdown files in the lab's <code>lessons/</code> folder.
      </EmptyState>
    );
  return (
    <div className="course" data-testid="course">
      <h2>The course</h2>
      <p className="muted">
        From running a task to a fine-tuned student that beats its teacher.
        {student ? ` Progress of ${student}.` : ''}
      </p>
      <ol className="course-list">
        {course.lessons.map((lesson) => {
          const p = course.progress[lesson.id];
          const share = lesson.checks ? (p?.done ?? 0) / lesson.checks : 0;
          return (
            <li
              key={lesson.id}
              className={`lesson-card${p?.complete && lesson.checks > 0 ? ' complete' : ''}`}
              data-testid={`lesson-${lesson.id}`}
            >
              <div className="lesson-card-head">
                <span className="lesson-order">{lesson.order}</span>
                <strong className="lesson-title">{lesson.title}</strong>
                <span className="muted">{lesson.minutes} min</span>
                {lesson.optional && <span className="badge">optional</span>}
                {lesson.needs.map((n) => (
                  <span key={n} className="badge need" title={NEED_TITLES[n]}>
                    needs {n === 'arm' ? 'the real arm' : 'a model'}
                  </span>
                ))}
              </div>
              <ul className="goals">
                {lesson.goals.map((g) => (
                  <li key={g}>{g}</li>
                ))}
              </ul>
              <div className="lesson-card-foot">
                <span className="progress-track" aria-hidden="true">
                  <span className="progress-fill" style={{ width: `${Math.round(100 * share)}%` }} />
                </span>
                <span className="muted" data-testid="lesson-progress">
                  {p?.complete && lesson.checks > 0 ? '✓ complete' : progressText(p, lesson)}
                </span>
                <button
                  type="button"
                  className={p?.complete ? '' : 'primary'}
                  onClick={() => openLesson(lesson.id)}
                  data-testid={`open-lesson-${lesson.id}`}
                >
                  {p?.complete ? 'Open again' : (p?.done ?? 0) > 0 ? 'Continue' : 'Start'}
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      {!info.student && course.problems.length > 0 && (
        <div className="lesson-problems">
          <h3>Lesson files the lab refused</h3>
          <ul>
            {course.problems.map((p) => (
              <li key={`${p.file}:${p.line}`}>
                <code>
                  {p.file}:{p.line}
                </code>
                {p.field ? ` (${p.field})` : ''}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

const NEED_TITLES = {
  model: 'a local model or an endpoint; the built-in tiny model will do',
  arm: 'a real SO-100 arm connected to the lab',
};

/** A lesson: its pages in a list beside the page on show. */
function LessonView() {
  const { lesson, lessonError, closeLesson, page, setPage, progress } = useLessons();
  if (lessonError)
    return (
      <div className="stage padded">
        <ErrorBox error={lessonError} />
        <button type="button" onClick={closeLesson}>
          ← All lessons
        </button>
      </div>
    );
  if (!lesson) return <EmptyState title="Loading the lesson…" />;
  return (
    <div className="lesson-view">
      <nav className="panel lesson-steps" aria-label="steps">
        <button type="button" className="link" onClick={closeLesson} data-testid="all-lessons">
          ← All lessons
        </button>
        <h2 data-testid="lesson-title">{lesson.title}</h2>
        <p className="muted" data-testid="lesson-view-progress">
          {progress?.complete ? '✓ complete' : `${progress?.done ?? 0} of ${lesson.checks} checks`}
        </p>
        <ol className="step-list">
          <li>
            <button type="button" className={page === 0 ? 'on' : ''} onClick={() => setPage(0)}>
              Introduction
            </button>
          </li>
          {lesson.steps.map((s, i) => {
            const met = progress?.steps[s.id]?.met === true;
            return (
              <li key={s.id}>
                <button
                  type="button"
                  className={`${page === i + 1 ? 'on' : ''}${met ? ' met' : ''}`}
                  onClick={() => setPage(i + 1)}
                  data-testid={`step-link-${s.id}`}
                >
                  <span className="step-state">{s.check ? (met ? '✓' : '○') : '·'}</span>
                  {s.title}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      <main className="lesson-main">
        <LessonPage />
      </main>
    </div>
  );
}
