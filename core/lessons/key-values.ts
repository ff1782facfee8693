// The small YAML subset of a lesson's front matter and its fenced `open`/`check` blocks: one
// `key: value` per line; values are strings (quoted or not), numbers, true/false, or lists written
// `[a, b]` or as indented `- item` lines. Each key keeps its line, so an error names where to look.
import { LessonFormatError } from './lesson-errors.ts';

export type Value = string | number | boolean | Value[];

export interface KeyValues {
  values: Record<string, Value>;
  /** The line of each key in the file (1-based). */
  lines: Record<string, number>;
}

const KEY_LINE = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/;
const ITEM_LINE = /^\s+-\s+(.*)$/;

/** Parse `lines` (the block's lines); `firstLine` is the file line of lines[0]. */
export function parseKeyValues(file: string, lines: string[], firstLine: number): KeyValues {
  const values: Record<string, Value> = {};
  const keyLines: Record<string, number> = {};
  let listKey: string | undefined;
  lines.forEach((raw, index) => {
    const line = firstLine + index;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const item = ITEM_LINE.exec(raw);
    if (item) {
      if (!listKey)
        throw new LessonFormatError(file, line, undefined, `a list item '- ...' with no key above it`);
      (values[listKey] as Value[]).push(scalar(item[1]));
      return;
    }
    const pair = KEY_LINE.exec(raw);
    if (!pair)
      throw new LessonFormatError(
        file,
        line,
        undefined,
        `expected 'key: value', found '${raw.trim().slice(0, 60)}'`,
      );
    const [, key, rest] = pair;
    if (Object.hasOwn(values, key)) throw new LessonFormatError(file, line, key, `'${key}' is given twice`);
    keyLines[key] = line;
    listKey = undefined;
    if (rest.trim() === '') {
      values[key] = [];
      listKey = key;
    } else values[key] = value(rest.trim());
  });
  return { values, lines: keyLines };
}

function value(text: string): Value {
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((part) => scalar(part.trim()));
  }
  return scalar(text);
}

function scalar(text: string): string | number | boolean {
  const quoted = /^"(.*)"$|^'(.*)'$/.exec(text);
  if (quoted) return quoted[1] ?? quoted[2];
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}
