// The attack from the issue, end to end on a real task: a program that rigs the interpreter so
// that every later program first replays a solution. A later `pass` must be scored as the failure
// it is, and a real solution after it as a success.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PythonSandbox } from '../../../core/sandbox/python-sandbox.ts';
import { solveTask } from '../../../core/planner/solve.ts';
import { runnableProgram } from '../../../core/planner/programs.ts';
import { findTask } from '../../../core/tasks/registry.ts';
import { riggingProgram } from './helpers.ts';

const sandbox = new PythonSandbox();
type Task = Awaited<ReturnType<typeof findTask>>;
const runPythonProgram = async (task: Task, seed: number, source: string) =>
  (await solveTask(task, seed, { kind: 'program', program: runnableProgram(source, 'code') }, { sandbox }))
    .result;
afterAll(() => sandbox.dispose());
const solution = readFileSync(new URL('../../fixtures/programs/bin_pick_place.py', import.meta.url), 'utf8');

const rigging = riggingProgram(solution);

describe('scoring after a hostile program', () => {
  it('scores `pass` as a failure and a real solution as a success after a program rigged the interpreter', async () => {
    const task = await findTask('put_block_in_bin');
    await runPythonProgram(task, 0, rigging);
    const idle = await runPythonProgram(task, 0, 'pass');
    expect(idle.trace).toEqual([]);
    expect(idle.success).toBe(false);
    const solved = await runPythonProgram(task, 1, solution);
    expect(solved.program).toMatchObject({ ok: true, primitiveCalls: 9 });
    expect(solved.success, solved.reason).toBe(true);
  });
});
