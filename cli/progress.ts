// A progress line on stderr (redrawn in place on a terminal, every 2 s in a log), and Ctrl-C as a
// clean stop of a long call.

export function progressBar(): { show(line: string, last?: boolean): void; end(): void } {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  let drawn = false;
  return {
    show(line, last = false) {
      if (tty) {
        process.stderr.write(`\r${line}\x1b[K`);
        drawn = true;
      } else if (Date.now() - lastLine > 2000 || last) {
        process.stderr.write(`${line}\n`);
        lastLine = Date.now();
      }
    },
    end() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}

/** Run a call that SIGINT/SIGTERM stop through its signal, with a word on what stopping keeps. */
export async function withStopSignal<T>(
  stopping: string,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => {
    if (!controller.signal.aborted) process.stderr.write(`\n${stopping}\n`);
    controller.abort();
  };
  process.on('SIGINT', stop); // on, not once: signal-exit (loaded with the lab) kills the process when only its own listener is left
  process.on('SIGTERM', stop);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
