// Turning a model's answer into something runnable: the Python code block of a code answer, or
// the validated steps of a JSON plan. Failures name what was wrong with the answer.
import { z } from 'zod';
import { LabError } from '../errors.ts';

export class AnswerError extends LabError {
  constructor(message: string) {
    super('no-program', message);
  }
}

/** The Python program in an answer: the last ```python block (or the last fenced block). */
export function extractPythonProgram(answer: string): string {
  const blocks = [...answer.matchAll(/```([a-zA-Z0-9_-]*)[^\n]*\n([\s\S]*?)```/g)];
  const python = blocks.filter((b) => /^(python|py)$/i.test(b[1]));
  const chosen = (python.length ? python : blocks).at(-1);
  if (!chosen) throw new AnswerError('the answer has no ```python code block');
  const code = chosen[2].trim();
  if (!code) throw new AnswerError("the answer's code block is empty");
  return code + '\n';
}

const position = z.tuple([z.number(), z.number(), z.number()]);
const step = z.discriminatedUnion('primitive', [
  z.object({ primitive: z.literal('open_gripper') }),
  z.object({ primitive: z.literal('close_gripper'), object: z.string().optional() }),
  z.object({ primitive: z.literal('move_gripper'), position, yaw: z.number().default(0) }),
]);
export const jsonPlanSchema = z.object({
  steps: z.array(step).min(1, 'a plan needs at least one step').max(200),
});
export type JsonPlan = z.infer<typeof jsonPlanSchema>;

/** The JSON schema given to models (a grammar for local ones) for the json format: every step is
 * one of the three primitives with exactly the fields it needs, and a plan has at least one step. */
export const JSON_PLAN_JSON_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 200,
      items: {
        oneOf: [
          { type: 'object', properties: { primitive: { const: 'open_gripper' } }, required: ['primitive'] },
          { type: 'object', properties: { primitive: { const: 'close_gripper' } }, required: ['primitive'] },
          {
            type: 'object',
            properties: {
              primitive: { const: 'move_gripper' },
              position: { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 },
              yaw: { type: 'number' },
            },
            required: ['primitive', 'position', 'yaw'],
          },
        ],
      },
    },
  },
  required: ['steps'],
};

export function parseJsonPlan(answer: string): JsonPlan {
  const start = answer.indexOf('{');
  const end = answer.lastIndexOf('}');
  if (start < 0 || end < start) throw new AnswerError('the answer has no JSON object');
  let value: unknown;
  try {
    value = JSON.parse(answer.slice(start, end + 1));
  } catch (err) {
    throw new AnswerError(`the answer is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = jsonPlanSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AnswerError(
      `the plan does not fit the schema at ${issue.path.join('.') || 'the top'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** A JSON plan as the equivalent Python program, so people can read and rerun it. */
export function planToPython(plan: JsonPlan): string {
  const lines = plan.steps.map((s) =>
    s.primitive === 'move_gripper'
      ? `move_gripper([${s.position.map((v) => JSON.stringify(v)).join(', ')}], ${JSON.stringify(s.yaw)})`
      : `${s.primitive}()`,
  );
  return lines.join('\n') + '\n';
}
