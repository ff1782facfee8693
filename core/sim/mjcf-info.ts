// A summary of a loaded MJCF model: counts and names of its parts, and whether it has an arm the
// primitives can drive.
import type { Simulation } from './simulation.ts';
import { armSpecFor } from './arm-spec.ts';
import { SimError } from './errors.ts';
import type { MjcfInfo } from '../../api/types.ts';

export function mjcfInfo(sim: Simulation): MjcfInfo {
  const { model, mj } = sim;
  let arm: MjcfInfo['arm'];
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
