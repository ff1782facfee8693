import { afterEach, describe, expect, it } from 'vitest';
import { loadScene } from '../../../core/sim/scene.ts';
import { Arm, REACH_ANGLE_TOLERANCE, REACH_POSITION_TOLERANCE } from '../../../core/sim/arm.ts';
import type { Simulation } from '../../../core/sim/simulation.ts';
import { wrapGripperYaw } from '../../../core/sim/rotation.ts';
import { randomTargets } from './arm-workspace.ts';
import type { ArmName } from '../../../api/types.ts';

const ARMS: ArmName[] = ['panda', 'so100'];
const CUBE = { panda: { size: 0.04, at: [0.5, 0.1] }, so100: { size: 0.04, at: [0.2, 0.05] } } as const;

let open: { sim: Simulation; arm: Arm } | undefined;
afterEach(() => {
  open?.arm.dispose();
  open?.sim.dispose();
  open = undefined;
});

async function scene(armName: ArmName, withCube = false): Promise<{ sim: Simulation; arm: Arm }> {
  const { size, at } = CUBE[armName];
  const objects = withCube
    ? [
        {
          name: 'cube',
          shape: 'box' as const,
          size: [size, size, size] as [number, number, number],
          position: [at[0], at[1], size / 2] as [number, number, number],
          yaw: 0.3,
        },
      ]
    : [];
  const sim = await loadScene({ arm: armName, objects });
  const arm = Arm.attach(sim);
  arm.goHome();
  open = { sim, arm };
  return open;
}

describe.each(ARMS)('%s arm primitives', (armName) => {
  it('reaches 100 random reachable targets within 5 mm and 3 degrees, in simulation', async () => {
    const { arm } = await scene(armName);
    const misses: string[] = [];
    for (const target of randomTargets(armName, 100, 2026)) {
      const result = arm.moveGripper(target.position, target.yaw);
      const { position, yaw, tilt } = arm.pose();
      const positionError = Math.hypot(
        position[0] - target.position[0],
        position[1] - target.position[1],
        position[2] - target.position[2],
      );
      const angleError = Math.hypot(wrapGripperYaw(yaw - target.yaw), tilt);
      if (
        result.status !== 'reached' ||
        positionError > REACH_POSITION_TOLERANCE ||
        angleError > REACH_ANGLE_TOLERANCE
      ) {
        misses.push(
          `${JSON.stringify(target)}: ${result.status} ${(positionError * 1000).toFixed(1)} mm ${((angleError * 180) / Math.PI).toFixed(1)} deg`,
        );
      }
    }
    expect(misses).toEqual([]);
  });

  it('reports an unreachable target as unreachable, with the closest pose, and does not move', async () => {
    const { arm } = await scene(armName);
    const before = arm.jointPositions();
    const result = arm.moveGripper([1.5, 0.2, 0.3], 0);
    expect(result.status).toBe('unreachable');
    expect(result.closest!.positionError).toBeGreaterThan(0.3);
    expect(result.message).toMatch(/out of reach: closest is \d+\.\d mm/);
    expect(arm.jointPositions()).toEqual(before);
  });

  it('grasps a 4 cm cube, lifts it 10 cm and holds it for 2 s', async () => {
    const { sim, arm } = await scene(armName, true);
    const [x, y] = CUBE[armName].at;
    const z = CUBE[armName].size / 2;
    const cube = sim.id('body', 'cube');
    const cubeZ = (): number => sim.data.xpos[3 * cube + 2];
    expect(arm.openGripper().status).toBe('reached');
    expect(arm.moveGripper([x, y, z + 0.1], 0.3).status).toBe('reached');
    expect(arm.moveGripper([x, y, z], 0.3).status).toBe('reached');
    const close = arm.closeGripper();
    expect(close.pose.opening).toBeGreaterThan(0.03); // stopped by the cube, not closed on air
    expect(arm.moveGripper([x, y, z + 0.1], 0.3).status).toBe('reached');
    expect(cubeZ() - z).toBeGreaterThan(0.09);
    const lifted = cubeZ();
    arm.wait(2);
    expect(cubeZ()).toBeGreaterThan(lifted - 0.005);
    expect(cubeZ() - z).toBeGreaterThan(0.09);
  });

  it('stops when the gripper is driven into the table and names the contact', async () => {
    const { arm } = await scene(armName);
    const x = armName === 'panda' ? 0.5 : 0.18;
    const result = arm.moveGripper([x, 0, -0.05], 0);
    expect(result.status).toBe('blocked');
    expect(result.contact?.other).toBe('table_top');
    expect(result.pose.position[2]).toBeGreaterThan(-0.01);
  });

  it('refuses non-finite numbers before anything moves', async () => {
    const { arm } = await scene(armName);
    const before = arm.jointPositions();
    expect(arm.moveGripper([0.4, Number.NaN, 0.1], 0)).toMatchObject({
      status: 'invalid',
      message: expect.stringMatching(/non-finite/),
    });
    expect(arm.moveGripper([0.4, 0, 0.1], Number.POSITIVE_INFINITY).status).toBe('invalid');
    expect(arm.moveGripper([0.4, 0] as unknown as number[], 0).status).toBe('invalid');
    expect(arm.jointPositions()).toEqual(before);
  });
});
