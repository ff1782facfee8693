// One dispatch for every shell: look the call up in the contract, refuse what this shell may not
// call, validate the input against the call's schema (naming the field at fault), then run its
// handler. Handlers are loaded by area on first use, so a quick command never loads the whole lab.
import {
  CALLS,
  type CallArea,
  type CallName,
  type CallResult,
  type CallsOf,
  type LabEvent,
  type ParsedInput,
} from './contract.ts';
import { ApiError } from './errors.ts';
import type { FileAccess } from './access.ts';

/** Who is calling. */
export interface Shell {
  /** The CLI and the desktop app serve the lab's own operator; a web server's clients are remote. */
  local: boolean;
  /** How callers name files (host paths unless given: a remote shell names them in its data folder). */
  files?: FileAccess;
  /** The dataset the UI opens unless told otherwise (lab serve --db); else one in the lab's folder. */
  defaultDb?: string;
  /** Who is calling, for sharing the lab fairly among a server's clients (their address). */
  client?: string;
  /** A student of `lab serve`'s class link: their name; `files` and `defaultDb` are inside their own folder. */
  student?: string;
  /** Whether this caller may see every student's progress (the operator, lab serve's teacher link). */
  teacher?: boolean;
  /** `lab serve --robot`: a browser on the lab machine itself may drive the real arm. */
  robot?: boolean;
  /** Where a server runs its heavy calls (api/call-workers.ts), off its event loop. */
  offThread?: { run(call: string, input: unknown, context: CallContext): Promise<unknown> };
}

/** What a running call can use besides its input. */
export interface CallContext {
  /** Tell the caller something before the result (progress, streamed text). */
  emit: (event: LabEvent) => void;
  /** Fires when the caller stops the call. */
  signal: AbortSignal;
  shell: Shell;
}

export type Handler<K extends CallName> = (
  input: ParsedInput<K>,
  context: CallContext,
) => Promise<CallResult<K>>;
/** Every call of one area: a handler module exports exactly these, checked by the compiler. */
export type Handlers<Area extends CallArea> = { [K in CallsOf<Area>]: Handler<K> };

const AREAS: { [Area in CallArea]: () => Promise<{ handlers: Handlers<Area> }> } = {
  app: () => import('./handlers/app.ts'),
  sim: () => import('./handlers/sim.ts'),
  tasks: () => import('./handlers/tasks.ts'),
  scene: () => import('./handlers/episodes.ts'),
  train: () => import('./handlers/train.ts'),
  adapters: () => import('./handlers/adapters.ts'),
  eval: () => import('./handlers/eval.ts'),
  episode: () => import('./handlers/episodes.ts'),
  dataset: () => import('./handlers/dataset.ts'),
  generate: () => import('./handlers/generate.ts'),
  models: () => import('./handlers/models.ts'),
  robot: () => import('./handlers/robot.ts'),
  lessons: () => import('./handlers/lessons.ts'),
};

export async function dispatch(name: unknown, input: unknown, context: CallContext): Promise<unknown> {
  if (typeof name !== 'string' || !Object.hasOwn(CALLS, name))
    throw new ApiError('unknown-call', `unknown api call '${String(name).slice(0, 100)}'`);
  const call = name as CallName;
  const spec = CALLS[call];
  if (spec.local && !context.shell.local)
    throw new ApiError(
      'forbidden',
      `${call} is for the lab's operator only (the desktop app or the lab command), not for clients of lab serve`,
    );
  if ('teacher' in spec && spec.teacher && context.shell.student !== undefined)
    throw new ApiError(
      'forbidden',
      `${call} changes what the whole class shares or shows every student: it is for the teacher (lab serve's teacher link or the lab's own machine)`,
    );
  if ('robot' in spec && spec.robot && !mayDriveTheArm(context.shell))
    throw new ApiError(
      'forbidden',
      `${call} drives the real arm: only the lab's operator may (the desktop app, the lab command, or a browser on the lab machine itself when lab serve was started with --robot)`,
    );
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.length ? issue.path.join('.') : 'input',
      message: issue.message,
    }));
    throw new ApiError(
      'bad-request',
      `${call}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  const offThread = spec.offThread as ((input: unknown) => boolean) | undefined;
  if (context.shell.offThread && offThread?.(parsed.data))
    return context.shell.offThread.run(call, input, context);
  const handler = await handlerFor(call);
  return handler(parsed.data as ParsedInput<CallName>, context);
}

/** The handler of a call, its area's module loaded on first use. */
export async function handlerFor(call: CallName): Promise<Handler<CallName>> {
  const area = call.slice(0, call.indexOf('.')) as CallArea;
  const { handlers } = await AREAS[area]();
  return (handlers as unknown as Record<string, Handler<CallName>>)[call];
}

/** The operator's own shells, or a browser on the lab machine when the server allows the arm. */
function mayDriveTheArm(shell: Shell): boolean {
  if (shell.local) return true;
  const client = shell.client ?? '';
  return (
    shell.robot === true && (client === '127.0.0.1' || client === '::1' || client === '::ffff:127.0.0.1')
  );
}
