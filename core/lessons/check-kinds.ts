// The exercises a lesson step may declare (a ```check block): each kind's parameters as a schema,
// and the words and the input the student sees. Evaluating them is check-evaluate.ts's job.
import { z } from 'zod';
import type { LessonCheckKind, LessonCheckView } from '../../api/types.ts';

const task = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a task id (lab tasks list names them)');
const seed = z.number().int().nonnegative();
const words = z.string().min(1).max(500);

export const CHECK_SCHEMAS = {
  run: z
    .object({
      task,
      seed,
      solver: z.enum(['program', 'scripted', 'model', 'none']).default('program'),
      expect: z.enum(['success', 'failure', 'any']).default('success'),
      calls: z.enum(['move_gripper', 'open_gripper', 'close_gripper']).optional(),
    })
    .strict(),
  'scene-value': z
    .object({
      task,
      seed,
      object: words,
      field: z.enum(['x', 'y', 'z', 'yaw', 'length', 'width', 'height', 'opening']),
      tolerance: z.number().positive().default(0.01),
    })
    .strict(),
  choice: z
    .object({
      question: words,
      options: z
        .array(z.union([z.string(), z.number()]).transform(String))
        .min(2)
        .max(8),
      answer: z.union([z.string(), z.number()]).transform(String),
    })
    .strict()
    .refine((c) => c.options.includes(c.answer), {
      message: 'the answer must be one of the options',
      path: ['answer'],
    }),
  'find-episode': z.object({ failure: words, task: task.optional() }).strict(),
  dataset: z
    .object({
      episodes: z.number().int().min(1),
      successes: z.number().int().min(0).optional(),
      task: task.optional(),
      teacher: z.enum(['scripted', 'model']).optional(),
    })
    .strict(),
  evaluation: z.object({ task, split: z.enum(['train', 'heldout', 'both']).optional() }).strict(),
  'real-trial': z.object({ task: task.optional(), success: z.boolean().default(true) }).strict(),
} as const;

export type CheckParams = {
  [K in LessonCheckKind]: { kind: K } & z.output<(typeof CHECK_SCHEMAS)[K]>;
}[LessonCheckKind];

/**
 * Why a check is not met, as hints name it: how a program ended, what a primitive hit, what the
 * model's answer lacked, or what the check itself found.
 */
export const FAILURE_KINDS = [
  // a program (api/types.ts ProgramOutcomeKind, without 'completed')
  'syntax',
  'runtime',
  'forbidden',
  'recursion',
  'memory',
  'timeout',
  'output',
  'stopped',
  'sandbox-violation',
  'crash',
  // a primitive (PrimitiveStatus, without 'reached')
  'unreachable',
  'blocked',
  'invalid',
  // a model's answer
  'truncated',
  'no-program',
  'no-model',
  // the task, and the checks' own
  'task-failed',
  'missing-call',
  'wrong-answer',
  'bad-answer',
  'not-yet',
  'not-better',
];

export const CHECK_KINDS = Object.keys(CHECK_SCHEMAS) as LessonCheckKind[];

/** What the student sees of a check: what to do and what to hand in, never the answer. */
export function viewOf(check: CheckParams): LessonCheckView {
  switch (check.kind) {
    case 'run': {
      const who =
        check.solver === 'program'
          ? 'your program'
          : check.solver === 'model'
            ? 'a model'
            : check.solver === 'scripted'
              ? 'the scripted solution'
              : 'nobody acting';
      const outcome = check.expect === 'success' ? 'succeed' : check.expect === 'failure' ? 'fail' : 'finish';
      const calling = check.calls ? `, calling ${check.calls}()` : '';
      return {
        kind: check.kind,
        describe: `Run ${check.task} seed ${check.seed} with ${who}${calling} and see it ${outcome}.`,
        submit: check.solver === 'program' ? 'program' : check.solver === 'model' ? 'model' : 'nothing',
        task: check.task,
        seed: check.seed,
      };
    }
    case 'scene-value':
      return {
        kind: check.kind,
        describe: `In ${check.task} seed ${check.seed}: the ${check.field} of ${check.object}${unitOf(check.field)}.`,
        submit: 'number',
        task: check.task,
        seed: check.seed,
      };
    case 'choice':
      return { kind: check.kind, describe: check.question, submit: 'choice', options: check.options };
    case 'find-episode':
      return {
        kind: check.kind,
        describe: `Find an episode in your dataset that failed with '${check.failure}'${check.task ? ` on ${check.task}` : ''}, and give its id.`,
        submit: 'episode',
        ...(check.task ? { task: check.task } : {}),
      };
    case 'dataset':
      return {
        kind: check.kind,
        describe: `Your dataset holds at least ${check.episodes} episode${check.episodes === 1 ? '' : 's'}${check.task ? ` of ${check.task}` : ''}${check.teacher ? ` by ${check.teacher === 'model' ? 'a model' : 'the scripted teacher'}` : ''}${check.successes !== undefined ? `, ${check.successes} of them successes` : ''}.`,
        submit: 'dataset',
        ...(check.task ? { task: check.task } : {}),
      };
    case 'evaluation':
      return {
        kind: check.kind,
        describe: `Evaluate a fine-tuned adapter and its base model on ${check.task}${check.split === 'both' ? ' and on a held-out task' : check.split ? ` (${check.split} tasks)` : ''}: the adapter does better.`,
        submit: 'dataset',
        task: check.task,
      };
    case 'real-trial':
      return {
        kind: check.kind,
        describe: `Run a program on the real arm${check.task ? ` (${check.task})` : ''} and mark the trial ${check.success ? 'a success' : 'a failure'}.`,
        submit: 'dataset',
        ...(check.task ? { task: check.task } : {}),
      };
  }
}

function unitOf(field: string): string {
  if (field === 'yaw') return ', in radians';
  return ', in metres';
}
