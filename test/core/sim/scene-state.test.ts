import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openScene } from '../../../core/sim/open-scene.ts';
import { formatSceneState, readSceneState } from '../../../core/sim/scene-state.ts';
import { loadScene } from '../../../core/sim/scene.ts';

const golden = (name: string): string =>
  readFileSync(new URL(`../../golden/${name}.state.txt`, import.meta.url), 'utf8');

describe('scene state as text', () => {
  it.each(['panda-cube', 'so100-cube'])('matches the golden file for %s', async (name) => {
    const scene = await openScene(name);
    try {
      expect(formatSceneState(readSceneState(scene.sim, scene.arm))).toBe(golden(name));
    } finally {
      scene.dispose();
    }
  });

  it('gives centre, yaw and l, w, h of a long rotated box and a cylinder', async () => {
    const sim = await loadScene({
      arm: 'panda',
      objects: [
        { name: 'plank', shape: 'box', size: [0.12, 0.03, 0.02], position: [0.4, -0.2, 0.01], yaw: 2.5 },
        { name: 'can', shape: 'cylinder', size: [0.06, 0.06, 0.1], position: [0.6, 0.1, 0.05] },
      ],
    });
    try {
      const state = readSceneState(sim);
      expect(state.objects).toEqual([
        { name: 'plank', position: [0.4, -0.2, 0.01], yaw: 2.5, size: [0.12, 0.03, 0.02] },
        { name: 'can', position: [0.6, 0.1, 0.05], yaw: 0, size: [0.06, 0.06, 0.1] },
      ]);
      expect(state.gripper).toBeUndefined();
    } finally {
      sim.dispose();
    }
  });
});
