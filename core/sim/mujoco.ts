// The one MuJoCo WebAssembly module per process (or worker). Instantiating costs ~0.2 s, so it is
// loaded once and shared; every model and data object made from it must be deleted by its owner.
import loadMujocoModule from '@mujoco/mujoco';
import type { MainModule, MjModel, MjData } from '@mujoco/mujoco';

export type Mujoco = MainModule;
export type { MjModel, MjData };

let modulePromise: Promise<Mujoco> | undefined;

export function loadMujoco(): Promise<Mujoco> {
  modulePromise ??= loadMujocoModule();
  return modulePromise;
}

/** After "Could not allocate memory" the module is corrupt (notes/mujoco.md §6): drop it. */
export function discardMujoco(): void {
  modulePromise = undefined;
}

export const MJ_OBJ = {
  body: 1,
  joint: 3,
  geom: 5,
  site: 6,
  actuator: 19,
  key: 24,
} as const;
