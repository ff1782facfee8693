// What the 3D view is given: every visible shape with finite sizes and colours, meshes with their
// triangles, and body poses that follow the simulation.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../core/sim/simulation.ts';
import { loadScene } from '../../../core/sim/scene.ts';
import { bodyPoses, sceneGeometry } from '../../../core/sim/scene-geometry.ts';
import { findTask } from '../../../core/tasks/registry.ts';
import { EpisodeSession } from '../../../core/episode/session.ts';
import { scenesBuilt } from '../../../core/sim/scene.ts';
import { userArmModel } from '../../helpers.ts';

describe('scene geometry', () => {
  it('describes every visible geom of the Panda table scene with finite numbers', async () => {
    const sim = await loadScene({ arm: 'panda', objects: [] });
    try {
      const geometry = sceneGeometry(sim);
      expect(geometry.bodies).toHaveLength(sim.model.nbody);
      expect(geometry.bodies.map((b) => b.name)).toEqual(expect.arrayContaining(['table', 'hand']));
      const armGeoms = geometry.geoms.filter((g) => geometry.bodies[g.body].name !== 'table' && g.body !== 0);
      expect(armGeoms.length).toBeGreaterThan(10);
      for (const g of geometry.geoms) {
        for (const v of [...g.size, ...g.pos, ...g.quat, ...g.rgba]) expect(Number.isFinite(v)).toBe(true);
        expect(g.rgba[3]).toBeGreaterThan(0);
      }
      // The gripper site marker (group 4) is a helper, not a shape to draw.
      expect(geometry.geoms.some((g) => g.name === 'gripper')).toBe(false);
    } finally {
      sim.dispose();
    }
  });

  it('carries mesh triangles for a user arm with an STL mesh', async () => {
    const sim = await Simulation.fromFile(userArmModel());
    try {
      const geometry = sceneGeometry(sim);
      const meshGeom = geometry.geoms.find((g) => g.shape === 'mesh');
      expect(meshGeom).toBeDefined();
      const mesh = geometry.meshes[meshGeom!.mesh!];
      expect(mesh.vertices.length % 3).toBe(0);
      expect(mesh.faces.length % 3).toBe(0);
      expect(mesh.faces.length / 3).toBe(12); // the plate is a box: 12 triangles on 8 corners
      expect(mesh.vertices.length / 3).toBe(8);
      expect(Math.max(...mesh.faces)).toBeLessThan(mesh.vertices.length / 3);
    } finally {
      sim.dispose();
    }
  });

  it('gives each body its world pose with a unit quaternion', async () => {
    const sim = await loadScene({ arm: 'panda', objects: [] });
    try {
      const poses = bodyPoses(sim);
      expect(poses).toHaveLength(7 * sim.model.nbody);
      for (let b = 0; b < sim.model.nbody; b++) {
        const q = poses.slice(7 * b + 3, 7 * b + 7);
        expect(Math.hypot(...q)).toBeCloseTo(1, 3);
      }
    } finally {
      sim.dispose();
    }
  });
});

describe('episode views', () => {
  it('starts the recorded poses where the starting view is, and moves the block by the end, on one scene', async () => {
    const task = await findTask('pick_and_lift');
    const before = scenesBuilt();
    const session = await EpisodeSession.open(task, 3);
    const view = session.view();
    expect(view.stateText).toContain('scene state v2');
    const result = await session.run(undefined, { record: { hz: 30, poses: true } });
    expect(scenesBuilt() - before).toBe(1);
    expect(result.success).toBe(true);
    const frames = result.recording!.frames;
    expect(frames.length).toBeGreaterThan(30);
    expect(frames[0].poses).toEqual(view.poses);
    const block = view.geometry.bodies.findIndex((b) => b.name.endsWith('_block'));
    expect(block).toBeGreaterThan(0);
    const z = (poses: number[]): number => poses[7 * block + 2];
    expect(z(frames.at(-1)!.poses!) - z(frames[0].poses!)).toBeGreaterThan(0.05);
  });
});
