// Data generation as an api call: progress arrives as events, the summary as the result.
import { adapterSpec, modelSpec, filePath } from '../access.ts';
import { generate } from '../../core/generate/generate.ts';
import type { Handlers } from '../dispatch.ts';

export const handlers: Handlers<'generate'> = {
  'generate.run': (input, context) =>
    generate({
      ...input,
      db: filePath(context, input.db, 'db'),
      teacher: input.teacher === 'scripted' ? 'scripted' : modelSpec(context, input.teacher, 'teacher'),
      ...(input.adapter ? { adapter: adapterSpec(context, input.adapter) } : {}),
      signal: context.signal,
      onProgress: (progress) => context.emit({ type: 'generation.progress', db: input.db, progress }),
    }),
};
