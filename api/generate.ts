// Data generation as an api call: progress arrives as events, the summary as the result.
import { z } from 'zod';
import { defineCall } from './contract.ts';
import { generate, type GenerationSummary } from '../core/generate/generate.ts';

export const generateRun = defineCall(
  'generate.run',
  z
    .object({
      db: z.string().min(1),
      tasks: z.union([z.literal('train'), z.literal('all'), z.array(z.string().min(1)).min(1)]),
      teacher: z.string().min(1),
      scenes: z.number().int().positive(),
      firstScene: z.number().int().nonnegative().optional(),
      samples: z.number().int().positive().default(1),
      temperature: z.number().min(0).max(2).optional(),
      format: z.enum(['code', 'json']).optional(),
      workers: z.number().int().min(1).max(64).optional(),
      concurrency: z.number().int().min(1).max(64).optional(),
      threads: z.number().int().min(1).max(256).optional(),
    })
    .strict(),
  (input, { emit, signal }): Promise<GenerationSummary> =>
    generate({
      ...input,
      signal,
      onProgress: (progress) => emit({ type: 'generation.progress', db: input.db, progress }),
    }),
);
