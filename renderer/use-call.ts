// Calling the lab from a component: the result, whether it is running, the error if it failed,
// and a way to stop it. A new run or a clear stops the call before it; a superseded call's answer
// is dropped (run resolves to undefined), so a late reply never lands on newer state.
import { useCallback, useRef, useState } from 'react';
import { useLab } from './lab-context.tsx';
import type { CallInput, CallName, CallResult, LabEvent } from '../api/contract.ts';
import type { LabCallError } from '../api/framing.ts';

export interface CallState<K extends CallName> {
  result?: CallResult<K>;
  error?: LabCallError | Error;
  running: boolean;
  run: (input: CallInput<K>, onEvent?: (event: LabEvent) => void) => Promise<CallResult<K> | undefined>;
  stop: () => void;
  clear: () => void;
}

export function useCall<K extends CallName>(name: K): CallState<K> {
  const { lab } = useLab();
  const [result, setResult] = useState<CallResult<K>>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const current = useRef<AbortController | undefined>(undefined);

  const run = useCallback(
    async (input: CallInput<K>, onEvent?: (event: LabEvent) => void): Promise<CallResult<K> | undefined> => {
      current.current?.abort(); // a newer call replaces the one still running
      const mine = new AbortController();
      current.current = mine;
      setRunning(true);
      setError(undefined);
      try {
        const value = await lab.call(name, input, { onEvent, signal: mine.signal });
        if (current.current !== mine) return undefined; // superseded: its answer is stale
        setResult(() => value);
        return value;
      } catch (err) {
        if (current.current === mine) setError(err as Error);
        return undefined;
      } finally {
        if (current.current === mine) setRunning(false);
      }
    },
    [lab, name],
  );

  return {
    result,
    error,
    running,
    run,
    stop: () => current.current?.abort(),
    clear: () => {
      current.current?.abort();
      current.current = undefined;
      setRunning(false);
      setResult(undefined);
      setError(undefined);
    },
  };
}
