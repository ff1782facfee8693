// Open a scene by name (a built-in one) or by MJCF path, with its arm at home when it has one.
import { existsSync } from 'node:fs';
import { Simulation } from './simulation.ts';
import { loadScene } from './scene.ts';
import { BUILTIN_SCENES } from './builtin-scenes.ts';
import { Arm } from './arm.ts';
import { SimError } from './errors.ts';

export interface OpenScene {
  sim: Simulation;
  arm?: Arm;
  dispose(): void;
}

const SETTLE_SECONDS = 0.2;

export async function openScene(nameOrPath: string): Promise<OpenScene> {
  const builtin = BUILTIN_SCENES[nameOrPath];
  if (!builtin && !existsSync(nameOrPath)) {
    throw new SimError(
      'bad-input',
      `'${nameOrPath}' is neither a built-in scene (${Object.keys(BUILTIN_SCENES).join(', ')}) nor an MJCF file`,
    );
  }
  const sim = builtin ? await loadScene(builtin) : await Simulation.fromFile(nameOrPath);
  let arm: Arm | undefined;
  try {
    arm = Arm.attach(sim);
    arm.goHome();
  } catch (err) {
    if (!(err instanceof SimError && err.kind === 'not-an-arm')) {
      sim.dispose();
      throw err;
    }
  }
  // Let objects settle on the table so the state describes a resting scene.
  sim.step(Math.round(SETTLE_SECONDS / sim.model.opt.timestep));
  return {
    sim,
    arm,
    dispose() {
      arm?.dispose();
      sim.dispose();
    },
  };
}
