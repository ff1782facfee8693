// The lesson panel beside the other screens: the step the student is on, its exercise and verdict,
// while the Simulator (or the Dataset, Train... screen) the step uses is on show. It folds to a
// narrow tab and opens again from it.
import { useLessons } from '../lesson-context.tsx';
import { useNavigation } from '../navigation.tsx';
import { LessonPage } from './LessonStep.tsx';
import { ErrorBox } from './common.tsx';

export function LessonDock() {
  const { lesson, lessonId, lessonError, page, setPage, progress, docked, setDocked } = useLessons();
  const navigation = useNavigation();
  if (!lessonId) return null;
  if (!lesson)
    // The next lesson on its way: the panel stays where it is rather than blink out.
    return (
      <aside className="lesson-dock" aria-label="lesson" aria-busy={!lessonError}>
        {lessonError ? <ErrorBox error={lessonError} /> : <p className="muted">Loading the lesson…</p>}
      </aside>
    );
  if (!docked)
    return (
      <button
        type="button"
        className="lesson-dock-tab"
        onClick={() => setDocked(true)}
        title="Show the lesson"
        data-testid="lesson-dock-show"
      >
        Lesson: {lesson.title}
      </button>
    );
  return (
    <aside className="lesson-dock" data-testid="lesson-dock" aria-label="lesson">
      <div className="lesson-dock-head">
        <button
          type="button"
          className="link"
          onClick={() => navigation.open('lessons')}
          title="Back to the Lessons screen"
          data-testid="lesson-dock-back"
        >
          {lesson.title}
        </button>
        <button
          type="button"
          className="icon"
          onClick={() => setDocked(false)}
          title="Hide the lesson"
          aria-label="hide the lesson"
          data-testid="lesson-dock-hide"
        >
          ⟩
        </button>
      </div>
      <select
        value={page}
        onChange={(e) => setPage(Number(e.target.value))}
        aria-label="step"
        data-testid="lesson-dock-step"
      >
        <option value={0}>Introduction</option>
        {lesson.steps.map((s, i) => (
          <option key={s.id} value={i + 1}>
            {i + 1}. {s.title}
            {s.check ? (progress?.steps[s.id]?.met ? ' ✓' : '') : ''}
          </option>
        ))}
      </select>
      <LessonPage compact />
    </aside>
  );
}
