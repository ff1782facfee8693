// Moving between screens from inside one: the Train screen's "evaluate it" opens the Evaluate
// screen with the new adapter (and its base model) chosen. The App provides it.
import { createContext, useContext, useEffect } from 'react';

/** An adapter to evaluate; `nonce` makes a second click on the same adapter a new request. */
export interface EvaluateRequest {
  adapter: string;
  /** The base model as the training job named it (a registered name or a file). */
  base: string;
  nonce: number;
}

export interface Navigation {
  /** The screen on show. */
  current: string;
  open: (screen: string) => void;
  evaluate: (adapter: string, base: string) => void;
  evaluateRequest?: EvaluateRequest;
}

export const NavigationContext = createContext<Navigation>({
  current: '',
  open: () => {},
  evaluate: () => {},
});

export const useNavigation = (): Navigation => useContext(NavigationContext);

/**
 * Run `refresh` each time screen `id` comes on show (and when it first mounts, shown): screens stay
 * mounted, and what another screen made since (a model, an adapter, a job) should appear.
 */
export function useWhenShown(id: string, refresh: () => void): void {
  const shown = useNavigation().current === id;
  useEffect(() => {
    if (shown) refresh();
  }, [shown]);
}
