// What went wrong talking to a fine-tuning endpoint, said so a user can act: which URL could not be
// reached, which key (and from where) was refused, what the server said about a rejected file.
//
// Unlike the chat client (core/llm/openai-model.ts), the server's own error text is passed on here:
// the user chose this endpoint to train on, and its reason ("line 12 is not valid JSON", "model not
// available for fine-tuning") is what they need to fix the request. It is flattened to one line and
// cut short, so a hostile or broken server cannot flood the log or the UI.
import OpenAI from 'openai';
import { LabError } from '../errors.ts';
import { TrainCancelled, TrainError } from './errors.ts';

export type KeySource = 'options' | 'BLAZER_API_KEY' | 'OPENAI_API_KEY' | 'none';

export function resolveApiKey(
  given: string | undefined,
  env: Record<string, string | undefined>,
): { key?: string; source: KeySource } {
  if (given) return { key: given, source: 'options' };
  if (env.BLAZER_API_KEY) return { key: env.BLAZER_API_KEY, source: 'BLAZER_API_KEY' };
  if (env.OPENAI_API_KEY) return { key: env.OPENAI_API_KEY, source: 'OPENAI_API_KEY' };
  return { source: 'none' };
}

export interface FailureContext {
  baseURL: string;
  keySource: KeySource;
  /** What was being done, as a noun phrase: "the upload of /data/train.jsonl". */
  action: string;
}

const MAX_SERVER_TEXT = 400;

export function describeApiFailure(err: unknown, context: FailureContext): LabError {
  if (err instanceof LabError) return err;
  const { baseURL, action } = context;
  if (err instanceof OpenAI.APIUserAbortError)
    return new TrainCancelled(`training was cancelled during ${action}`);
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return new TrainError(`the fine-tuning endpoint ${baseURL} did not answer in time (${action})`, {
      cause: err,
    });
  if (err instanceof OpenAI.APIConnectionError)
    return new TrainError(
      `cannot reach the fine-tuning endpoint ${baseURL} (${action}): is the server running, and is the URL right?`,
      { cause: err },
    );
  if (err instanceof OpenAI.AuthenticationError)
    return new TrainError(
      `${baseURL} answered 401 Unauthorized (${action}): ${keyAdvice(context.keySource)}`,
      {
        cause: err,
      },
    );
  if (err instanceof OpenAI.APIError)
    return new TrainError(`${baseURL} refused ${action} (HTTP ${err.status}): ${serverText(err)}`, {
      cause: err,
    });
  return new TrainError(`${action} failed: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
  });
}

/** Worth another poll: the network, a timeout, rate limiting or a server error. */
export function isTransient(err: unknown): boolean {
  if (err instanceof OpenAI.APIUserAbortError) return false;
  if (err instanceof OpenAI.APIConnectionError) return true;
  return err instanceof OpenAI.APIError && (err.status === 429 || (err.status ?? 0) >= 500);
}

function keyAdvice(source: KeySource): string {
  switch (source) {
    case 'none':
      return 'no API key was given: set BLAZER_API_KEY (or OPENAI_API_KEY) to the key for this endpoint, or enter it in the trainer settings';
    case 'options':
      return 'the API key given in the trainer settings is wrong or not valid for this endpoint';
    default:
      return `the API key in ${source} is wrong or not valid for this endpoint: set ${source} to the right key`;
  }
}

function serverText(err: InstanceType<typeof OpenAI.APIError>): string {
  const body = err.error as { message?: unknown } | undefined;
  const text =
    typeof body?.message === 'string' && body.message.trim() ? body.message : 'the server gave no reason';
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > MAX_SERVER_TEXT ? `${oneLine.slice(0, MAX_SERVER_TEXT)}…` : oneLine;
}
