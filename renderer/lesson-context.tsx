// The lesson a student is working through, shared by the Lessons screen and the lesson panel that
// stays beside the other screens: who the student is, the course with their progress, the open
// lesson and step, and each step's latest verdict. The App provides it.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CallInput, CallResult } from '../api/contract.ts';
import type { Lesson, LessonCheckResult, LessonProgress } from '../api/types.ts';
import { useLab } from './lab-context.tsx';

const NAME_KEY = 'blazer-lab-student-name';

/** The server's rule for a student name (api/contract.ts studentName), to say what is wrong as they type. */
export function nameProblem(name: string): string | undefined {
  const n = name.trim();
  if (!n) return 'type your name';
  if (n.length > 40) return 'a name is at most 40 characters';
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._'-]*$/u.test(n))
    return "a name is letters, digits, spaces and . _ ' - (starting with a letter or digit)";
  return undefined;
}

type CheckInput = Omit<CallInput<'lessons.check'>, 'lesson' | 'step' | 'student'>;

export interface Lessons {
  /** The name progress is kept under: a class link's student, else the name typed here (when valid). */
  student?: string;
  /** A class link's student: their name is fixed by their connection. */
  classStudent: boolean;
  /** The name typed on this machine (not a class link), as typed. */
  localName: string;
  setLocalName: (name: string) => void;
  course?: CallResult<'lessons.list'>;
  courseError?: Error;
  refreshCourse: () => void;
  lessonId?: string;
  lesson?: Lesson;
  lessonError?: Error;
  /** The open lesson's progress for the student. */
  progress?: LessonProgress;
  /** 0 is the lesson's introduction; 1..n its steps. */
  page: number;
  setPage: (page: number) => void;
  openLesson: (id: string, page?: number) => void;
  closeLesson: () => void;
  /** Whether the lesson panel shows beside the other screens. */
  docked: boolean;
  setDocked: (docked: boolean) => void;
  /** The latest verdict of each step of the open lesson (by step id). */
  results: Record<string, LessonCheckResult>;
  /** The step being checked. */
  checking?: string;
  checkError?: { step: string; error: Error };
  check: (step: string, input: CheckInput) => Promise<void>;
  /** The step (lesson/step) the Simulator was last opened for: opening it again keeps the editor's program. */
  simulatorStep?: string;
  setSimulatorStep: (key: string) => void;
}

export const LessonsContext = createContext<Lessons | undefined>(undefined);

export function useLessons(): Lessons {
  const lessons = useContext(LessonsContext);
  if (!lessons) throw new Error('useLessons outside the lessons provider');
  return lessons;
}

export function LessonsProvider({ children }: { children: ReactNode }) {
  const { lab, info } = useLab();
  const classStudent = info.student !== undefined;
  const [localName, setLocalNameState] = useState(() => localStorage.getItem(NAME_KEY) ?? '');
  const student = info.student ?? (nameProblem(localName) ? undefined : localName.trim());
  const [course, setCourse] = useState<CallResult<'lessons.list'>>();
  const [courseError, setCourseError] = useState<Error>();
  const [lessonId, setLessonId] = useState<string>();
  const [lesson, setLesson] = useState<Lesson>();
  const [lessonError, setLessonError] = useState<Error>();
  const [progress, setProgress] = useState<LessonProgress>();
  const [page, setPage] = useState(0);
  const [docked, setDocked] = useState(true);
  const [results, setResults] = useState<Record<string, LessonCheckResult>>({});
  const [checking, setChecking] = useState<string>();
  const [checkError, setCheckError] = useState<{ step: string; error: Error }>();
  const [simulatorStep, setSimulatorStep] = useState<string>();
  const who = classStudent ? {} : student ? { student } : {};

  const refreshCourse = useCallback(() => {
    lab.call('lessons.list', who).then(
      (r) => {
        setCourse(r);
        setCourseError(undefined);
      },
      (err: Error) => setCourseError(err),
    );
  }, [lab, student]);
  useEffect(refreshCourse, [refreshCourse]);

  // The open lesson, and the student's progress in it; a new name starts from their own progress.
  useEffect(() => {
    setResults({});
    setCheckError(undefined);
    if (!lessonId) return;
    let live = true;
    lab.call('lessons.get', { lesson: lessonId, ...who }).then(
      (r) => {
        if (!live) return;
        setLesson(r.lesson);
        setProgress(r.progress);
        setLessonError(undefined);
      },
      (err: Error) => live && setLessonError(err),
    );
    return () => {
      live = false;
    };
  }, [lab, lessonId, student]);

  const check = useCallback(
    async (step: string, input: CheckInput): Promise<void> => {
      if (!lessonId) return;
      setChecking(step);
      setCheckError(undefined);
      try {
        const result = await lab.call('lessons.check', { lesson: lessonId, step, ...who, ...input });
        setResults((r) => ({ ...r, [step]: result }));
        setProgress(result.progress);
        setCourse((c) => c && { ...c, progress: { ...c.progress, [lessonId]: result.progress } });
      } catch (err) {
        setCheckError({ step, error: err as Error });
      } finally {
        setChecking(undefined);
      }
    },
    [lab, lessonId, student],
  );

  const value = useMemo<Lessons>(
    () => ({
      student,
      classStudent,
      localName,
      setLocalName: (name) => {
        setLocalNameState(name);
        localStorage.setItem(NAME_KEY, name);
      },
      course,
      courseError,
      refreshCourse,
      lessonId,
      lesson: lesson?.id === lessonId ? lesson : undefined,
      lessonError,
      progress: lesson?.id === lessonId ? progress : undefined,
      page,
      setPage,
      openLesson: (id, at = 0) => {
        if (id !== lessonId) {
          setLesson(undefined);
          setProgress(undefined);
        }
        setLessonId(id);
        setPage(at);
        setDocked(true);
      },
      closeLesson: () => {
        setLessonId(undefined);
        refreshCourse();
      },
      docked,
      setDocked,
      results,
      checking,
      checkError,
      check,
      simulatorStep,
      setSimulatorStep,
    }),
    [
      simulatorStep,
      student,
      localName,
      course,
      courseError,
      lessonId,
      lesson,
      lessonError,
      progress,
      page,
      docked,
      results,
      checking,
      checkError,
      check,
      refreshCourse,
    ],
  );
  return <LessonsContext.Provider value={value}>{children}</LessonsContext.Provider>;
}
