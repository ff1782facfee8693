// Named scenes that ship with the app: an arm on the table with a cube, for demos, the CLI and tests.
import type { SceneSpec } from './scene.ts';

export const BUILTIN_SCENES: Record<string, SceneSpec> = {
  'panda-table': { arm: 'panda', objects: [] },
  'so100-table': { arm: 'so100', objects: [] },
  'panda-cube': {
    arm: 'panda',
    objects: [
      {
        name: 'red_cube',
        shape: 'box',
        size: [0.04, 0.04, 0.04],
        position: [0.5, 0.1, 0.02],
        yaw: 0.3,
        rgba: [0.85, 0.15, 0.15, 1],
      },
      {
        name: 'blue_cube',
        shape: 'box',
        size: [0.04, 0.04, 0.04],
        position: [0.45, -0.15, 0.02],
        yaw: -0.5,
        rgba: [0.15, 0.3, 0.85, 1],
      },
      {
        name: 'target_pad',
        shape: 'box',
        size: [0.1, 0.1, 0.002],
        position: [0.6, -0.05, 0.001],
        fixed: true,
        rgba: [0.2, 0.7, 0.3, 1],
      },
    ],
  },
  'so100-cube': {
    arm: 'so100',
    objects: [
      {
        name: 'red_cube',
        shape: 'box',
        size: [0.03, 0.03, 0.03],
        position: [0.17, 0.05, 0.015],
        yaw: 0.2,
        mass: 0.02,
        rgba: [0.85, 0.15, 0.15, 1],
      },
    ],
  },
};
