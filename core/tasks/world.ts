// A read-only view of the simulation for task verifiers: poses of named bodies, joint values,
// contacts and the gripper. Verifiers use this and nothing else, so they stay easy to test.
import type { Simulation } from '../sim/simulation.ts';
import type { Arm } from '../sim/arm.ts';
import { SimError } from '../sim/errors.ts';
import { subtreeBodies } from '../sim/contacts.ts';
import type { Vec3 } from '../../api/types.ts';
import type { GripperPose } from '../../api/types.ts';

export class WorldView {
  constructor(
    readonly sim: Simulation,
    private readonly arm: Arm,
  ) {}

  private body(name: string): number {
    const id = this.sim.id('body', name);
    if (id < 0) throw new SimError('bad-input', `the scene has no body named '${name}'`);
    return id;
  }

  /** Origin of a body (the centre of a block built by the scene builder). */
  position(name: string): Vec3 {
    const b = this.body(name);
    const xpos = this.sim.data.xpos;
    return [xpos[3 * b], xpos[3 * b + 1], xpos[3 * b + 2]];
  }

  /** The body's z axis in world coordinates: (0, 0, 1) when upright. */
  upAxis(name: string): Vec3 {
    const b = this.body(name);
    const m = this.sim.data.xmat;
    return [m[9 * b + 2], m[9 * b + 5], m[9 * b + 8]];
  }

  /** Angle (rad) between the body's z axis and world up. */
  tilt(name: string): number {
    return Math.acos(Math.min(1, Math.max(-1, this.upAxis(name)[2])));
  }

  joint(name: string): number {
    const j = this.sim.id('joint', name);
    if (j < 0) throw new SimError('bad-input', `the scene has no joint named '${name}'`);
    return this.sim.data.qpos[this.sim.model.jnt_qposadr[j]];
  }

  gripper(): GripperPose {
    return this.arm.pose();
  }

  /** True when any geom of body `a` (with its children) touches any geom of body `b` (with its children). */
  touching(a: string, b: string): boolean {
    const { model, data } = this.sim;
    const inA = subtreeBodies(this.sim, this.body(a));
    const inB = subtreeBodies(this.sim, this.body(b));
    const geomBody = model.geom_bodyid;
    const contacts = data.contact;
    try {
      for (let i = 0; i < contacts.size(); i++) {
        const c = contacts.get(i)!;
        const b1 = geomBody[c.geom1];
        const b2 = geomBody[c.geom2];
        if ((inA.has(b1) && inB.has(b2)) || (inA.has(b2) && inB.has(b1))) return true;
      }
    } finally {
      contacts.delete();
    }
    return false;
  }

  /** True when the robot's gripper touches the body: it is held or pushed, not resting. */
  gripperTouches(name: string): boolean {
    const siteBody = this.sim.model.site_bodyid[this.sim.id('site', this.arm.spec.site)];
    return this.touching(this.sim.name('body', siteBody), name);
  }
}
