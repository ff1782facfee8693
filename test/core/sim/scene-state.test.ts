import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { openScene } from '../../../core/sim/open-scene.ts';
import {
  formatSceneState,
  readSceneState,
  SCENE_STATE_VERSION,
  sceneStateAs,
} from '../../../core/sim/scene-state.ts';
import { EpisodeSession } from '../../../core/episode/session.ts';
import { findTask } from '../../../core/tasks/registry.ts';
import { loadScene } from '../../../core/sim/scene.ts';

// Set BLAZER_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change of layout.
function expectGolden(name: string, text: string): void {
  const file = new URL(`../../golden/${name}.state.txt`, import.meta.url);
  if (process.env.BLAZER_UPDATE_GOLDEN) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('scene state as text', () => {
  it.each(['panda-cube', 'so100-cube'])(
    'matches the golden files for %s, in layouts v1 and v2',
    async (name) => {
      const scene = await openScene(name);
      try {
        const state = readSceneState(scene.sim, scene.arm);
        expect(state.version).toBe(SCENE_STATE_VERSION);
        expectGolden(`${name}.v2`, formatSceneState(state));
        expectGolden(`${name}.v1`, formatSceneState(sceneStateAs(state, 1)));
      } finally {
        scene.dispose();
      }
    },
  );

  // A drawer (slide, tray inside), bins and a pot (inside), buttons (slide along -z), colours.
  it.each([
    'put_block_in_drawer',
    'close_drawer',
    'put_block_in_closest_bin',
    'press_buttons_in_order',
    'take_lid_off',
  ])('matches the golden file of %s seed 0 (v2: articulated parts and containers)', async (id) => {
    const session = await EpisodeSession.open(await findTask(id), 0);
    try {
      expectGolden(`${id}.v2`, formatSceneState(session.initialState));
    } finally {
      session.dispose();
    }
  });

  it('reads v1 from a scene exactly as v2 without its additions', async () => {
    const session = await EpisodeSession.open(await findTask('put_block_in_drawer'), 4);
    try {
      const v2 = session.initialState;
      const v1 = sceneStateAs(v2, 1);
      expect(formatSceneState(v1)).not.toMatch(/colour|slides|inside|fingertips|do not change/);
      expect(v1.objects.map((o) => [o.name, o.position, o.yaw, o.size])).toEqual(
        v2.objects.map((o) => [o.name, o.position, o.yaw, o.size]),
      );
      const drawer = v2.objects.find((o) => o.name === 'cabinet_drawer')!;
      expect(drawer.slide).toMatchObject({ direction: '-x', travel: 0.16 });
      expect(drawer.slide!.moved).toBeGreaterThan(0.12);
      expect(drawer.inside!.floor).toBeCloseTo(0.03, 3);
    } finally {
      session.dispose();
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
