// Calling the lab from a component: the result, whether it is running, the error if it failed,
// and a way to stop it. A new run or a clear stops the call before it; a superseded call's answer
// is dropped (run resolves to undefined), so a late reply never lands on newer state.
import { useCallback, useRef, useState } from 'react';
import { useLab } from './lab-context.tsx';
import type { ApiEvent } from '../api/events.ts';

export interface CallState<T> {
  result?: T;
  error?: Error;
  running: boolean;
  run: (input: unknown, onEvent?: (event: ApiEvent) => void) => Promise<T | undefined>;
  stop: () => void;
  clear: () => void;
}

export function useCall<T>(name: string): CallState<T> {
  const { transport } = useLab();
  const [result, setResult] = useState<T>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const current = useRef<{ controller: AbortController; serial: number } | undefined>(undefined);
  const serial = useRef(0);

  const run = useCallback(
    async (input: unknown, onEvent?: (event: ApiEvent) => void): Promise<T | undefined> => {
      current.current?.controller.abort(); // a newer call replaces the one still running
      const mine = { controller: new AbortController(), serial: ++serial.current };
      current.current = mine;
      setRunning(true);
      setError(undefined);
      try {
        const value = await transport.call<T>(name, input, { onEvent, signal: mine.controller.signal });
        if (current.current !== mine) return undefined; // superseded: its answer is stale
        setResult(value);
        return value;
      } catch (err) {
        if (current.current === mine) setError(err as Error);
        return undefined;
      } finally {
        if (current.current === mine) setRunning(false);
      }
    },
    [transport, name],
  );

  return {
    result,
    error,
    running,
    run,
    stop: () => current.current?.controller.abort(),
    clear: () => {
      current.current?.controller.abort();
      current.current = undefined;
      setRunning(false);
      setResult(undefined);
      setError(undefined);
    },
  };
}
