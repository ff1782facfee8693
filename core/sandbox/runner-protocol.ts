// The runner's messages as the parent accepts them. Everything a runner writes is untrusted: each
// line is parsed and checked here for type, fields and sizes before anything else looks at it.
import type { ProgramOutcomeKind } from './outcome.ts';
import { MAX_ARGS, MAX_MESSAGE, MAX_NAME, MAX_OUTPUT, PROGRAM_KINDS } from './program-limits.mjs';

/** Longest line accepted from a runner: a result carries up to 64 K characters of output. */
export const MAX_RUNNER_LINE = 1 << 20;
const MAX_MS = 1e7;

/** How a runner may say a program ended; 'timeout' is only ever the parent's verdict. */
const RUNNER_KINDS: ReadonlySet<string> = new Set([...PROGRAM_KINDS, 'sandbox-violation', 'crash']);

export interface RunnerResult {
  ok: boolean;
  kind: ProgramOutcomeKind;
  message: string;
  line?: number;
  output: string;
}

export type RunnerMessage =
  | { type: 'ready'; startupMs?: number; prepareMs?: number }
  | { type: 'call'; nonce: string; seq: number; name: string; args: unknown[] }
  | { type: 'done'; nonce: string; result: RunnerResult };

export type Parsed = { message: RunnerMessage } | { error: string };

export function parseRunnerMessage(line: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'a line that is not JSON' };
  }
  if (!isRecord(value)) return { error: 'a message that is not an object' };
  switch (value.type) {
    case 'ready':
      return parseReady(value);
    case 'call':
      return parseCall(value);
    case 'done':
      return parseDone(value);
    default:
      return { error: `a message of unknown type ${describe(value.type)}` };
  }
}

function parseReady(m: Record<string, unknown>): Parsed {
  if (!onlyKeys(m, ['type', 'startupMs', 'prepareMs'], ['type']))
    return { error: 'a ready message with unknown fields' };
  for (const key of ['startupMs', 'prepareMs'] as const)
    if (m[key] !== undefined && !isNumberIn(m[key], 0, MAX_MS))
      return { error: `a ready message with a bad ${key}` };
  return { message: m as RunnerMessage };
}

function parseCall(m: Record<string, unknown>): Parsed {
  if (!onlyKeys(m, ['type', 'nonce', 'seq', 'name', 'args']))
    return { error: 'a call with missing or unknown fields' };
  if (typeof m.nonce !== 'string') return { error: 'a call without a nonce' };
  if (!Number.isSafeInteger(m.seq) || (m.seq as number) < 1)
    return { error: 'a call without a valid sequence number' };
  if (typeof m.name !== 'string' || m.name.length === 0 || m.name.length > MAX_NAME)
    return { error: 'a call without a valid primitive name' };
  if (!Array.isArray(m.args) || m.args.length > MAX_ARGS)
    return { error: 'a call without a valid argument list' };
  return { message: m as RunnerMessage };
}

function parseDone(m: Record<string, unknown>): Parsed {
  if (!onlyKeys(m, ['type', 'nonce', 'result']))
    return { error: 'a done message with missing or unknown fields' };
  if (typeof m.nonce !== 'string') return { error: 'a done message without a nonce' };
  const r = m.result;
  if (
    !isRecord(r) ||
    !onlyKeys(r, ['ok', 'kind', 'message', 'line', 'output'], ['ok', 'kind', 'message', 'output'])
  )
    return { error: 'a done message without a valid result' };
  if (typeof r.kind !== 'string' || !RUNNER_KINDS.has(r.kind))
    return { error: `a result of unknown kind ${describe(r.kind)}` };
  if (r.ok !== (r.kind === 'completed')) return { error: 'a result whose ok disagrees with its kind' };
  if (typeof r.message !== 'string' || r.message.length > MAX_MESSAGE)
    return { error: 'a result with a bad message' };
  if (typeof r.output !== 'string' || r.output.length > MAX_OUTPUT)
    return { error: 'a result with bad output' };
  if (r.line !== undefined && !(Number.isSafeInteger(r.line) && (r.line as number) > 0))
    return { error: 'a result with a bad line number' };
  return { message: m as RunnerMessage };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(m: Record<string, unknown>, allowed: string[], required = allowed): boolean {
  const keys = Object.keys(m);
  return keys.every((k) => allowed.includes(k)) && required.every((k) => keys.includes(k));
}

function isNumberIn(value: unknown, low: number, high: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= low && value <= high;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 20)) : typeof value;
}
