// The lab's window: a header with the screens. Screens stay mounted once opened, so a running
// generation, training or evaluation, or a replay, keeps its state while the user looks elsewhere.
// An open lesson's panel stays beside whichever other screen is on show.
import { useMemo, useRef, useState } from 'react';
import { Simulator } from './screens/Simulator.tsx';
import { Generate } from './screens/Generate.tsx';
import { Dataset } from './screens/Dataset.tsx';
import { Train } from './screens/Train.tsx';
import { Evaluate } from './screens/Evaluate.tsx';
import { Models } from './screens/Models.tsx';
import { Robot } from './screens/Robot.tsx';
import { Lessons } from './screens/Lessons.tsx';
import { LessonDock } from './components/LessonDock.tsx';
import { useLab } from './lab-context.tsx';
import { LessonsProvider } from './lesson-context.tsx';
import {
  NavigationContext,
  type EvaluateRequest,
  type Navigation,
  type SimulatorRequest,
} from './navigation.tsx';

const LESSONS = { id: 'lessons', title: 'Lessons', Screen: Lessons } as const;
const SCREENS = [
  { id: 'simulator', title: 'Simulator', Screen: Simulator },
  { id: 'generate', title: 'Generate', Screen: Generate },
  { id: 'dataset', title: 'Dataset', Screen: Dataset },
  { id: 'train', title: 'Train', Screen: Train },
  { id: 'evaluate', title: 'Evaluate', Screen: Evaluate },
  { id: 'models', title: 'Models', Screen: Models },
  { id: 'robot', title: 'Robot', Screen: Robot },
  LESSONS,
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

/** A class's students start with the course; everyone else finds it at the end of the header. */
function screensFor(student: boolean): readonly (typeof SCREENS)[number][] {
  return student ? [LESSONS, ...SCREENS.filter((s) => s.id !== 'lessons')] : SCREENS;
}

function screenId(wanted: string | null): ScreenId | undefined {
  return SCREENS.find((s) => s.id === wanted)?.id;
}

function initialScreen(student: boolean): ScreenId {
  return screenId(new URLSearchParams(location.search).get('screen')) ?? (student ? 'lessons' : 'simulator');
}

export function App() {
  const { info, changeStudent } = useLab();
  const student = info.student !== undefined;
  const screens = screensFor(student);
  const [screen, setScreen] = useState<ScreenId>(() => initialScreen(student));
  const [opened, setOpened] = useState<Set<ScreenId>>(() => new Set([screen]));
  const [evaluateRequest, setEvaluateRequest] = useState<EvaluateRequest>();
  const [simulatorRequest, setSimulatorRequest] = useState<SimulatorRequest>();
  const simulatorProgram = useRef<string | undefined>(undefined);
  const open = (id: ScreenId): void => {
    setScreen(id);
    setOpened((o) => new Set(o).add(id));
  };
  const navigation = useMemo<Navigation>(
    () => ({
      current: screen,
      open: (id) => {
        const known = screenId(id);
        if (known) open(known);
      },
      evaluate: (adapter, base) => {
        setEvaluateRequest((r) => ({ adapter, base, nonce: (r?.nonce ?? 0) + 1 }));
        open('evaluate');
      },
      evaluateRequest,
      simulate: (request) => {
        setSimulatorRequest((r) => ({ ...request, nonce: (r?.nonce ?? 0) + 1 }));
        open('simulator');
      },
      simulatorRequest,
      simulatorProgram: () => simulatorProgram.current,
      shareSimulatorProgram: (program) => {
        simulatorProgram.current = program;
      },
    }),
    [screen, evaluateRequest, simulatorRequest],
  );
  return (
    <NavigationContext.Provider value={navigation}>
      <LessonsProvider>
        <div className="app">
          <header className="app-header">
            <span className="brand">{info.name}</span>
            <nav>
              {screens.map((s) => (
                <button
                  key={s.id}
                  type="button"
                  className={screen === s.id ? 'on' : ''}
                  onClick={() => open(s.id)}
                  data-testid={`nav-${s.id}`}
                >
                  {s.title}
                </button>
              ))}
            </nav>
            {info.student !== undefined && (
              <span className="header-student" data-testid="header-student">
                {info.student}
                {changeStudent && (
                  <button type="button" className="link" onClick={changeStudent}>
                    not you?
                  </button>
                )}
              </span>
            )}
            <span className={`muted version${info.student !== undefined ? ' after-student' : ''}`}>
              v{info.version}
            </span>
          </header>
          <div className="app-body">
            <div className="app-screens">
              {screens
                .filter((s) => opened.has(s.id))
                .map(({ id, Screen }) => (
                  <div key={id} className="screen-host" hidden={screen !== id} data-testid={`screen-${id}`}>
                    <Screen />
                  </div>
                ))}
            </div>
            {screen !== 'lessons' && <LessonDock />}
          </div>
        </div>
      </LessonsProvider>
    </NavigationContext.Provider>
  );
}
