// A scripted pick-and-place written with the same three primitives and the same scene state an
// LLM program gets: the reference way to move one object onto a spot.
import type { Arm, PrimitiveResult } from './arm.ts';
import type { Simulation } from './simulation.ts';
import { readSceneState } from './scene-state.ts';
import { SimError } from './errors.ts';

export const SAFE_HEIGHT = 0.1; // the paper's approach and leave height above the target
const RELEASE_CLEARANCE = 0.02; // the paper's release height above the destination's top

export function pickAndPlace(
  sim: Simulation,
  arm: Arm,
  objectName: string,
  destination: [number, number, number],
  onStep?: (result: PrimitiveResult) => void,
): PrimitiveResult[] {
  const object = readSceneState(sim, arm).objects.find((o) => o.name === objectName);
  if (!object) throw new SimError('bad-input', `no object named '${objectName}' in the scene`);
  const [x, y, z] = object.position;
  const height = object.size[2];
  const results: PrimitiveResult[] = [];
  const run = (result: PrimitiveResult): PrimitiveResult => {
    results.push(result);
    onStep?.(result);
    return result;
  };
  run(arm.openGripper());
  run(arm.moveGripper([x, y, z + SAFE_HEIGHT], object.yaw));
  run(arm.moveGripper([x, y, z], object.yaw));
  run(arm.closeGripper());
  run(arm.moveGripper([x, y, z + SAFE_HEIGHT], object.yaw));
  const [dx, dy, dz] = destination;
  const releaseZ = dz + RELEASE_CLEARANCE + height / 2;
  run(arm.moveGripper([dx, dy, releaseZ + SAFE_HEIGHT], object.yaw));
  run(arm.moveGripper([dx, dy, releaseZ], object.yaw));
  run(arm.openGripper());
  run(arm.moveGripper([dx, dy, releaseZ + SAFE_HEIGHT], object.yaw));
  return results;
}
