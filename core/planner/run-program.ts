// Run a Python robot program (an LLM's or a person's) on a task through the sandbox: every
// primitive call is validated by the parent, executed in the simulation, and the task's verifier
// decides success.
import type { ArmName } from '../sim/scene.ts';
import type { TaskDefinition } from '../tasks/types.ts';
import { runEpisode, type EpisodeResult, type Program } from '../tasks/episode.ts';
import { PythonSandbox, type SandboxLimits } from '../sandbox/python-sandbox.ts';
import { robotCallHandler } from './primitive-calls.ts';
import type { PythonRunner } from './attempt.ts';
import { setupEpisode } from '../tasks/episode.ts';

export interface ProgramRunOptions {
  arm?: ArmName;
  sandbox: PythonSandbox;
  limits?: Partial<SandboxLimits>;
  recordHz?: number;
}

export function pythonProgram(
  source: string,
  arm: ArmName,
  sandbox: PythonRunner,
  limits?: Partial<SandboxLimits>,
): Program {
  return (robot, state) => sandbox.run(source, state, robotCallHandler(robot, arm), limits);
}

export async function runPythonProgram<P>(
  task: TaskDefinition<P>,
  seed: number,
  source: string,
  options: ProgramRunOptions,
): Promise<EpisodeResult> {
  const arm = setupEpisode(task, seed, options.arm).arm;
  return runEpisode(task, seed, {
    arm,
    recordHz: options.recordHz,
    program: pythonProgram(source, arm, options.sandbox, options.limits),
  });
}
