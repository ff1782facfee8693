// Random gripper targets inside each built-in arm's comfortable workspace (gripper pointing down).
import { seededRandom, uniform } from '../../../core/random.ts';
import type { ArmName } from '../../../api/types.ts';

export interface Target {
  position: [number, number, number];
  yaw: number;
}

export function randomTargets(arm: ArmName, count: number, seed: number): Target[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const yaw = uniform(random, -Math.PI / 2, Math.PI / 2);
    if (arm === 'panda') {
      return {
        position: [uniform(random, 0.3, 0.65), uniform(random, -0.3, 0.3), uniform(random, 0.03, 0.35)],
        yaw,
      };
    }
    const radius = uniform(random, 0.12, 0.21);
    const azimuth = uniform(random, -0.8, 0.8);
    return {
      position: [radius * Math.cos(azimuth), radius * Math.sin(azimuth), uniform(random, 0.02, 0.09)],
      yaw,
    };
  });
}
