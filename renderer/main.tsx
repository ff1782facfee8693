// Entry point: choose the transport (the preload's IPC bridge under Electron, a WebSocket to
// `lab serve` in a browser, with the token from the URL fragment), load the app's info, render.
// A class link (#class=<token>) asks the student's name first and remembers it for that class.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { LabContext, type Lab } from './lab-context.tsx';
import {
  checkToken,
  ipcTransport,
  NameRefused,
  TokenRefused,
  webSocketTransport,
  type Credentials,
  type LabBridge,
} from './transport.ts';
import { nameProblem } from './lesson-context.tsx';
import { LabClient } from '../api/framing.ts';
import type { AppInfo } from '../api/types.ts';
import './styles.css';

declare global {
  interface Window {
    lab?: LabBridge;
  }
}

const TOKEN_KEY = 'blazer-lab-token';
const CLASS_KEY = 'blazer-lab-class';

/**
 * The token arrives once in the URL fragment (#token=... for the teacher, #class=... for a class's
 * students), then lives in this tab's session storage; the newest link wins.
 */
function takeToken(): { token: string } | { classToken: string } | undefined {
  const hash = new URLSearchParams(location.hash.slice(1));
  const token = hash.get('token');
  const classToken = hash.get('class');
  if (token || classToken) {
    sessionStorage.removeItem(token ? CLASS_KEY : TOKEN_KEY);
    sessionStorage.setItem(token ? TOKEN_KEY : CLASS_KEY, (token ?? classToken)!);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) return { token: kept };
  const keptClass = sessionStorage.getItem(CLASS_KEY);
  return keptClass ? { classToken: keptClass } : undefined;
}

/** Where a class's student name is kept: per class (a short hash of its token, never the token). */
function nameKey(classToken: string): string {
  let h = 0x811c9dc5;
  for (const c of classToken) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return `blazer-lab-class-student.${h.toString(16)}`;
}

type Boot =
  | { state: 'loading' }
  | { state: 'token'; refused: boolean }
  | { state: 'name'; classToken: string; refused?: string; previous?: string }
  | { state: 'failed'; message: string }
  | { state: 'ready'; lab: LabClient; info: AppInfo };

function Root() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const [db, setDb] = useState('');

  const connect = async (): Promise<void> => {
    let credentials: Credentials | undefined;
    try {
      let lab: LabClient;
      if (window.lab) lab = new LabClient(ipcTransport(window.lab));
      else {
        const taken = takeToken();
        if (!taken) return setBoot({ state: 'token', refused: false });
        if ('classToken' in taken) {
          const student = localStorage.getItem(nameKey(taken.classToken));
          if (!student) return setBoot({ state: 'name', classToken: taken.classToken });
          credentials = { classToken: taken.classToken, student };
        } else credentials = taken;
        await checkToken(credentials);
        lab = new LabClient(webSocketTransport(credentials));
      }
      const info = await lab.call('app.info', {});
      setDb(info.defaultDb);
      setBoot({ state: 'ready', lab, info });
    } catch (err) {
      if (err instanceof NameRefused && credentials && 'classToken' in credentials) {
        localStorage.removeItem(nameKey(credentials.classToken));
        setBoot({
          state: 'name',
          classToken: credentials.classToken,
          refused: err.message,
          previous: credentials.student,
        });
      } else if (err instanceof TokenRefused) {
        sessionStorage.removeItem(TOKEN_KEY);
        sessionStorage.removeItem(CLASS_KEY);
        setBoot({ state: 'token', refused: true });
      } else setBoot({ state: 'failed', message: (err as Error).message });
    }
  };
  /** "Not you?": forget this class's name and ask again; the reload drops the old student's connection. */
  const changeStudent = (): void => {
    const classToken = sessionStorage.getItem(CLASS_KEY);
    if (!classToken) return;
    localStorage.removeItem(nameKey(classToken));
    location.reload();
  };
  useEffect(() => void connect(), []);

  if (boot.state === 'loading') return <div className="boot">Connecting to the lab…</div>;
  if (boot.state === 'failed')
    return (
      <div className="boot" role="alert">
        <p>Cannot reach the lab: {boot.message}</p>
        <button type="button" onClick={() => void connect()}>
          Try again
        </button>
      </div>
    );
  if (boot.state === 'name')
    return (
      <NameForm
        refused={boot.refused}
        previous={boot.previous}
        onName={(name) => {
          localStorage.setItem(nameKey(boot.classToken), name);
          setBoot({ state: 'loading' });
          void connect();
        }}
      />
    );
  if (boot.state === 'token')
    return (
      <TokenForm
        refused={boot.refused}
        onToken={(t) => (sessionStorage.setItem(TOKEN_KEY, t), void connect())}
      />
    );
  const context: Lab = {
    lab: boot.lab,
    info: boot.info,
    db,
    setDb,
    ...(boot.info.student !== undefined ? { changeStudent } : {}),
  };
  return (
    <LabContext.Provider value={context}>
      <App />
    </LabContext.Provider>
  );
}

/** A class link's first page: the student's name (no account; their progress is kept under it). */
function NameForm({
  refused,
  previous,
  onName,
}: {
  refused?: string;
  previous?: string;
  onName: (name: string) => void;
}) {
  const [name, setName] = useState('');
  const [tried, setTried] = useState(false);
  const problem = nameProblem(name);
  return (
    <form
      className="boot name-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (!problem) onName(name.trim());
      }}
    >
      <h1>BLAZER Lab</h1>
      <p>Welcome to the class. What is your name?</p>
      <p className="muted">
        No account: the lab keeps your lessons and your files under this name. Use the same name next time to
        continue where you stopped.
      </p>
      <input
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder={previous ? `not ${previous}? your name` : 'your name'}
        aria-label="your name"
        maxLength={40}
        autoFocus
        data-testid="student-name-input"
      />
      {tried && problem && (
        <p role="alert" className="bad" data-testid="name-problem">
          {problem}
        </p>
      )}
      {refused && !(tried && problem) && (
        <p role="alert" className="bad" data-testid="name-refused">
          The lab refused this name: {refused}
        </p>
      )}
      <button type="submit" className="primary" data-testid="student-name-submit">
        Start
      </button>
    </form>
  );
}

function TokenForm({ refused, onToken }: { refused: boolean; onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <form
      className="boot"
      onSubmit={(e) => {
        e.preventDefault();
        if (token.trim()) onToken(token.trim());
      }}
    >
      <h1>BLAZER Lab</h1>
      {refused ? (
        <p role="alert" data-testid="token-refused">
          The lab refused this token. Use the URL or token that <code>lab serve</code> printed.
        </p>
      ) : (
        <p>
          This lab needs its access token: open the URL that <code>lab serve</code> printed, or paste the
          token.
        </p>
      )}
      <input
        value={token}
        onChange={(e) => setToken(e.target.value)}
        placeholder="token"
        aria-label="token"
      />
      <button type="submit">Connect</button>
    </form>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
