// From the contract's solver (who acts, as a caller names it) to core's: a person's program parsed,
// a model opened (kept warm for the next call) with its sampling settled.
import { runnableProgram } from '../../core/planner/programs.ts';
import type { SolverSpec } from '../../core/planner/solve.ts';
import type { Solver } from '../contract.ts';
import { withSharedModel } from '../resources.ts';
import { adapterSpec, modelSpec } from '../access.ts';
import type { CallContext } from '../dispatch.ts';

export async function withSolver<T>(
  solver: Solver,
  sceneSeed: number,
  context: Pick<CallContext, 'shell'>,
  use: (spec: SolverSpec) => Promise<T>,
): Promise<T> {
  switch (solver.kind) {
    case 'scripted':
    case 'none':
      return use(solver);
    case 'program':
      return use({ kind: 'program', program: runnableProgram(solver.source, solver.format) });
    case 'model':
      return withSharedModel(
        modelSpec(context, solver.model, 'solver.model'),
        {
          adapter: solver.adapter === undefined ? undefined : adapterSpec(context, solver.adapter),
          threads: solver.threads,
        },
        (model) =>
          use({
            kind: 'model',
            model,
            format: solver.format,
            sampling: {
              temperature: solver.temperature,
              ...(solver.maxTokens !== undefined ? { maxTokens: solver.maxTokens } : {}),
              seed: solver.samplingSeed ?? sceneSeed,
            },
          }),
      );
  }
}
