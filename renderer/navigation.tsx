// Moving between screens from inside one: the Train screen's "evaluate it" opens the Evaluate
// screen with the new adapter (and its base model) chosen; a lesson step's "Open in Simulator"
// opens the Simulator with its task, seed, solver and starter program. The App provides it.
import { createContext, useContext, useEffect } from 'react';
import type { ArmName } from '../api/types.ts';

/** An adapter to evaluate; `nonce` makes a second click on the same adapter a new request. */
export interface EvaluateRequest {
  adapter: string;
  /** The base model as the training job named it (a registered name or a file). */
  base: string;
  nonce: number;
}

/** What the Simulator should show: a lesson step's scene and solver, and the program to start from. */
export interface SimulatorRequest {
  task?: string;
  seed?: number;
  arm?: ArmName;
  solver?: 'scripted' | 'program' | 'none' | 'model';
  /** Replaces the editor's program when given. */
  program?: string;
  nonce: number;
}

export interface Navigation {
  /** The screen on show. */
  current: string;
  open: (screen: string) => void;
  evaluate: (adapter: string, base: string) => void;
  evaluateRequest?: EvaluateRequest;
  /** Open the Simulator with this scene, solver and program. */
  simulate: (request: Omit<SimulatorRequest, 'nonce'>) => void;
  simulatorRequest?: SimulatorRequest;
  /** The program in the Simulator's editor (undefined before the Simulator first opened). */
  simulatorProgram: () => string | undefined;
  /** The Simulator tells what its editor holds (a lesson's "Check my program" reads it). */
  shareSimulatorProgram: (program: string) => void;
}

export const NavigationContext = createContext<Navigation>({
  current: '',
  open: () => {},
  evaluate: () => {},
  simulate: () => {},
  simulatorProgram: () => undefined,
  shareSimulatorProgram: () => {},
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
