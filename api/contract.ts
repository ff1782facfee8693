// The one typed contract between core/ and the shells (Electron IPC, HTTP/WebSocket server, CLI).
// Each call has a name, a zod input schema validated here at the boundary, and a plain async
// handler that receives validated, typed input.
import { z } from 'zod';
import type { ApiEvent } from './events.ts';

export class ApiError extends Error {
  constructor(
    readonly kind: 'bad-request' | 'unknown-call',
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a running call can tell its caller before it returns (progress of long work). */
export interface CallContext {
  emit: (event: ApiEvent) => void;
  signal?: AbortSignal;
}

export interface ApiCall<Input extends z.ZodType, Result> {
  name: string;
  input: Input;
  handler: (input: z.infer<Input>, context: CallContext) => Promise<Result>;
}

export function defineCall<Input extends z.ZodType, Result>(
  name: string,
  input: Input,
  handler: (input: z.infer<Input>, context: CallContext) => Promise<Result>,
): ApiCall<Input, Result> {
  return { name, input, handler };
}

/** Validate raw input against the call's schema and run it; bad input names the field at fault. */
export async function invoke<Input extends z.ZodType, Result>(
  call: ApiCall<Input, Result>,
  raw: unknown,
  context: CallContext = { emit: () => {} },
): Promise<Result> {
  const parsed = call.input.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`,
    );
    throw new ApiError('bad-request', `${call.name}: ${issues.join('; ')}`);
  }
  return call.handler(parsed.data, context);
}
