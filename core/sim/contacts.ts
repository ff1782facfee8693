// Which contacts stop a robot arm, and the body-tree helpers that answer it.
import type { Simulation } from './simulation.ts';

export type MotionPhase = 'moving' | 'settled';
export interface BlockingContact {
  robot: string;
  other: string;
}

/** A body and every body below it in the kinematic tree (MuJoCo numbers children after parents). */
export function subtreeBodies(sim: Simulation, root: number): Set<number> {
  const parent = sim.model.body_parentid;
  const bodies = new Set<number>([root]);
  for (let b = root + 1; b < sim.model.nbody; b++) if (bodies.has(parent[b])) bodies.add(b);
  return bodies;
}

/** A geom's name, else its body's name, for messages. */
export function geomLabel(sim: Simulation, geom: number): string {
  return sim.name('geom', geom) || sim.name('body', sim.model.geom_bodyid[geom]) || `geom ${geom}`;
}

export class BlockingContacts {
  constructor(
    private readonly sim: Simulation,
    /** Every body of the robot, base included. */
    private readonly robotBodies: Set<number>,
    /** The gripper and its fingers: the part allowed to touch and push objects. */
    private readonly gripperBodies: Set<number>,
  ) {}

  /**
   * A contact that stops the arm: any part of the arm against anything else, or the gripper against
   * something it cannot move. While moving, only the world (the table, a bin wall) stops the
   * gripper: a free object or a part on a joint (a drawer, a button) gives way. Once the arm has
   * settled short of its target, a part on a joint that held it there counts too.
   */
  find(phase: MotionPhase): BlockingContact | undefined {
    const { sim } = this;
    const geomBody = sim.model.geom_bodyid;
    const contacts = sim.data.contact;
    try {
      for (let i = 0; i < contacts.size(); i++) {
        const contact = contacts.get(i)!;
        const a = contact.geom1;
        const b = contact.geom2;
        const aRobot = this.robotBodies.has(geomBody[a]);
        const bRobot = this.robotBodies.has(geomBody[b]);
        if (aRobot === bRobot) continue;
        const [robot, other] = aRobot ? [a, b] : [b, a];
        if (this.gripperBodies.has(geomBody[robot]) && !this.immovable(geomBody[other], phase)) continue;
        return { robot: geomLabel(sim, robot), other: geomLabel(sim, other) };
      }
    } finally {
      contacts.delete();
    }
    return undefined;
  }

  /** Welded to the world; or, once settled, part of something anchored to it (a drawer, a button cap). */
  private immovable(body: number, phase: MotionPhase): boolean {
    const { model } = this.sim;
    if (model.body_weldid[body] === 0) return true;
    if (phase === 'moving') return false;
    const root = model.body_rootid[body];
    const firstJoint = model.body_jntadr[root];
    return !(firstJoint >= 0 && model.jnt_type[firstJoint] === 0); // its root has no free joint
  }
}
