// The paper's three primitives on any arm: open_gripper(), close_gripper() and
// move_gripper(position, yaw) with the gripper pointing down. Each runs in simulated time and
// reports what happened: reached, unreachable (with the closest pose), blocked, timeout or invalid.
import type { GripperPose, PrimitiveName, PrimitiveResult, PrimitiveStatus } from '../../api/types.ts';
import type { Simulation } from './simulation.ts';
import { BlockingContacts, subtreeBodies, type BlockingContact } from './contacts.ts';
import { armSpecFor, type ArmSpec } from './arm-spec.ts';
import { IkSolver } from './ik.ts';
import { planJointMove, sampleTrajectory } from './trajectory.ts';
import { downwardGripperMatrix, tiltFromDown, wrapAngle, wrapGripperYaw, yawOf } from './rotation.ts';
import type { Vec3 } from '../../api/types.ts';

export const REACH_POSITION_TOLERANCE = 0.005; // m
export const REACH_ANGLE_TOLERANCE = (3 * Math.PI) / 180;
/** An IK solution this close is good enough to move to; the motion itself is checked against the reach tolerances. */
const IK_ACCEPT = { position: 0.4 * REACH_POSITION_TOLERANCE, angle: 0.4 * REACH_ANGLE_TOLERANCE };
const TRACKING_LIMIT = 0.2; // rad between command and joint before a contact counts as blocking
const SETTLE_TIMEOUT = 1.5; // s after the trajectory ends
const GRIPPER_TIME = { min: 0.25, max: 1.2 };

export class Arm {
  private readonly qposAdr: number[];
  private readonly dofAdr: number[];
  private readonly ctrlAdr: number[];
  private readonly gripperCtrlAdr: number[];
  private readonly gripperQposAdr: number[];
  private readonly gripperDofAdr: number[];
  private readonly siteId: number;
  private readonly contacts: BlockingContacts;
  private readonly ik: IkSolver;

  private constructor(
    readonly sim: Simulation,
    readonly spec: ArmSpec,
  ) {
    const { model } = sim;
    const jointIds = spec.joints.map((name) => sim.id('joint', name));
    this.qposAdr = jointIds.map((j) => model.jnt_qposadr[j]);
    this.dofAdr = jointIds.map((j) => model.jnt_dofadr[j]);
    this.ctrlAdr = spec.jointActuators.map((name) => sim.id('actuator', name));
    this.gripperCtrlAdr = spec.gripperActuators.map((name) => sim.id('actuator', name));
    const gripperJointIds = spec.gripperJoints.map((name) => sim.id('joint', name));
    this.gripperQposAdr = gripperJointIds.map((j) => model.jnt_qposadr[j]);
    this.gripperDofAdr = gripperJointIds.map((j) => model.jnt_dofadr[j]);
    this.siteId = sim.id('site', spec.site);
    this.contacts = new BlockingContacts(
      sim,
      subtreeBodies(sim, model.body_rootid[model.jnt_bodyid[jointIds[0]]]),
      subtreeBodies(sim, model.site_bodyid[this.siteId]),
    );
    this.ik = new IkSolver(sim, jointIds, this.siteId);
  }

  /** Attach to the arm in a loaded scene; throws SimError('not-an-arm') with what is missing. */
  static attach(sim: Simulation, spec: ArmSpec = armSpecFor(sim)): Arm {
    const arm = new Arm(sim, spec);
    arm.holdCurrentPose();
    return arm;
  }

  /** Command every actuator to where the robot is now, so nothing moves until told to. */
  holdCurrentPose(): void {
    const { data } = this.sim;
    const qpos = data.qpos;
    const ctrl = data.ctrl;
    this.ctrlAdr.forEach((a, i) => (ctrl[a] = qpos[this.qposAdr[i]]));
  }

  /** Current joint values of the arm (not the gripper). */
  jointPositions(): number[] {
    const qpos = this.sim.data.qpos;
    return this.qposAdr.map((adr) => qpos[adr]);
  }

  /** Put the arm at joint values instantly (scene set-up, not a motion), and hold it there. */
  setJointPositions(q: ArrayLike<number>, gripper: 'open' | 'closed' = 'open'): void {
    const { data } = this.sim;
    const qpos = data.qpos;
    const ctrl = data.ctrl;
    this.qposAdr.forEach((adr, i) => (qpos[adr] = q[i]));
    this.ctrlAdr.forEach((a, i) => (ctrl[a] = q[i]));
    const targets = gripper === 'open' ? this.spec.gripperOpen : this.spec.gripperClosed;
    this.gripperCtrlAdr.forEach((a, i) => (ctrl[a] = targets[i]));
    this.gripperQposAdr.forEach((adr, i) => (qpos[adr] = Math.max(0, targets[i])));
    const qvel = data.qvel;
    [...this.dofAdr, ...this.gripperDofAdr].forEach((adr) => (qvel[adr] = 0));
    this.sim.forward();
  }

  /** Joint values of the model's "home" keyframe (the first keyframe), or the current ones. */
  homePositions(): number[] {
    const { model } = this.sim;
    const key = Math.max(0, this.sim.id('key', 'home'));
    if (model.nkey === 0) return this.jointPositions();
    const keyQpos = model.key_qpos;
    return this.qposAdr.map((adr) => keyQpos[key * model.nq + adr]);
  }

  /** Put the arm at its home pose with the gripper open (scene set-up). */
  goHome(): void {
    this.setJointPositions(this.homePositions(), 'open');
  }

  /** Solve IK for a downward gripper pose without moving (for set-up and reachability checks). */
  solve(position: Vec3, yaw: number): ReturnType<IkSolver['solve']> {
    return this.bestSolution(position, yaw);
  }

  pose(): GripperPose {
    const { data } = this.sim;
    const s = this.siteId;
    const xpos = data.site_xpos;
    const xmat = data.site_xmat.subarray(9 * s, 9 * s + 9);
    const qpos = data.qpos;
    return {
      position: [xpos[3 * s], xpos[3 * s + 1], xpos[3 * s + 2]],
      yaw: wrapGripperYaw(yawOf(xmat)),
      tilt: tiltFromDown(xmat),
      opening: this.spec.opening(this.gripperQposAdr.map((adr) => qpos[adr])),
    };
  }

  openGripper(): PrimitiveResult {
    return this.actuateGripper('open_gripper', this.spec.gripperOpen);
  }

  closeGripper(): PrimitiveResult {
    return this.actuateGripper('close_gripper', this.spec.gripperClosed);
  }

  moveGripper(position: readonly number[], yaw: number): PrimitiveResult {
    const start = this.sim.time;
    const invalid = invalidPoseReason(position, yaw);
    if (invalid) return this.result('move_gripper', 'invalid', invalid, start);
    const target = position as Vec3;

    const solution = this.bestSolution(target, yaw);
    if (!(
      solution.positionError <= REACH_POSITION_TOLERANCE && solution.angleError <= REACH_ANGLE_TOLERANCE
    )) {
      const closest = {
        position: solution.position.map(round4) as Vec3,
        yaw: round4(wrapGripperYaw(yawOf(solution.rotation))),
        positionError: round4(solution.positionError),
        angleError: round4(solution.angleError),
      };
      return {
        ...this.result(
          'move_gripper',
          'unreachable',
          `pose ${fmtVec(target)} yaw ${yaw.toFixed(3)} is out of reach: closest is ${(closest.positionError * 1000).toFixed(1)} mm and ${((closest.angleError * 180) / Math.PI).toFixed(1)} deg away at ${fmtVec(closest.position)}`,
          start,
        ),
        closest,
      };
    }

    const blocked = this.track(solution.q);
    if (blocked) {
      return {
        ...this.result(
          'move_gripper',
          'blocked',
          `motion blocked by contact between ${blocked.robot} and ${blocked.other}`,
          start,
        ),
        contact: blocked,
      };
    }
    const settled = this.settle(target, yaw);
    if (settled) return this.result('move_gripper', 'reached', `reached ${fmtVec(target)}`, start);
    const contact = this.contacts.find('settled');
    if (contact) {
      return {
        ...this.result(
          'move_gripper',
          'blocked',
          `stopped short by contact between ${contact.robot} and ${contact.other}`,
          start,
        ),
        contact,
      };
    }
    return this.result(
      'move_gripper',
      'timeout',
      `did not settle at ${fmtVec(target)} within ${SETTLE_TIMEOUT} s`,
      start,
    );
  }

  /** Step the simulation for `seconds` holding the current commands. */
  wait(seconds: number): void {
    this.sim.step(Math.round(seconds / this.sim.model.opt.timestep));
  }

  dispose(): void {
    this.ik.dispose();
  }

  private bestSolution(position: Vec3, yaw: number): ReturnType<IkSolver['solve']> {
    // The jaws look the same turned by pi: try the equivalent yaw nearer the wrist's current one.
    const s = this.siteId;
    const current = yawOf(this.sim.data.site_xmat.subarray(9 * s, 9 * s + 9));
    const turn = (a: number): number => Math.abs(wrapAngle(a - current));
    const candidates = [yaw, yaw + Math.PI].sort((a, b) => turn(a) - turn(b));
    const seeds = [this.jointPositions()];
    let best: ReturnType<IkSolver['solve']> | undefined;
    for (const candidate of candidates) {
      const solution = this.ik.solve({ position, rotation: downwardGripperMatrix(candidate) }, seeds, {
        accept: IK_ACCEPT,
      });
      if (
        !best ||
        solution.positionError + 0.25 * solution.angleError < best.positionError + 0.25 * best.angleError
      )
        best = solution;
      if (solution.positionError <= IK_ACCEPT.position && solution.angleError <= IK_ACCEPT.angle) break;
    }
    return best!;
  }

  /** Follow a min-jerk path to q; returns the blocking contact if the arm could not follow. */
  private track(q: Float64Array): BlockingContact | undefined {
    const { sim } = this;
    const { data } = sim;
    const dt = sim.model.opt.timestep;
    const from = Float64Array.from(this.ctrlAdr, (a) => data.ctrl[a]);
    const trajectory = planJointMove(from, q, this.spec.jointSpeed);
    const steps = Math.ceil(trajectory.duration / dt);
    const command = new Float64Array(q.length);
    const CHECK_EVERY = 10;
    for (let step = 0; step < steps; step += CHECK_EVERY) {
      const ctrl = data.ctrl;
      const chunk = Math.min(CHECK_EVERY, steps - step);
      for (let k = 1; k <= chunk; k++) {
        sampleTrajectory(trajectory, (step + k) * dt, command);
        for (let i = 0; i < command.length; i++) ctrl[this.ctrlAdr[i]] = command[i];
        sim.step(1);
      }
      if (this.trackingError() > TRACKING_LIMIT) {
        const contact = this.contacts.find('moving');
        if (contact) {
          this.holdCurrentPose();
          return contact;
        }
      }
    }
    return undefined;
  }

  private settle(target: Vec3, yaw: number): boolean {
    const dt = this.sim.model.opt.timestep;
    for (let t = 0; t <= SETTLE_TIMEOUT; t += 10 * dt) {
      const pose = this.pose();
      const err = Math.hypot(
        pose.position[0] - target[0],
        pose.position[1] - target[1],
        pose.position[2] - target[2],
      );
      const yawErr = Math.abs(wrapGripperYaw(pose.yaw - yaw));
      if (
        err < REACH_POSITION_TOLERANCE * 0.4 &&
        Math.hypot(yawErr, pose.tilt) < REACH_ANGLE_TOLERANCE * 0.5 &&
        this.armSpeed() < 0.02
      ) {
        return true;
      }
      this.sim.step(10);
    }
    const pose = this.pose();
    const err = Math.hypot(
      pose.position[0] - target[0],
      pose.position[1] - target[1],
      pose.position[2] - target[2],
    );
    const yawErr = Math.abs(wrapGripperYaw(pose.yaw - wrapGripperYaw(yaw)));
    return err < REACH_POSITION_TOLERANCE && Math.hypot(yawErr, pose.tilt) < REACH_ANGLE_TOLERANCE;
  }

  private actuateGripper(primitive: PrimitiveName, targets: number[]): PrimitiveResult {
    const { sim } = this;
    const start = sim.time;
    const ctrl = sim.data.ctrl;
    this.gripperCtrlAdr.forEach((a, i) => (ctrl[a] = targets[i]));
    // Run until the fingers stop (open, closed, or squeezing an object).
    const dt = sim.model.opt.timestep;
    sim.step(Math.round(GRIPPER_TIME.min / dt));
    while (sim.time - start < GRIPPER_TIME.max) {
      const qvel = sim.data.qvel;
      if (this.gripperDofAdr.every((adr) => Math.abs(qvel[adr]) < 0.002)) break;
      sim.step(10);
    }
    const opening = this.pose().opening;
    const verb = primitive === 'open_gripper' ? 'opened' : 'closed';
    return this.result(primitive, 'reached', `gripper ${verb} to ${(opening * 1000).toFixed(1)} mm`, start);
  }

  private trackingError(): number {
    const { qpos, ctrl } = this.sim.data;
    let largest = 0;
    for (let i = 0; i < this.ctrlAdr.length; i++)
      largest = Math.max(largest, Math.abs(ctrl[this.ctrlAdr[i]] - qpos[this.qposAdr[i]]));
    return largest;
  }

  private armSpeed(): number {
    const qvel = this.sim.data.qvel;
    return Math.max(...this.dofAdr.map((adr) => Math.abs(qvel[adr])));
  }

  private result(
    primitive: PrimitiveName,
    status: PrimitiveStatus,
    message: string,
    start: number,
  ): PrimitiveResult {
    return { primitive, status, message, duration: round4(this.sim.time - start), pose: this.pose() };
  }
}

function invalidPoseReason(position: readonly number[], yaw: number): string | undefined {
  if (!Array.isArray(position) || position.length !== 3) return 'position must be [x, y, z] in metres';
  if (!position.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return `position ${JSON.stringify(position)} has a non-finite number`;
  if (typeof yaw !== 'number' || !Number.isFinite(yaw))
    return `yaw ${String(yaw)} is not a finite number of radians`;
  return undefined;
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

function fmtVec(v: readonly number[]): string {
  return `[${v.map((x) => x.toFixed(3)).join(', ')}]`;
}
