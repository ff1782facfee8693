// The scripted teacher as a model: it answers every prompt with the task's reference answer. A task
// that has one is solved through the same path as a model's attempt (prompt, answer, program taken
// out, run in the sandbox, verified), so its episodes carry everything a student can learn from.
import type { ChatModel, GenerationResult } from '../llm/types.ts';
import type { TaskDefinition } from '../tasks/types.ts';
import type { ModelDescription } from '../../api/types.ts';

export const SCRIPTED_MODEL_ID = 'scripted';

export function referenceModel(task: Pick<TaskDefinition, 'id' | 'reference'>): ChatModel {
  const answer = task.reference;
  if (answer === undefined) throw new RangeError(`task '${task.id}' has no reference answer`);
  return {
    describe: (): ModelDescription => ({ id: SCRIPTED_MODEL_ID, kind: 'scripted' }),
    chat: async (): Promise<GenerationResult> => ({
      text: answer,
      tokens: 0,
      seconds: 0,
      finishReason: 'stop',
    }),
    dispose: async () => undefined,
  };
}
