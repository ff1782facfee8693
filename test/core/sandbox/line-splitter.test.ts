import { describe, expect, it } from 'vitest';
import { lineSplitter } from '../../../core/sandbox/line-splitter.ts';

function collect(max: number, chunks: (string | Buffer)[]): { lines: string[]; overflows: number[] } {
  const lines: string[] = [];
  const overflows: number[] = [];
  const feed = lineSplitter(max, { line: (l) => lines.push(l), overflow: (limit) => overflows.push(limit) });
  for (const chunk of chunks) feed(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return { lines, overflows };
}

describe('line splitter', () => {
  it('joins lines split across chunks and splits chunks holding several lines', () => {
    expect(collect(100, ['ab', 'c\nde', 'f\ng\n', 'h'])).toEqual({
      lines: ['abc', 'def', 'g'],
      overflows: [],
    });
  });

  it('keeps a character whose bytes arrive in two chunks', () => {
    const bytes = Buffer.from('é\n');
    expect(collect(100, [bytes.subarray(0, 1), bytes.subarray(1)]).lines).toEqual(['é']);
  });

  it('stops at a line longer than the cap, with or without its newline, and delivers nothing after', () => {
    expect(collect(4, ['ok\n', 'abcde'])).toEqual({ lines: ['ok'], overflows: [4] });
    expect(collect(4, ['abcde\nok\n', 'ok\n'])).toEqual({ lines: [], overflows: [4] });
    expect(collect(4, ['abcd\n'])).toEqual({ lines: ['abcd'], overflows: [] });
  });
});
