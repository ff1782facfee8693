// From the contract's solver (who acts, as a caller names it) to core's: a person's program parsed,
// a model opened (kept warm for the next call) with its sampling settled.
import { runnableProgram } from '../../core/planner/programs.ts';
import type { SolverSpec } from '../../core/planner/solve.ts';
import type { Solver } from '../contract.ts';
import { withSharedModel } from '../resources.ts';

export async function withSolver<T>(
  solver: Solver,
  sceneSeed: number,
  use: (spec: SolverSpec) => Promise<T>,
): Promise<T> {
  switch (solver.kind) {
    case 'scripted':
    case 'none':
      return use(solver);
    case 'program':
      return use({ kind: 'program', program: runnableProgram(solver.source, solver.format) });
    case 'model':
      return withSharedModel(solver.model, { adapter: solver.adapter, threads: solver.threads }, (model) =>
        use({
          kind: 'model',
          model,
          format: solver.format,
          sampling: {
            temperature: solver.temperature,
            maxTokens: solver.maxTokens,
            seed: solver.samplingSeed ?? sceneSeed,
          },
        }),
      );
  }
}
