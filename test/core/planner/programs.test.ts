// Python programs run on real tasks through the sandbox: a correct one solves the task, a hostile
// one never moves the robot.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PythonSandbox } from '../../../core/sandbox/python-sandbox.ts';
import { solveTask } from '../../../core/planner/solve.ts';
import { runnableProgram } from '../../../core/planner/programs.ts';
import { findTask } from '../../../core/tasks/registry.ts';

const sandbox = new PythonSandbox();
afterAll(() => sandbox.dispose());
async function runPythonProgram(
  task: Awaited<ReturnType<typeof findTask>>,
  seed: number,
  source: string,
  options: { sandbox: PythonSandbox },
) {
  const program = runnableProgram(source, 'code');
  return (await solveTask(task, seed, { kind: 'program', program }, options)).result;
}

const program = readFileSync(new URL('../../fixtures/programs/bin_pick_place.py', import.meta.url), 'utf8');

describe('running a Python program on a task', () => {
  it('solves put_block_in_bin with a hand-written program through the sandbox', async () => {
    const task = await findTask('put_block_in_bin');
    for (const seed of [0, 1]) {
      const result = await runPythonProgram(task, seed, program, { sandbox });
      expect(result.program).toMatchObject({ ok: true, kind: 'completed', primitiveCalls: 9 });
      expect(result.trace.map((r) => r.status)).toEqual(Array(9).fill('reached'));
      expect(result.success, result.reason).toBe(true);
    }
  });

  it('stops at a NaN coordinate before anything moves', async () => {
    const task = await findTask('put_block_in_bin');
    const result = await runPythonProgram(
      task,
      0,
      'open_gripper()\nmove_gripper([0.5, float("nan"), 0.1], 0)\nclose_gripper()',
      { sandbox },
    );
    expect(result.program).toMatchObject({ ok: false, kind: 'stopped', line: 2 });
    expect(result.program!.message).toMatch(/position\[1\] is nan/);
    expect(result.trace.map((r) => r.primitive)).toEqual(['open_gripper']);
    expect(result.initialState.gripper).toEqual(result.finalState.gripper);
    expect(result.success).toBe(false);
  });

  it('reports an unreachable pose back to the program, which can react', async () => {
    const task = await findTask('reach_target');
    const result = await runPythonProgram(
      task,
      0,
      'r = move_gripper([0.9, 0.6, 0.7], 0)\nprint(r["status"])\nt = objects["target"]\nmove_gripper(list(t.position), 0)',
      { sandbox },
    );
    expect(result.program).toMatchObject({ ok: true, output: 'unreachable\n' });
    expect(result.trace[0].status).toBe('unreachable');
    expect(result.success).toBe(true);
  });
});
