// Programs written from the blazer-prompt-v2 text alone, as a model would write them: by someone
// who saw only `lab prompt`'s output for two scenes of each task and never the code
// (test/fixtures/programs/v2/<task>.py, one per task, reading the scene from `objects`). A model
// writes for one instruction; these serve every scene of a task, so each gets the instruction as
// `INSTRUCTION = "..."` on its first line. Each must solve its task on the scenes it was written
// from and on ones it never saw. When one fails after a change, the prompt or the scene state
// stopped telling a model something it needs.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { PythonSandbox } from '../../../core/sandbox/python-sandbox.ts';
import { solveTask } from '../../../core/planner/solve.ts';
import { runnableProgram } from '../../../core/planner/programs.ts';
import { findTask, loadTasks } from '../../../core/tasks/registry.ts';
import { episodeSetup } from '../../../core/episode/setup.ts';

const DIR = new URL('../../fixtures/programs/v2/', import.meta.url);
const SEEDS = [0, 1, 2, 3]; // 0 and 1 were in the prompts the programs were written from; 2 and 3 were not
const programs = readdirSync(DIR)
  .filter((f) => f.endsWith('.py'))
  .map((f) => f.replace(/\.py$/, ''))
  .sort();
const sandbox = new PythonSandbox();
afterAll(() => sandbox.dispose());

describe('programs written from the v2 prompt alone', () => {
  it('cover every task', async () => {
    expect(programs).toEqual((await loadTasks()).map((t) => t.id).sort());
  });

  it.each(programs.flatMap((id) => SEEDS.map((seed) => [id, seed] as const)))(
    '%s seed %i succeeds',
    async (id, seed) => {
      const task = await findTask(id);
      const instruction = episodeSetup(task, seed).instruction;
      const source = `INSTRUCTION = ${JSON.stringify(instruction)}\n${readFileSync(new URL(`${id}.py`, DIR), 'utf8')}`;
      const { result } = await solveTask(
        task,
        seed,
        { kind: 'program', program: runnableProgram(source, 'code') },
        { sandbox },
      );
      expect(result.program?.ok, result.program?.message).toBe(true);
      expect(result.success, result.reason).toBe(true);
    },
    60_000,
  );
});
