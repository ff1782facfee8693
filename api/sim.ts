// Simulation calls: describe a model, read a scene's textual state.
import { z } from 'zod';
import { defineCall } from './contract.ts';
import { Simulation } from '../core/sim/simulation.ts';
import { modelInfo, type ModelInfo } from '../core/sim/model-info.ts';
import { openScene } from '../core/sim/open-scene.ts';
import { readSceneState, type SceneState } from '../core/sim/scene-state.ts';

export const simInfo = defineCall(
  'sim.info',
  z.object({ model: z.string().min(1, 'a model path is required') }),
  async ({ model }): Promise<ModelInfo> => {
    const sim = await Simulation.fromFile(model);
    try {
      return modelInfo(sim);
    } finally {
      sim.dispose();
    }
  },
);

export const simState = defineCall(
  'sim.state',
  z.object({ scene: z.string().min(1, 'a scene name or model path is required') }),
  async ({ scene }): Promise<SceneState> => {
    const opened = await openScene(scene);
    try {
      return readSceneState(opened.sim, opened.arm);
    } finally {
      opened.dispose();
    }
  },
);
