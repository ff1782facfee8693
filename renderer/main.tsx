// Entry point: choose the transport (the preload's IPC bridge under Electron, a WebSocket to
// `lab serve` in a browser, with the token from the URL fragment), load the app's info, render.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { LabContext, type Lab } from './lab-context.tsx';
import { checkToken, ipcTransport, TokenRefused, webSocketTransport, type LabBridge } from './transport.ts';
import { LabClient } from '../api/framing.ts';
import type { AppInfo } from '../api/types.ts';
import './styles.css';

declare global {
  interface Window {
    lab?: LabBridge;
  }
}

const TOKEN_KEY = 'blazer-lab-token';

/** The token arrives once in the URL fragment (#token=...), then lives in this tab's session storage. */
function takeToken(): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

type Boot =
  | { state: 'loading' }
  | { state: 'token'; refused: boolean }
  | { state: 'failed'; message: string }
  | { state: 'ready'; lab: LabClient; info: AppInfo };

function Root() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const [db, setDb] = useState('');

  const connect = async (): Promise<void> => {
    try {
      let lab: LabClient;
      if (window.lab) lab = new LabClient(ipcTransport(window.lab));
      else {
        const token = takeToken();
        if (!token) return setBoot({ state: 'token', refused: false });
        await checkToken(token);
        lab = new LabClient(webSocketTransport(token));
      }
      const info = await lab.call('app.info', {});
      setDb(info.defaultDb);
      setBoot({ state: 'ready', lab, info });
    } catch (err) {
      if (err instanceof TokenRefused) {
        sessionStorage.removeItem(TOKEN_KEY);
        setBoot({ state: 'token', refused: true });
      } else setBoot({ state: 'failed', message: (err as Error).message });
    }
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
  if (boot.state === 'token')
    return (
      <TokenForm
        refused={boot.refused}
        onToken={(t) => (sessionStorage.setItem(TOKEN_KEY, t), void connect())}
      />
    );
  const context: Lab = { lab: boot.lab, info: boot.info, db, setDb };
  return (
    <LabContext.Provider value={context}>
      <App />
    </LabContext.Provider>
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
