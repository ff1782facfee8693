// Simulation calls: describe an MJCF model, read a scene's textual state, the pick-and-place demo.
import { Simulation } from '../../core/sim/simulation.ts';
import { mjcfInfo } from '../../core/sim/mjcf-info.ts';
import { openScene } from '../../core/sim/open-scene.ts';
import { formatSceneState, readSceneState } from '../../core/sim/scene-state.ts';
import { runDemo } from '../../core/sim/pick-and-place.ts';
import type { Handlers } from '../dispatch.ts';
import { filePath } from '../access.ts';
import { BUILTIN_SCENES } from '../../core/sim/builtin-scenes.ts';

export const handlers: Handlers<'sim'> = {
  'sim.info': async ({ model }, context) => {
    const sim = await Simulation.fromFile(filePath(context, model, 'model'));
    try {
      return mjcfInfo(sim);
    } finally {
      sim.dispose();
    }
  },
  'sim.state': async ({ scene }, context) => {
    const opened = await openScene(scene in BUILTIN_SCENES ? scene : filePath(context, scene, 'scene'));
    try {
      const state = readSceneState(opened.sim, opened.arm);
      return { state, text: formatSceneState(state) };
    } finally {
      opened.dispose();
    }
  },
  'sim.demo': async ({ arm }, { emit }) => runDemo(arm, (result) => emit({ type: 'episode.step', result })),
};
