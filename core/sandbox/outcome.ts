// What running a program produced, as the rest of the app sees it, and how the parent turns what
// it saw (a runner's report, its own stop, a dead runner) into that outcome. The parent's own
// verdicts (a stop, the time or memory limit) always win over what a runner reports.
import type { RunnerResult } from './runner-protocol.ts';
import type { ProgramOutcome, ProgramOutcomeKind } from '../../api/types.ts';

export type { ProgramOutcome, ProgramOutcomeKind };

/** What the parent answers to one primitive call: a result, an error the program sees, or a stop. */
export type CallReply = { result: unknown } | { error: string } | { stop: string };
export type CallHandler = (name: string, args: unknown[]) => CallReply;

export interface Verdict {
  kind: ProgramOutcomeKind;
  message: string;
}

/** The runner's report of how the program ended, overruled by the parent's own verdict if it has one. */
export function fromReport(
  r: RunnerResult,
  parent: Verdict | undefined,
): Omit<ProgramOutcome, 'primitiveCalls' | 'runnerSeconds'> {
  const line = r.line ? { line: r.line } : {};
  if (parent) return { ok: false, ...parent, ...(r.kind === 'stopped' ? line : {}), output: r.output };
  if (r.kind === 'stopped')
    // only the parent stops programs: this one raised the stop signal itself
    return {
      ok: false,
      kind: 'runtime',
      message: "the program raised the sandbox's stop signal itself",
      ...line,
      output: r.output,
    };
  return { ok: r.ok, kind: r.kind, message: r.message, ...line, output: r.output };
}

/** Why a runner died, from its last words on stderr. */
export function describeCrash(stderr: string): Verdict {
  const denied = /ERR_ACCESS_DENIED[\s\S]*?permission: '(\w+)'/.exec(stderr);
  if (denied)
    return {
      kind: 'sandbox-violation',
      message: `the runner reached for the host (${denied[1]}) and was stopped`,
    };
  if (/Maximum call stack size exceeded|stack overflow/i.test(stderr))
    return { kind: 'recursion', message: 'recursion too deep' };
  if (/out of memory|Cannot enlarge memory|allocation failed/i.test(stderr))
    return { kind: 'memory', message: 'the program ran out of memory' };
  return { kind: 'crash', message: `the Python runner stopped: ${lastLine(stderr) || 'no message'}` };
}

export function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? '';
}
