// A lesson's page (its introduction or one step) with the step's screen to open, its exercise and
// the verdict; the same page in the Lessons screen and in the panel beside the other screens.
import { useEffect, useRef, useState } from 'react';
import type { LessonCheckResult, LessonScreen, LessonStep, ProgramFormat } from '../../api/types.ts';
import { AdapterPicker, adaptersFor } from './AdapterPicker.tsx';
import { AnswerFormatPicker, ModelNameInput } from './ModelPicker.tsx';
import { useLab } from '../lab-context.tsx';
import { useLessons } from '../lesson-context.tsx';
import { useNavigation } from '../navigation.tsx';
import { useCall } from '../use-call.ts';
import { Markdown } from './Markdown.tsx';
import { ErrorBox, Field } from './common.tsx';

const SCREEN_TITLES: Record<LessonScreen, string> = {
  simulator: 'Simulator',
  dataset: 'Dataset',
  generate: 'Generate',
  train: 'Train',
  evaluate: 'Evaluate',
  models: 'Models',
  robot: 'Robot',
};

const programKey = (student: string, lesson: string, step: string): string =>
  `blazer-lab-program:${student}:${lesson}:${step}`;

/** The open lesson's page: `compact` in the panel beside another screen. */
export function LessonPage({ compact = false }: { compact?: boolean }) {
  const lessons = useLessons();
  const { lesson, page, setPage, progress } = lessons;
  if (!lesson) return null;
  const step = page > 0 ? lesson.steps[page - 1] : undefined;
  const met = (id: string): boolean => progress?.steps[id]?.met === true;
  return (
    <div
      className={`lesson-page${compact ? ' compact' : ''}`}
      data-testid="lesson-page"
      data-lesson={lesson.id}
      data-step={step?.id ?? ''}
    >
      {step ? (
        <>
          <h2 className="step-title" data-testid="step-title">
            <span className="step-number">
              {page}/{lesson.steps.length}
            </span>{' '}
            {step.title}
            {step.check && met(step.id) && (
              <span className="check-mark" title="done" data-testid="step-done">
                ✓
              </span>
            )}
          </h2>
          {/* The step's screen first: the text says "press Open in Simulator" long before it ends. */}
          <OpenButton step={step} />
          <Markdown text={step.markdown} figures={lesson.figures} testId="step-text" />
          {step.check && <CheckPanel key={`${lesson.id}/${step.id}`} step={step} />}
        </>
      ) : (
        <>
          <h2 className="step-title">{lesson.title}</h2>
          <p className="muted">
            About {lesson.minutes} minutes · {lesson.steps.length} steps, {lesson.checks} checked
            {lesson.needs.length > 0 && ` · needs ${lesson.needs.join(', ')}`}
          </p>
          <h3>You will</h3>
          <ul className="goals">
            {lesson.goals.map((g) => (
              <li key={g}>{g}</li>
            ))}
          </ul>
          <Markdown text={lesson.intro} figures={lesson.figures} testId="lesson-intro" />
        </>
      )}
      <div className="lesson-nav">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)} data-testid="step-prev">
          ← Back
        </button>
        {page < lesson.steps.length ? (
          <button
            type="button"
            className={step?.check && !met(step.id) ? '' : 'primary'}
            onClick={() => setPage(page + 1)}
            data-testid="step-next"
          >
            {page === 0 ? 'Start' : 'Next step'} →
          </button>
        ) : (
          <NextLesson />
        )}
      </div>
    </div>
  );
}

/** After the last step: the course's next lesson. */
function NextLesson() {
  const { course, lessonId, openLesson, progress } = useLessons();
  const at = course?.lessons.findIndex((l) => l.id === lessonId) ?? -1;
  const next = at >= 0 ? course?.lessons[at + 1] : undefined;
  return (
    <span className="row">
      {progress?.complete && (
        <span className="ok" data-testid="lesson-complete">
          Lesson complete
        </span>
      )}
      {next && (
        <button
          type="button"
          className="primary"
          onClick={() => openLesson(next.id)}
          data-testid="next-lesson"
        >
          Next lesson: {next.title} →
        </button>
      )}
    </span>
  );
}

/** The screen a step uses, filled in: the Simulator with its scene, solver and starter program. */
function OpenButton({ step }: { step: LessonStep }) {
  const navigation = useNavigation();
  const { student, lesson, lessonId, simulatorStep, setSimulatorStep } = useLessons();
  if (!step.open) return null;
  const { screen, ...scene } = step.open;
  const key = `${lessonId}/${step.id}`;
  /** The program last checked at this step, else (a step without a starter) at the nearest step before it. */
  const savedProgram = (): string | undefined => {
    if (!student || !lesson) return undefined;
    const at = lesson.steps.findIndex((s) => s.id === step.id);
    const own = localStorage.getItem(programKey(student, lesson.id, step.id));
    if (own !== null || step.starter !== undefined) return own ?? undefined;
    for (const earlier of lesson.steps.slice(0, at).reverse()) {
      const kept = localStorage.getItem(programKey(student, lesson.id, earlier.id));
      if (kept !== null) return kept;
    }
    return undefined;
  };
  const open = (fresh: boolean): void => {
    if (screen !== 'simulator') return navigation.open(screen);
    // Opening the same step again keeps what the student typed; so does a step without a starter
    // after another step of this lesson ("start from your program of the last step"). Otherwise
    // the step's kept or starter program (after a reload: the program they last checked).
    const sameLesson = simulatorStep?.startsWith(`${lessonId}/`) === true;
    const keep = simulatorStep === key || (step.starter === undefined && sameLesson);
    const program = fresh ? step.starter : keep ? undefined : (savedProgram() ?? step.starter);
    setSimulatorStep(key);
    navigation.simulate({ ...scene, ...(program !== undefined ? { program } : {}) });
  };
  return (
    <div className="open-screen">
      <button
        type="button"
        onClick={() => open(false)}
        data-testid="step-open"
        data-screen={screen}
        data-scene={scene.task && scene.seed !== undefined ? `${scene.task}/${scene.seed}` : undefined}
      >
        Open in {SCREEN_TITLES[screen]}
      </button>
      {screen === 'simulator' && step.starter !== undefined && simulatorStep === key && (
        <button type="button" className="link" onClick={() => open(true)} data-testid="step-starter">
          start over from the starter program
        </button>
      )}
      {screen === 'simulator' && scene.task && (
        <span className="muted">
          {scene.task}
          {scene.seed !== undefined ? ` · seed ${scene.seed}` : ''}
          {scene.solver ? ` · ${scene.solver === 'program' ? 'your program' : scene.solver}` : ''}
        </span>
      )}
    </div>
  );
}

/** The step's exercise: what to hand in (per `check.submit`), the button, the verdict. */
function CheckPanel({ step }: { step: LessonStep }) {
  const check = step.check!;
  const { info, db } = useLab();
  const navigation = useNavigation();
  const lessons = useLessons();
  const { student, lessonId, results, checking, checkError, progress } = lessons;
  const [answer, setAnswer] = useState('');
  const [episode, setEpisode] = useState('');
  const [model, setModel] = useState('');
  const [adapter, setAdapter] = useState('');
  const [format, setFormat] = useState<ProgramFormat>('json');
  const [problem, setProblem] = useState<string>();
  const models = useCall('models.list');
  const adapters = useCall('adapters.list');
  // Again on every change of screen: a model added or an adapter trained meanwhile must be offered.
  useEffect(() => {
    if (check.submit === 'model') {
      void models.run({});
      void adapters.run({});
    }
  }, [check.submit, navigation.current]);
  // Only an adapter made for the named model is offered (another base would be refused).
  const fitting = adaptersFor(adapters.result ?? [], models.result, model);
  const chosenAdapter = fitting.some((a) => a.name === adapter) ? adapter : '';
  const busy = checking === step.id;
  const result = results[step.id];
  const stepProgress = progress?.steps[step.id];
  // The dataset the other screens work on, when the student chose another than their own.
  const dataset = db && db !== info.defaultDb ? { db } : {};

  const submit = (): void => {
    setProblem(undefined);
    switch (check.submit) {
      case 'program': {
        const program = navigation.simulatorProgram();
        if (program === undefined || !program.trim())
          return setProblem(
            'Open the Simulator (the button above) and write your program in its editor first.',
          );
        if (student && lessonId) localStorage.setItem(programKey(student, lessonId, step.id), program);
        return void lessons.check(step.id, { program });
      }
      case 'number': {
        const n = answer.trim().replace(',', '.');
        if (!n || !Number.isFinite(Number(n))) return setProblem('Type a number, like 0.42 or -0.1.');
        return void lessons.check(step.id, { answer: n });
      }
      case 'choice':
        if (!answer) return setProblem('Pick one of the answers.');
        return void lessons.check(step.id, { answer });
      case 'episode': {
        const id = Number(episode);
        if (!Number.isInteger(id) || id <= 0)
          return setProblem("Type the episode's id (the number in the Dataset screen's first column).");
        return void lessons.check(step.id, { episode: id, ...dataset });
      }
      case 'model':
        if (!model.trim()) return setProblem('Name a model (the tiny model will do).');
        return void lessons.check(step.id, {
          model: model.trim(),
          ...(chosenAdapter ? { adapter: chosenAdapter } : {}),
          format,
        });
      case 'dataset':
        return void lessons.check(step.id, dataset);
      case 'nothing':
        return void lessons.check(step.id, {});
    }
  };

  return (
    <section
      className={`check-panel${stepProgress?.met ? ' met' : ''}`}
      data-testid="check-panel"
      data-met={stepProgress?.met ? 'true' : 'false'}
      data-submit={check.submit}
      data-attempts={stepProgress?.attempts ?? 0}
    >
      <h3>{stepProgress?.met ? '✓ Done' : 'Check'}</h3>
      <p className="check-describe" data-testid="check-describe">
        {check.describe}
      </p>
      {check.submit === 'choice' && (
        <div className="choices" role="radiogroup" data-testid="check-options">
          {(check.options ?? []).map((option) => (
            <label key={option} className={answer === option ? 'on' : ''}>
              <input
                type="radio"
                name={`choice-${lessonId}-${step.id}`}
                value={option}
                checked={answer === option}
                onChange={() => setAnswer(option)}
              />
              <Markdown text={option} />
            </label>
          ))}
        </div>
      )}
      {check.submit === 'number' && (
        <Field label="Your answer">
          <input
            inputMode="decimal"
            value={answer}
            onChange={(e) => setAnswer(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && submit()}
            placeholder="a number"
            data-testid="check-answer"
          />
        </Field>
      )}
      {check.submit === 'episode' && (
        <Field label="Episode id">
          <input
            inputMode="numeric"
            value={episode}
            onChange={(e) => setEpisode(e.target.value.replace(/[^\d]/g, ''))}
            onKeyDown={(e) => e.key === 'Enter' && submit()}
            placeholder="the id from the Dataset screen"
            data-testid="check-episode"
          />
        </Field>
      )}
      {check.submit === 'model' && (
        <>
          <ModelNameInput
            models={models.result}
            value={model}
            onChange={setModel}
            listId="lesson-model-names"
            testId="check-model"
          />
          <AdapterPicker
            adapters={fitting}
            value={chosenAdapter}
            onChange={setAdapter}
            testId="check-adapter"
          />
          <AnswerFormatPicker value={format} onChange={setFormat} testId="check-format" />
        </>
      )}
      {(check.submit === 'dataset' || check.submit === 'episode') && (
        <p className="muted">Looks in {dataset.db ? <code>{dataset.db}</code> : 'your dataset'}.</p>
      )}
      {check.submit === 'program' && (
        <p className="muted">Checks the program in the Simulator's editor on this step's scene.</p>
      )}
      {!student ? (
        <p className="muted" data-testid="check-needs-name">
          Type your name on the Lessons screen to have your work checked.
        </p>
      ) : (
        <button type="button" className="primary" disabled={busy} onClick={submit} data-testid="check">
          {busy ? 'Checking…' : CHECK_LABELS[check.submit]}
        </button>
      )}
      {problem && (
        <p className="check-problem" role="alert" data-testid="check-problem">
          {problem}
        </p>
      )}
      {checkError?.step === step.id && <ErrorBox error={checkError.error} />}
      {result ? (
        <Verdict result={result} />
      ) : stepProgress?.met ? (
        <div className="verdict success" data-testid="check-verdict">
          <strong>Met</strong>
          {stepProgress.metAt && (
            <span className="muted">on {new Date(stepProgress.metAt).toLocaleString()}</span>
          )}
        </div>
      ) : (
        stepProgress?.lastFailure && (
          <p className="muted" data-testid="check-last-failure">
            Last try: {stepProgress.lastFailure.message}
          </p>
        )
      )}
    </section>
  );
}

const CHECK_LABELS: Record<NonNullable<LessonStep['check']>['submit'], string> = {
  program: 'Check my program',
  number: 'Check my answer',
  choice: 'Check my answer',
  episode: 'Check this episode',
  model: 'Check with this model',
  dataset: 'Check my dataset',
  nothing: 'Check',
};

function Verdict({ result }: { result: LessonCheckResult }) {
  // A long step leaves the verdict below the fold: bring it (and its hints) into sight.
  const box = useRef<HTMLDivElement>(null);
  // (A block body: newer browsers' scrollIntoView returns a promise, which React would call as a cleanup.)
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' });
  }, [result]);
  return (
    <div
      ref={box}
      className={`verdict ${result.met ? 'success' : 'failure'}`}
      data-testid="check-verdict"
      data-met={result.met ? 'true' : 'false'}
    >
      <strong>{result.met ? '✓ Met' : 'Not yet'}</strong>
      {result.failure && (
        <span data-testid="check-failure">
          {result.failure.message}
          {result.failure.line ? ` (line ${result.failure.line})` : ''}
        </span>
      )}
      {result.message && result.message !== result.failure?.message && <span>{result.message}</span>}
      {result.episode && (
        <span className="muted" data-testid="check-run">
          The lab ran it: {result.episode.success ? 'success' : 'failure'}, {result.episode.trace.length}{' '}
          primitive call{result.episode.trace.length === 1 ? '' : 's'}
        </span>
      )}
      {result.hints.length > 0 && (
        <div className="hints" data-testid="check-hints">
          <strong>{result.hints.length === 1 ? 'Hint' : 'Hints'}</strong>
          {result.hints.map((hint, i) => (
            <div key={i} className="hint" data-testid="check-hint">
              <Markdown text={hint} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
