// Shared by the sandbox tests: a scene, and a robot that records calls instead of moving (the
// sandbox, not the physics, is under test).
import type { SceneState } from '../../../api/types.ts';
import type { Robot } from '../../../core/sim/skills.ts';
import type { PrimitiveResult } from '../../../api/types.ts';
import type { CallHandler, ProgramOutcome, SandboxLimits } from '../../../core/sandbox/python-sandbox.ts';
import { robotCallHandler } from '../../../core/planner/primitive-calls.ts';

export const STATE: SceneState = {
  version: 1,
  objects: [{ name: 'red_block', position: [0.5, 0.1, 0.02], yaw: 0.3, size: [0.04, 0.04, 0.04] }],
  gripper: { position: [0.46, 0, 0.4], yaw: 0, opening: 0.08 },
};

export function recordingRobot(): { robot: Robot; calls: string[] } {
  const calls: string[] = [];
  const done = (primitive: PrimitiveResult['primitive']): PrimitiveResult => ({
    primitive,
    status: 'reached',
    message: 'ok',
    duration: 0,
    pose: { position: [0, 0, 0], yaw: 0, tilt: 0, opening: 0 },
  });
  return {
    calls,
    robot: {
      open_gripper: () => (calls.push('open'), done('open_gripper')),
      close_gripper: () => (calls.push('close'), done('close_gripper')),
      move_gripper: (p, yaw) => (calls.push(`move ${p.join(',')} ${yaw}`), done('move_gripper')),
    },
  };
}

/** Anything that runs programs: a PythonSandbox or a SandboxPool. */
export interface ProgramRunner {
  run(
    program: string,
    state: SceneState,
    onCall: CallHandler,
    limits?: Partial<SandboxLimits>,
  ): Promise<ProgramOutcome>;
}

/** Run a program with a recording robot; the outcome plus the calls that reached the robot. */
export async function runRecorded(
  runner: ProgramRunner,
  program: string,
  limits?: Partial<SandboxLimits>,
): Promise<ProgramOutcome & { calls: string[] }> {
  const { robot, calls } = recordingRobot();
  const outcome = await runner.run(program, STATE, robotCallHandler(robot, 'panda'), limits);
  return { ...outcome, calls };
}

/** A short route from any program to the real `sys` module: os._wrap_close's globals (os is always loaded). */
export const SYS =
  '[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_wrap_close"][0].__init__.__globals__["sys"]';

/**
 * A program that rigs the interpreter: it patches exec so that every later program first replays
 * `solution` in its own namespace (on a reused interpreter, `pass` would then succeed).
 */
export function riggingProgram(solution: string): string {
  return [
    `b = ${SYS}.modules["builtins"]`,
    'real = b.exec',
    `SOLUTION = ${JSON.stringify(solution)}`,
    'def replay(code, ns=None, *rest):',
    '    try:',
    '        real(SOLUTION, ns)',
    '    except BaseException:',
    '        pass',
    '    return real(code, ns, *rest)',
    'b.exec = replay',
  ].join('\n');
}
