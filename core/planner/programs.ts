// Programs as data and as something to run: Python source (through the sandbox) or a JSON plan
// (step by step, no interpreter), turned into the function an episode runs. Every primitive call
// either one makes goes through the same validation before anything moves.
import type { Program } from '../episode/session.ts';
import type { PythonSandbox, SandboxLimits } from '../sandbox/python-sandbox.ts';
import type { Robot } from '../sim/skills.ts';
import { robotCallHandler } from './primitive-calls.ts';
import { parseJsonPlan, planToPython, type JsonPlan } from './parse.ts';
import type { ArmName, ProgramFormat, ProgramOutcome } from '../../api/types.ts';

/** Anything that runs Python programs: a PythonSandbox or a SandboxPool. */
export type PythonRunner = Pick<PythonSandbox, 'run'>;

/** A program ready to run: Python source, or a JSON plan's steps (shown as Python in `source`). */
export interface RunnableProgram {
  format: ProgramFormat;
  source: string;
  plan?: JsonPlan;
}

/** A person's program text as runnable: a JSON plan is checked now (AnswerError names what is wrong). */
export function runnableProgram(source: string, format: ProgramFormat): RunnableProgram {
  if (format === 'code') return { format, source };
  const plan = parseJsonPlan(source);
  return { format, source: planToPython(plan), plan };
}

/** The function an episode runs for a program. */
export function programFor(
  program: RunnableProgram,
  arm: ArmName,
  sandbox: PythonRunner | undefined,
  limits?: Partial<SandboxLimits>,
): Program {
  if (program.plan) {
    const plan = program.plan;
    return (robot) => executeJsonPlan(plan, robot, arm);
  }
  if (!sandbox) throw new Error('a Python program needs a sandbox');
  return (robot, state) => sandbox.run(program.source, state, robotCallHandler(robot, arm), limits);
}

/** Run a JSON plan's steps in order through the same validation as a Python program's calls. */
export function executeJsonPlan(plan: JsonPlan, robot: Robot, arm: ArmName): ProgramOutcome {
  const handle = robotCallHandler(robot, arm);
  let calls = 0;
  for (const [index, step] of plan.steps.entries()) {
    calls++;
    const reply = handle(step.primitive, step.primitive === 'move_gripper' ? [step.position, step.yaw] : []);
    if ('stop' in reply) {
      return {
        ok: false,
        kind: 'stopped',
        message: `step ${index + 1}: ${reply.stop}`,
        output: '',
        primitiveCalls: calls,
        runnerSeconds: 0,
      };
    }
  }
  return {
    ok: true,
    kind: 'completed',
    message: 'the plan ran to its end',
    output: '',
    primitiveCalls: calls,
    runnerSeconds: 0,
  };
}
