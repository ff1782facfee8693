// The lab as the CLI reaches it: the same typed client as the UI's, in this process. Commands keep
// to argv and printing; every call's input is checked by the api's schema, and a field at fault is
// named as the flag the user typed.
import { inProcessLab } from '../api/in-process.ts';
import { LabCallError, type CallOptions, type LabClient } from '../api/framing.ts';
import type { CallInput, CallName, CallResult } from '../api/contract.ts';
import { disposeResources } from '../api/resources.ts';
import { UsageError } from './args.ts';

let client: LabClient | undefined;

export function lab(): LabClient {
  client ??= inProcessLab({ local: true });
  return client;
}

/**
 * Call the lab; input the schema refuses becomes a usage error naming the flags (`flags` maps a
 * field to its flag where the names differ: { recordTo: '--record' }).
 */
export async function call<K extends CallName>(
  name: K,
  input: CallInput<K>,
  options: CallOptions & { flags?: Record<string, string> } = {},
): Promise<CallResult<K>> {
  try {
    return await lab().call(name, input, options);
  } catch (err) {
    if (err instanceof LabCallError && err.kind === 'bad-request' && err.issues)
      throw new UsageError(describeBadInput(err, options.flags, input));
    throw err;
  }
}

/** Release what calls kept warm (the Python runner, a loaded model) so the process can exit. */
export async function closeLab(): Promise<void> {
  if (client) await disposeResources();
}

/**
 * A refused input as the user typed it: each field at fault as its flag (`seed` -> `--seed`,
 * `solver.temperature` -> `--temperature`), one line.
 */
export function describeBadInput(
  err: LabCallError,
  flags: Record<string, string> = {},
  input?: unknown,
): string {
  if (!err.issues?.length) return err.message;
  return err.issues
    .map(({ path, message }) => {
      const field = path.split('.');
      const last = field.at(-1)!;
      const flag = flags[path] ?? flags[last] ?? `--${last.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      const given = field.reduce<unknown>(
        (value, key) => (value as Record<string, unknown> | undefined)?.[key],
        input,
      );
      const shown =
        typeof given === 'string' || typeof given === 'number' ? ` (got ${JSON.stringify(given)})` : '';
      return `${flag}: ${message.replace(/^Invalid input: /, '')}${shown}`;
    })
    .join('; ');
}
