// One lesson file (lessons/README.md has the format): the front matter, the intro, and the steps
// with what the app reads from them (the screen to open, a starter program, a check, hints).
// Every problem is a LessonFormatError naming the file, the line and the field.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LessonOpen, LessonSummary } from '../../api/types.ts';
import { ARM_NAMES } from '../../api/types.ts';
import { CHECK_KINDS, CHECK_SCHEMAS, FAILURE_KINDS, type CheckParams } from './check-kinds.ts';
import { parseKeyValues, type KeyValues } from './key-values.ts';
import { LessonFormatError } from './lesson-errors.ts';

export interface ParsedStep {
  id: string;
  title: string;
  markdown: string;
  open?: LessonOpen;
  starter?: string;
  check?: CheckParams;
  hints: { failure?: string; text: string }[];
  /** The line of the step's heading, and of its check block, for messages. */
  line: number;
  checkLine?: number;
}

export interface ParsedLesson {
  summary: LessonSummary;
  /** The folder the file is in. */
  dir: string;
  intro: string;
  steps: ParsedStep[];
  /** Figures the Markdown names (figures/x.svg), and the file each is read from. */
  figures: Record<string, string>;
}

export const MAX_FIGURE_BYTES = 512 * 1024;

const frontMatterSchema = z
  .object({
    title: z.string().min(1).max(120),
    minutes: z.number().int().min(5).max(120),
    goals: z
      .array(z.union([z.string(), z.number()]).transform(String))
      .min(1)
      .max(8),
    needs: z.array(z.enum(['model', 'arm'])).default([]),
    optional: z.boolean().default(false),
  })
  .strict();

const openSchema = z
  .object({
    screen: z.enum(['simulator', 'dataset', 'generate', 'train', 'evaluate', 'models', 'robot']),
    task: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/)
      .optional(),
    seed: z.number().int().nonnegative().optional(),
    arm: z.enum(ARM_NAMES).optional(),
    solver: z.enum(['scripted', 'program', 'none', 'model']).optional(),
  })
  .strict();

const FENCE = /^```\s*([\w-]*)(?:\s+(.*?))?\s*$/;
const FIGURE = /!\[[^\]]*\]\(([^)\s]+)\)/g;

/**
 * `file` is how messages name the file (lessons/03-x.md); `dir` is its folder, where figures are
 * looked for (then in `figureDirs`); `order` and `id` come from the file name.
 */
export function parseLesson(
  file: string,
  text: string,
  meta: { dir: string; order: number; id: string; figureDirs?: string[] },
): ParsedLesson {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines[0]?.trim() !== '---')
    throw new LessonFormatError(
      file,
      1,
      undefined,
      "a lesson starts with its front matter between two '---' lines",
    );
  const end = lines.indexOf('---', 1);
  if (end < 0) throw new LessonFormatError(file, 1, undefined, "the front matter has no closing '---' line");
  const front = parseKeyValues(file, lines.slice(1, end), 2);
  const header = validate(file, frontMatterSchema, front, 1);

  const steps: ParsedStep[] = [];
  const intro: string[] = [];
  let step: { raw: ParsedStep; text: string[] } | undefined;
  const finish = (): void => {
    if (!step) return;
    step.raw.markdown = tidy(step.text);
    steps.push(step.raw);
  };
  for (let i = end + 1; i < lines.length; i++) {
    const line = lines[i];
    const lineNo = i + 1;
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      finish();
      const title = heading[1];
      const id = slug(title);
      if (!id)
        throw new LessonFormatError(
          file,
          lineNo,
          'step',
          `the heading '${title}' has no letters to name the step by`,
        );
      if (steps.some((s) => s.id === id))
        throw new LessonFormatError(
          file,
          lineNo,
          'step',
          `two steps are called '${id}'; give them different headings`,
        );
      step = { raw: { id, title, markdown: '', hints: [], line: lineNo }, text: [] };
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) {
      (step ? step.text : intro).push(line);
      continue;
    }
    const close = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (close < 0) throw new LessonFormatError(file, lineNo, undefined, 'this ``` block is never closed');
    const body = lines.slice(i + 1, close);
    const [info, arg] = [fence[1], fence[2]];
    const appBlock = ['open', 'check', 'hint'].includes(info) || (info === 'python' && arg === 'starter');
    if (appBlock && !step)
      throw new LessonFormatError(
        file,
        lineNo,
        arg === 'starter' ? 'starter' : info,
        `a \`\`\`${info} block belongs in a step (after a '## ' heading)`,
      );
    const read = readBlock(file, info, arg, body, lineNo);
    if (read && step) applyBlock(file, step.raw, read, lineNo);
    else (step ? step.text : intro).push(...lines.slice(i, close + 1));
    i = close;
  }
  finish();
  if (steps.length === 0)
    throw new LessonFormatError(file, end + 2, 'step', "a lesson needs at least one step (a '## ' heading)");

  const figures: Record<string, string> = {};
  const markdownOf = [
    { text: intro.join('\n'), line: end + 2 },
    ...steps.map((s) => ({ text: s.markdown, line: s.line })),
  ];
  for (const { text: md, line } of markdownOf)
    for (const match of md.matchAll(FIGURE)) figures[match[1]] = figurePath(file, meta, match[1], line);

  return {
    summary: {
      id: meta.id,
      order: meta.order,
      file,
      title: header.title,
      minutes: header.minutes,
      goals: header.goals,
      needs: header.needs,
      optional: header.optional,
      steps: steps.length,
      checks: steps.filter((s) => s.check).length,
    },
    dir: meta.dir,
    intro: tidy(intro),
    steps,
    figures,
  };
}

type Block =
  | { kind: 'open'; open: LessonOpen }
  | { kind: 'starter'; source: string }
  | { kind: 'check'; check: CheckParams }
  | { kind: 'hint'; failure?: string; text: string };

function readBlock(
  file: string,
  info: string,
  arg: string | undefined,
  body: string[],
  line: number,
): Block | undefined {
  if (info === 'open')
    return { kind: 'open', open: validate(file, openSchema, parseKeyValues(file, body, line + 1), line) };
  if (info === 'python' && arg === 'starter') return { kind: 'starter', source: body.join('\n') + '\n' };
  if (info === 'hint') {
    if (arg !== undefined && !FAILURE_KINDS.includes(arg))
      throw new LessonFormatError(
        file,
        line,
        'hint',
        `'${arg}' is not a failure kind; use one of ${FAILURE_KINDS.join(', ')}`,
      );
    return { kind: 'hint', ...(arg ? { failure: arg } : {}), text: tidy(body) };
  }
  if (info === 'check') {
    const values = parseKeyValues(file, body, line + 1);
    const kind = values.values.kind;
    if (kind === undefined)
      throw new LessonFormatError(file, line, 'kind', `a check needs a kind: ${CHECK_KINDS.join(', ')}`);
    if (typeof kind !== 'string' || !Object.hasOwn(CHECK_SCHEMAS, kind))
      throw new LessonFormatError(
        file,
        values.lines.kind,
        'kind',
        `'${String(kind)}' is not a check kind; use one of ${CHECK_KINDS.join(', ')}`,
      );
    const { kind: _, ...params } = values.values;
    const schema = CHECK_SCHEMAS[kind as keyof typeof CHECK_SCHEMAS] as z.ZodType;
    const parsed = validate(file, schema, { values: params, lines: values.lines }, line) as object;
    return { kind: 'check', check: { kind, ...parsed } as CheckParams };
  }
  return undefined;
}

function applyBlock(file: string, step: ParsedStep, block: Block, line: number): void {
  const once = (present: unknown, what: string): void => {
    if (present !== undefined)
      throw new LessonFormatError(file, line, what, `step '${step.id}' has a second ${what} block`);
  };
  switch (block.kind) {
    case 'open':
      once(step.open, 'open');
      step.open = block.open;
      return;
    case 'starter':
      once(step.starter, 'starter');
      step.starter = block.source;
      return;
    case 'check':
      once(step.check, 'check');
      step.check = block.check;
      step.checkLine = line;
      return;
    case 'hint':
      step.hints.push({ ...(block.failure ? { failure: block.failure } : {}), text: block.text });
  }
}

/** Validate key-values against a schema; the first problem names its key's line (or the block's). */
function validate<S extends z.ZodType>(
  file: string,
  schema: S,
  kv: KeyValues,
  blockLine: number,
): z.output<S> {
  const parsed = schema.safeParse(kv.values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue.path[0] === undefined ? undefined : String(issue.path[0]);
  const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = unknown ?? key;
  const line = (field !== undefined ? kv.lines[field] : undefined) ?? blockLine;
  const message = unknown
    ? `'${unknown}' is not a field here`
    : issue.code === 'invalid_type' && kv.values[field ?? ''] === undefined
      ? 'is required'
      : issue.message;
  throw new LessonFormatError(file, line, field, message);
}

/** A figure beside the lesson file, or (for a teacher's copy of a shipped lesson) the lab's own. */
function figurePath(
  file: string,
  meta: { dir: string; figureDirs?: string[] },
  name: string,
  line: number,
): string {
  if (!/^figures\/[\w.-]+\.(svg|png)$/.test(name))
    throw new LessonFormatError(
      file,
      line,
      'figure',
      `'${name}': figures are SVG or PNG files in lessons/figures/, named figures/<file>`,
    );
  const path = [meta.dir, ...(meta.figureDirs ?? [])].map((d) => join(d, name)).find((p) => existsSync(p));
  if (!path) throw new LessonFormatError(file, line, 'figure', `'${name}' does not exist`);
  if (statSync(path).size > MAX_FIGURE_BYTES)
    throw new LessonFormatError(file, line, 'figure', `'${name}' is over 512 KB`);
  return path;
}

/** A heading as an id: lower case, letters and digits, dashes between words. */
export function slug(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function tidy(lines: string[]): string {
  return lines.join('\n').trim();
}
