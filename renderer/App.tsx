// The lab's window: a header with the screens. Screens stay mounted once opened, so a running
// generation, training or evaluation, or a replay, keeps its state while the user looks elsewhere.
import { useMemo, useState } from 'react';
import { Simulator } from './screens/Simulator.tsx';
import { Generate } from './screens/Generate.tsx';
import { Dataset } from './screens/Dataset.tsx';
import { Train } from './screens/Train.tsx';
import { Evaluate } from './screens/Evaluate.tsx';
import { Models } from './screens/Models.tsx';
import { Robot } from './screens/Robot.tsx';
import { useLab } from './lab-context.tsx';
import { NavigationContext, type EvaluateRequest, type Navigation } from './navigation.tsx';

const SCREENS = [
  { id: 'simulator', title: 'Simulator', Screen: Simulator },
  { id: 'generate', title: 'Generate', Screen: Generate },
  { id: 'dataset', title: 'Dataset', Screen: Dataset },
  { id: 'train', title: 'Train', Screen: Train },
  { id: 'evaluate', title: 'Evaluate', Screen: Evaluate },
  { id: 'models', title: 'Models', Screen: Models },
  { id: 'robot', title: 'Robot', Screen: Robot },
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

function screenId(wanted: string | null): ScreenId | undefined {
  return SCREENS.find((s) => s.id === wanted)?.id;
}

function initialScreen(): ScreenId {
  return screenId(new URLSearchParams(location.search).get('screen')) ?? 'simulator';
}

export function App() {
  const { info } = useLab();
  const [screen, setScreen] = useState<ScreenId>(initialScreen);
  const [opened, setOpened] = useState<Set<ScreenId>>(() => new Set([screen]));
  const [evaluateRequest, setEvaluateRequest] = useState<EvaluateRequest>();
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
    }),
    [screen, evaluateRequest],
  );
  return (
    <NavigationContext.Provider value={navigation}>
      <div className="app">
        <header className="app-header">
          <span className="brand">{info.name}</span>
          <nav>
            {SCREENS.map((s) => (
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
          <span className="muted version">v{info.version}</span>
        </header>
        {SCREENS.filter((s) => opened.has(s.id)).map(({ id, Screen }) => (
          <div key={id} className="screen-host" hidden={screen !== id} data-testid={`screen-${id}`}>
            <Screen />
          </div>
        ))}
      </div>
    </NavigationContext.Provider>
  );
}
