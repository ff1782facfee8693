// The demo's pick-and-place: one object onto a spot on the table, with the shared skills.
import type { Arm } from './arm.ts';
import type { Simulation } from './simulation.ts';
import { readSceneState } from './scene-state.ts';
import { SimError } from './errors.ts';
import { pickAndPlace as pickAndPlaceSkill, type Robot } from './skills.ts';
import { openScene } from './open-scene.ts';
import type { ArmName, DemoResult, PrimitiveResult } from '../../api/types.ts';

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

/** Where the demo puts the red cube, per arm. */
const DEMO_DESTINATION: Record<ArmName, [number, number, number]> = {
  panda: [0.6, -0.05, 0.002],
  so100: [0.16, -0.1, 0],
};

/** `lab demo`: the arm picks the red cube of the built-in cube scene and puts it down elsewhere. */
export async function runDemo(
  armName: ArmName,
  onStep?: (result: PrimitiveResult) => void,
): Promise<DemoResult> {
  const destination = DEMO_DESTINATION[armName];
  const scene = await openScene(`${armName}-cube`);
  try {
    const before = readSceneState(scene.sim, scene.arm);
    const started = performance.now();
    const results = pickAndPlace(scene.sim, scene.arm!, 'red_cube', destination, onStep);
    const state = readSceneState(scene.sim, scene.arm);
    const cube = state.objects.find((o) => o.name === 'red_cube')!;
    return {
      arm: armName,
      destination,
      placed: Math.hypot(cube.position[0] - destination[0], cube.position[1] - destination[1]) < 0.03,
      primitives: results.length,
      simSeconds: Number(scene.sim.time.toFixed(3)),
      wallSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      results,
      before,
      state,
    };
  } finally {
    scene.dispose();
  }
}
