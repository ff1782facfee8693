// Splits a byte stream into lines with a hard cap on line length: a peer that never sends a
// newline cannot make the reader buffer without bound.
import { StringDecoder } from 'node:string_decoder';

export interface LineSink {
  line(text: string): void;
  /** A line grew past the cap; nothing more is delivered after this. */
  overflow(limit: number): void;
}

export function lineSplitter(maxLength: number, sink: LineSink): (chunk: Buffer) => void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    pending = '';
    sink.overflow(maxLength);
  };
  return (chunk) => {
    if (stopped) return;
    pending += decoder.write(chunk);
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.length > maxLength) return stop();
      sink.line(line);
    }
    if (pending.length > maxLength) stop();
  };
}
