// A summary of a loaded model: counts and names of its parts, and whether it has an arm the
// primitives can drive.
import type { Simulation } from './simulation.ts';
import { armSpecFor } from './arm-spec.ts';
import { SimError } from './errors.ts';

export interface ModelInfo {
  source: string;
  mujocoVersion: string;
  timestep: number;
  counts: { bodies: number; joints: number; actuators: number; sites: number; geoms: number; dofs: number };
  bodies: string[];
  joints: string[];
  actuators: string[];
  sites: string[];
  /** The arm the primitives would drive, or why there is none. */
  arm: { joints: string[]; gripperActuators: string[] } | { none: string };
}

export function modelInfo(sim: Simulation): ModelInfo {
  const { model, mj } = sim;
  let arm: ModelInfo['arm'];
  try {
    const spec = armSpecFor(sim);
    arm = { joints: spec.joints, gripperActuators: spec.gripperActuators };
  } catch (err) {
    if (!(err instanceof SimError)) throw err;
    arm = { none: err.message };
  }
  const label = (names: string[], kind: string): string[] =>
    names.map((n, i) => n || `(unnamed ${kind} ${i})`);
  return {
    source: sim.source,
    mujocoVersion: mj.mj_versionString(),
    timestep: model.opt.timestep,
    counts: {
      bodies: model.nbody,
      joints: model.njnt,
      actuators: model.nu,
      sites: model.nsite,
      geoms: model.ngeom,
      dofs: model.nv,
    },
    bodies: label(sim.names('body'), 'body'),
    joints: label(sim.names('joint'), 'joint'),
    actuators: label(sim.names('actuator'), 'actuator'),
    sites: label(sim.names('site'), 'site'),
    arm,
  };
}

export function formatModelInfo(info: ModelInfo): string {
  const list = (names: string[]): string => (names.length ? names.join(', ') : '(none)');
  const c = info.counts;
  return (
    [
      `${info.source} (MuJoCo ${info.mujocoVersion}, timestep ${info.timestep} s)`,
      `bodies     ${String(c.bodies).padStart(3)}  ${list(info.bodies)}`,
      `joints     ${String(c.joints).padStart(3)}  ${list(info.joints)}`,
      `actuators  ${String(c.actuators).padStart(3)}  ${list(info.actuators)}`,
      `sites      ${String(c.sites).padStart(3)}  ${list(info.sites)}`,
      `geoms      ${String(c.geoms).padStart(3)}`,
      'joints' in info.arm
        ? `arm        joints ${info.arm.joints.join(', ')}; gripper ${info.arm.gripperActuators.join(', ')}`
        : `arm        none: ${info.arm.none}`,
    ].join('\n') + '\n'
  );
}
