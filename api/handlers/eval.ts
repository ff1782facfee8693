// Evaluation calls: run a model (with or without an adapter) on the evaluation seeds, list the
// evaluation runs of a dataset, and the paper-style table comparing them.
import { evaluate, evaluationSummary, listEvaluations } from '../../core/eval/evaluate.ts';
import { compareEvaluations, formatCompareTable } from '../../core/eval/compare.ts';
import type { Handlers } from '../dispatch.ts';
import { adapterSpec, filePath, modelSpec } from '../access.ts';
import { withDataset } from './dataset.ts';

export const handlers: Handlers<'eval'> = {
  'eval.run': (input, context) =>
    evaluate({
      ...input,
      db: filePath(context, input.db, 'db'),
      model: input.model === 'scripted' ? 'scripted' : modelSpec(context, input.model, 'model'),
      ...(input.adapter ? { adapter: adapterSpec(context, input.adapter) } : {}),
      signal: context.signal,
      onProgress: (progress) => context.emit({ type: 'eval.progress', db: input.db, progress }),
    }),
  'eval.list': async ({ db }, context) => withDataset(filePath(context, db, 'db'), listEvaluations),
  'eval.compare': async ({ db, runs }, context) =>
    withDataset(filePath(context, db, 'db'), (dataset) => {
      const table = compareEvaluations(runs.map((id) => evaluationSummary(dataset, id)));
      return { ...table, text: formatCompareTable(table) };
    }),
};
