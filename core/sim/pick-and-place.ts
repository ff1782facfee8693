// The demo's pick-and-place: one object onto a spot on the table, with the shared skills.
import type { Arm, PrimitiveResult } from './arm.ts';
import type { Simulation } from './simulation.ts';
import { readSceneState } from './scene-state.ts';
import { SimError } from './errors.ts';
import { pickAndPlace as pickAndPlaceSkill, type Robot } from './skills.ts';

export function pickAndPlace(
  sim: Simulation,
  arm: Arm,
  objectName: string,
  destination: [number, number, number],
  onStep?: (result: PrimitiveResult) => void,
): PrimitiveResult[] {
  const object = readSceneState(sim, arm).objects.find((o) => o.name === objectName);
  if (!object) throw new SimError('bad-input', `no object named '${objectName}' in the scene`);
  const results: PrimitiveResult[] = [];
  const record = (result: PrimitiveResult): PrimitiveResult => {
    results.push(result);
    onStep?.(result);
    return result;
  };
  const robot: Robot = {
    open_gripper: () => record(arm.openGripper()),
    close_gripper: () => record(arm.closeGripper()),
    move_gripper: (position, yaw) => record(arm.moveGripper(position, yaw)),
  };
  pickAndPlaceSkill(robot, object, [destination[0], destination[1]], destination[2]);
  return results;
}
