// Taught trajectories: the joints an operator moved the arm through (by hand, torque off, or by
// jogging), kept as <lab home>/robot/trajectories/<name>.json for replay. A file edited into
// something else is refused naming the file and what is wrong.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { RealTrajectory } from '../../api/types.ts';
import { writeFileAtomically } from '../files/atomic-write.ts';
import { labHome } from '../paths.ts';
import { RobotError } from './arm-controller.ts';
import { validateCalibrationName } from './calibration.ts';

const trajectorySchema = z
  .object({
    hz: z.number().positive(),
    jointNames: z.array(z.string()).length(6),
    frames: z.array(z.array(z.number().finite()).length(7)).min(1),
  })
  .strict();

export function trajectoriesDir(): string {
  return join(labHome(), 'robot', 'trajectories');
}

function pathOf(name: string): string {
  return join(trajectoriesDir(), `${validateCalibrationName(name)}.json`); // the same safe file names
}

export async function saveTrajectory(name: string, trajectory: RealTrajectory): Promise<string> {
  if (trajectory.frames.length === 0)
    throw new RobotError('empty', 'nothing was recorded: move the arm while teaching');
  await mkdir(trajectoriesDir(), { recursive: true });
  const path = pathOf(name);
  await writeFileAtomically(path, `${JSON.stringify(trajectory)}\n`);
  return path;
}

export async function loadTrajectory(name: string): Promise<RealTrajectory> {
  const path = pathOf(name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new RobotError('not-found', `no taught trajectory named "${name}" (looked for ${path})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RobotError('corrupt', `${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = trajectorySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RobotError('corrupt', `${path}: ${issue.path.join('.') || 'the file'}: ${issue.message}`);
  }
  return parsed.data;
}

export async function listTrajectories(): Promise<string[]> {
  try {
    return (await readdir(trajectoriesDir()))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Poses to replay: about `hz` per second of the recording, and always the last one. */
export function replayPoses(trajectory: RealTrajectory, hz = 5): number[][] {
  const poses: number[][] = [];
  let last = -Infinity;
  for (const [t, ...joints] of trajectory.frames) {
    if (t - last >= 1000 / hz) {
      poses.push(joints);
      last = t;
    }
  }
  const end = trajectory.frames.at(-1)!.slice(1);
  if (poses.at(-1) !== end && JSON.stringify(poses.at(-1)) !== JSON.stringify(end)) poses.push(end);
  return poses;
}
