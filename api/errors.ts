// Which errors are the user's to fix (a bad file, a bad argument, a missing model) and so are shown
// as their message, and which are bugs that deserve a stack. Every shell reports errors this way.
import { ApiError } from './contract.ts';
import { SimError } from '../core/sim/errors.ts';
import { DatasetError } from '../core/dataset/open-dataset.ts';
import { RegistryError } from '../core/llm/model-registry.ts';
import { ModelFileError } from '../core/llm/gguf-info.ts';
import { LocalModelError } from '../core/llm/local-model.ts';
import { AnswerError } from '../core/planner/parse.ts';

const USER_ERRORS = [
  SimError,
  ApiError,
  ModelFileError,
  LocalModelError,
  RegistryError,
  DatasetError,
  AnswerError,
];

export function isUserError(err: unknown): err is Error {
  return USER_ERRORS.some((kind) => err instanceof kind);
}

/** An error as plain data for a shell to show: the message, and whether it was expected. */
export interface ErrorReport {
  kind: string;
  message: string;
  expected: boolean;
}

export function reportError(err: unknown): ErrorReport {
  if (isUserError(err)) return { kind: err.name, message: err.message, expected: true };
  if (err instanceof Error && err.name === 'AbortError')
    return { kind: 'aborted', message: 'stopped', expected: true };
  return {
    kind: 'unexpected',
    message: `unexpected error: ${err instanceof Error ? err.message : String(err)}`,
    expected: false,
  };
}
