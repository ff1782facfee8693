// Prompt and scene-state versions: what blazer-prompt-v1 gave a model, and what a stored episode
// did, captured with the v1 code itself (commit 4d4b3d7, before v2 existed), must come back exactly
// from today's code: v1 prompts are rebuilt word for word and stored programs re-run to the same
// trace and final state.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EpisodeSession } from '../../../core/episode/session.ts';
import { findTask } from '../../../core/tasks/registry.ts';
import { buildPrompt, PROMPT_TEMPLATE_VERSION } from '../../../core/planner/prompt.ts';
import { sceneStateAs } from '../../../core/sim/scene-state.ts';
import { PythonSandbox } from '../../../core/sandbox/python-sandbox.ts';
import { solveTask } from '../../../core/planner/solve.ts';
import { runnableProgram } from '../../../core/planner/programs.ts';

const golden = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../golden/${file}`, import.meta.url), 'utf8'));
const program = (file: string): string =>
  readFileSync(new URL(`../../fixtures/programs/${file}`, import.meta.url), 'utf8');
const sandbox = new PythonSandbox();
afterAll(() => sandbox.dispose());

describe('prompt versions', () => {
  it('uses blazer-prompt-v2 for new attempts', () => {
    expect(PROMPT_TEMPLATE_VERSION).toBe('blazer-prompt-v2');
  });

  it.each([
    ['put_block_in_drawer', 0],
    ['press_buttons_in_order', 1],
  ])('rebuilds the v1 prompt of %s seed %i word for word', async (id, seed) => {
    const session = await EpisodeSession.open(await findTask(id), seed);
    try {
      const messages = buildPrompt(
        session.setup.instruction,
        session.initialState,
        'code',
        [],
        'blazer-prompt-v1',
      );
      expect(messages).toEqual(golden(`${id}.seed${seed}.v1.prompt.json`));
    } finally {
      session.dispose();
    }
  });

  it.each([
    ['open_drawer', 1, 'pull_handle.py'],
    ['put_block_in_bin', 3, 'bin_pick_place.py'],
  ])(
    're-runs a program of %s seed %i to the trace and final state the v1 code gave',
    async (id, seed, file) => {
      const { result } = await solveTask(
        await findTask(id),
        seed,
        { kind: 'program', program: runnableProgram(program(file), 'code') },
        { sandbox },
      );
      const { taskId, arm, success, reason, primitiveCalls, trace, simSeconds } = result;
      expect({
        taskId,
        seed: result.seed,
        arm,
        success,
        reason,
        primitiveCalls,
        trace,
        simSeconds,
        finalState: sceneStateAs(result.finalState, 1),
      }).toEqual(golden(`${id}.seed${seed}.v1-episode.json`));
    },
  );
});
