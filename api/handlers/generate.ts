// Data generation as an api call: progress arrives as events, the summary as the result.
import { resolve } from 'node:path';
import { generate } from '../../core/generate/generate.ts';
import type { Handlers } from '../dispatch.ts';

export const handlers: Handlers<'generate'> = {
  'generate.run': (input, { emit, signal }) =>
    generate({
      ...input,
      db: resolve(input.db),
      signal,
      onProgress: (progress) => emit({ type: 'generation.progress', db: input.db, progress }),
    }),
};
