// What the primitives need to know about an arm, for the built-in arms and for a user's MJCF.
import { SimError } from './errors.ts';
import type { Simulation } from './simulation.ts';

export interface ArmSpec {
  /** Arm joints from base to wrist, and the position actuator driving each. */
  joints: string[];
  jointActuators: string[];
  /** The site between the fingers; its z axis is the approach direction. */
  site: string;
  /** Gripper actuators and their targets when open and when closed. */
  gripperActuators: string[];
  gripperOpen: number[];
  gripperClosed: number[];
  /** Opening between the fingers in metres, from the gripper joints' positions. */
  opening: (gripperJointPositions: number[]) => number;
  gripperJoints: string[];
  /** Cruise joint speed for planned motions, rad/s. */
  jointSpeed: number;
}

const GRIPPER_SITE = 'gripper';

export const BUILTIN_ARMS: Record<string, ArmSpec> = {
  panda: {
    joints: ['joint1', 'joint2', 'joint3', 'joint4', 'joint5', 'joint6', 'joint7'],
    jointActuators: ['joint1', 'joint2', 'joint3', 'joint4', 'joint5', 'joint6', 'joint7'],
    site: GRIPPER_SITE,
    gripperActuators: ['finger_left', 'finger_right'],
    gripperOpen: [0.04, 0.04],
    gripperClosed: [0, 0],
    gripperJoints: ['finger_left', 'finger_right'],
    opening: ([left, right]) => left + right,
    jointSpeed: 1.2,
  },
  so100: {
    joints: ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll'],
    jointActuators: ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll'],
    site: GRIPPER_SITE,
    gripperActuators: ['jaw'],
    gripperOpen: [1.0],
    gripperClosed: [0],
    gripperJoints: ['jaw'],
    // The moving jaw's pad is 0.08 m from its hinge: opening within ~3 mm of 0.08 sin(jaw).
    opening: ([jaw]) => (jaw <= 0 ? 0 : 0.003 + 0.08 * Math.sin(jaw)),
    jointSpeed: 1.5,
  },
};

/**
 * The spec for a loaded model: a built-in one when its joints are all present, otherwise one
 * inferred from a user's MJCF (site "gripper", the hinge joints above it, actuators named
 * like gripper/finger/jaw).
 */
export function armSpecFor(sim: Simulation): ArmSpec {
  if (sim.id('site', GRIPPER_SITE) < 0) {
    throw new SimError(
      'not-an-arm',
      `${sim.source} has no site named '${GRIPPER_SITE}': add <site name="gripper"/> between the fingers, z axis along the approach`,
    );
  }
  for (const spec of Object.values(BUILTIN_ARMS)) {
    if ([...spec.joints, ...spec.gripperJoints].every((j) => sim.id('joint', j) >= 0)) return spec;
  }
  return inferArmSpec(sim);
}

function inferArmSpec(sim: Simulation): ArmSpec {
  const { model } = sim;
  const siteBody = model.site_bodyid[sim.id('site', GRIPPER_SITE)];
  const chain: string[] = [];
  for (let body = siteBody; body > 0; body = model.body_parentid[body]) {
    const first = model.body_jntadr[body];
    for (let j = first + model.body_jntnum[body] - 1; j >= first && first >= 0; j--) {
      if (model.jnt_type[j] === 3 || model.jnt_type[j] === 2) chain.unshift(sim.name('joint', j)); // hinge or slide
    }
  }
  const actuatorJoint = (a: number): string => sim.name('joint', model.actuator_trnid[2 * a]);
  const actuators = sim.names('actuator');
  const actuatorOf = (joint: string): string | undefined =>
    actuators.find((_, a) => actuatorJoint(a) === joint);
  const missing = chain.filter((joint) => actuatorOf(joint) === undefined);
  if (chain.length < 3 || missing.length > 0) {
    throw new SimError(
      'not-an-arm',
      chain.length < 3
        ? `${sim.source}: the site 'gripper' hangs on fewer than 3 joints; it is not an arm`
        : `${sim.source}: joint(s) ${missing.join(', ')} above the gripper have no position actuator`,
    );
  }
  const gripperActuators = actuators.filter(
    (name, a) => /gripper|finger|jaw|claw/i.test(name) && !chain.includes(actuatorJoint(a)),
  );
  if (gripperActuators.length === 0) {
    throw new SimError(
      'not-an-arm',
      `${sim.source}: no gripper actuator (an actuator named like 'gripper', 'finger', 'jaw' or 'claw')`,
    );
  }
  const range = (name: string): [number, number] => {
    const a = sim.id('actuator', name);
    return [model.actuator_ctrlrange[2 * a], model.actuator_ctrlrange[2 * a + 1]];
  };
  const gripperJoints = gripperActuators.map((name) => actuatorJoint(sim.id('actuator', name)));
  return {
    joints: chain,
    jointActuators: chain.map((joint) => actuatorOf(joint)!),
    site: GRIPPER_SITE,
    gripperActuators,
    gripperOpen: gripperActuators.map((name) => range(name)[1]),
    gripperClosed: gripperActuators.map((name) => range(name)[0]),
    gripperJoints,
    opening: (positions) => positions.reduce((sum, q) => sum + Math.abs(q), 0),
    jointSpeed: 1.0,
  };
}
