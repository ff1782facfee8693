// Errors as they cross a boundary: a core LabError keeps its kind and message; a stopped call says
// so; anything else is a bug, reported as 'internal' (with its stack only to a local shell, which
// prints it; a browser never sees the lab's internals).
import { LabError } from '../core/errors.ts';
import type { ErrorReport } from './contract.ts';

/** The api's own refusals: a malformed request, a call that does not exist or is not for this shell. */
export class ApiError extends LabError {
  declare readonly kind: 'bad-request' | 'unknown-call' | 'forbidden' | 'busy';
  constructor(
    kind: ApiError['kind'],
    message: string,
    /** For bad requests: each field at fault. */
    readonly issues?: { path: string; message: string }[],
  ) {
    super(kind, message);
  }
}

export function reportError(
  err: unknown,
  options: { withStack?: boolean } = {},
): ErrorReport & { stack?: string } {
  if (err instanceof ApiError && err.issues)
    return { kind: err.kind, message: err.message, issues: err.issues };
  if (err instanceof LabError) return { kind: err.kind, message: err.message };
  if (err instanceof Error && err.name === 'AbortError') return { kind: 'stopped', message: 'stopped' };
  const message = `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
  return {
    kind: 'internal',
    message,
    ...(options.withStack && err instanceof Error && err.stack ? { stack: err.stack } : {}),
  };
}
