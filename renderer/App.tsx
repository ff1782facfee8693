// The lab's window: a header with the four screens. Screens stay mounted once opened, so a running
// generation or a replay keeps its state while the user looks elsewhere.
import { useState } from 'react';
import { Simulator } from './screens/Simulator.tsx';
import { Generate } from './screens/Generate.tsx';
import { Dataset } from './screens/Dataset.tsx';
import { Models } from './screens/Models.tsx';
import { useLab } from './lab-context.tsx';

const SCREENS = [
  { id: 'simulator', title: 'Simulator', Screen: Simulator },
  { id: 'generate', title: 'Generate', Screen: Generate },
  { id: 'dataset', title: 'Dataset', Screen: Dataset },
  { id: 'models', title: 'Models', Screen: Models },
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

function initialScreen(): ScreenId {
  const wanted = new URLSearchParams(location.search).get('screen');
  return SCREENS.find((s) => s.id === wanted)?.id ?? 'simulator';
}

export function App() {
  const { info } = useLab();
  const [screen, setScreen] = useState<ScreenId>(initialScreen);
  const [opened, setOpened] = useState<Set<ScreenId>>(() => new Set([screen]));
  const open = (id: ScreenId): void => {
    setScreen(id);
    setOpened((o) => new Set(o).add(id));
  };
  return (
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
  );
}
