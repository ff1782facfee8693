// Inverse kinematics for a gripper site: damped least squares on the site Jacobian (position and
// orientation), joint limits by clamping, and restarts from seeded random configurations. Works on
// a private MjData so the simulated robot never moves while we search.
import type { Simulation } from './simulation.ts';
import type { MjData } from './mujoco.ts';
import { angleBetween, orientationError } from './rotation.ts';
import { solveSpd } from './linalg.ts';
import { seededRandom } from '../random.ts';

export interface IkTarget {
  position: ArrayLike<number>;
  rotation: ArrayLike<number>; // row-major 3x3
}

export interface IkSolution {
  q: Float64Array;
  positionError: number; // metres
  angleError: number; // radians
  converged: boolean;
  position: [number, number, number];
  rotation: number[];
}

export interface IkOptions {
  positionTolerance?: number;
  angleTolerance?: number;
  maxIterations?: number;
  restarts?: number;
  /** Stop searching once a solution is this good (defaults to twice the tolerances). */
  accept?: { position: number; angle: number };
}

const ROTATION_WEIGHT = 0.25; // metres per radian: how much orientation error counts against position
const DAMPING = 0.02;
const MAX_JOINT_STEP = 0.25; // rad per iteration, keeps the linearisation honest
const STALL_ITERATIONS = 12;

export class IkSolver {
  private readonly scratch: MjData;
  private readonly qposAdr: number[];
  private readonly dofAdr: number[];
  private readonly lower: number[];
  private readonly upper: number[];
  private readonly jacp: { GetView(): Float64Array; delete(): void };
  private readonly jacr: { GetView(): Float64Array; delete(): void };
  private readonly n: number;
  private disposed = false;

  constructor(
    private readonly sim: Simulation,
    jointIds: number[],
    private readonly siteId: number,
  ) {
    const { mj, model } = sim;
    this.scratch = new mj.MjData(model);
    const jntQposAdr = model.jnt_qposadr;
    const jntDofAdr = model.jnt_dofadr;
    const range = model.jnt_range;
    // jnt_limited is a bool array the wasm bindings cannot return; unlimited joints have range 0 0.
    const limited = (j: number): boolean => range[2 * j] < range[2 * j + 1];
    this.qposAdr = jointIds.map((j) => jntQposAdr[j]);
    this.dofAdr = jointIds.map((j) => jntDofAdr[j]);
    this.lower = jointIds.map((j) => (limited(j) ? range[2 * j] : -Math.PI));
    this.upper = jointIds.map((j) => (limited(j) ? range[2 * j + 1] : Math.PI));
    this.n = jointIds.length;
    this.jacp = new mj.DoubleBuffer(3 * model.nv);
    this.jacr = new mj.DoubleBuffer(3 * model.nv);
  }

  get limits(): { lower: number[]; upper: number[] } {
    return { lower: this.lower, upper: this.upper };
  }

  /** Search from `seeds` first (e.g. the current pose), then from random configurations. */
  solve(target: IkTarget, seeds: ArrayLike<number>[], options: IkOptions = {}): IkSolution {
    const positionTolerance = options.positionTolerance ?? 5e-4;
    const angleTolerance = options.angleTolerance ?? (0.25 * Math.PI) / 180;
    const maxIterations = options.maxIterations ?? 120;
    const restarts = options.restarts ?? 10;
    const accept = options.accept ?? { position: 2 * positionTolerance, angle: 2 * angleTolerance };
    const random = seededRandom(hashTarget(target.position));
    // The rest of the robot (e.g. fingers) keeps the simulated pose.
    this.scratch.qpos.set(this.sim.data.qpos);

    let best: IkSolution | undefined;
    for (let attempt = 0; attempt < seeds.length + restarts; attempt++) {
      const start =
        attempt < seeds.length
          ? Float64Array.from(seeds[attempt])
          : Float64Array.from(this.lower, (lo, i) => lo + (this.upper[i] - lo) * random());
      const result = this.descend(start, target, maxIterations, positionTolerance, angleTolerance);
      if (!best || score(result) < score(best)) best = result;
      if (result.positionError <= accept.position && result.angleError <= accept.angle) break;
    }
    return best!;
  }

  /** Forward kinematics of the site for joint values q. */
  forward(q: ArrayLike<number>): { position: [number, number, number]; rotation: number[] } {
    this.place(q);
    return this.sitePose();
  }

  private descend(
    q: Float64Array,
    target: IkTarget,
    maxIterations: number,
    posTol: number,
    angTol: number,
  ): IkSolution {
    const n = this.n;
    const error = new Float64Array(6);
    const jacobian = new Float64Array(6 * n); // rows: 3 position, 3 rotation (weighted)
    const jjt = new Float64Array(36);
    const y = new Float64Array(6);
    let pose = this.forward(q);
    let bestError = Infinity;
    let lastImprovement = 0;
    for (let iteration = 0; iteration < maxIterations; iteration++) {
      for (let k = 0; k < 3; k++) error[k] = target.position[k] - pose.position[k];
      orientationError(pose.rotation, target.rotation, error, 3);
      const posErr = Math.hypot(error[0], error[1], error[2]);
      const angErr = angleBetween(pose.rotation, target.rotation);
      if (posErr < posTol && angErr < angTol) break;
      // A descent stuck in a local minimum (often against a joint limit) is abandoned early so
      // that a restart gets the time instead.
      const combined = posErr + ROTATION_WEIGHT * angErr;
      if (combined < bestError * (1 - 1e-3)) {
        bestError = combined;
        lastImprovement = iteration;
      } else if (iteration - lastImprovement > STALL_ITERATIONS) {
        break;
      }
      for (let k = 3; k < 6; k++) error[k] *= ROTATION_WEIGHT;

      this.siteJacobian(jacobian);
      // (J J^T + lambda^2 I) y = e ; dq = J^T y
      for (let r = 0; r < 6; r++) {
        for (let c = r; c < 6; c++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += jacobian[r * n + k] * jacobian[c * n + k];
          jjt[r * 6 + c] = s;
          jjt[c * 6 + r] = s;
        }
        jjt[r * 6 + r] += DAMPING * DAMPING;
      }
      solveSpd(jjt, error, 6, y);
      let largest = 0;
      const dq = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let r = 0; r < 6; r++) s += jacobian[r * n + k] * y[r];
        dq[k] = s;
        largest = Math.max(largest, Math.abs(s));
      }
      const scale = largest > MAX_JOINT_STEP ? MAX_JOINT_STEP / largest : 1;
      for (let k = 0; k < n; k++)
        q[k] = Math.min(this.upper[k], Math.max(this.lower[k], q[k] + scale * dq[k]));
      pose = this.forward(q);
    }
    const positionError = Math.hypot(
      target.position[0] - pose.position[0],
      target.position[1] - pose.position[1],
      target.position[2] - pose.position[2],
    );
    const angleError = angleBetween(pose.rotation, target.rotation);
    return {
      q,
      positionError,
      angleError,
      converged: positionError < posTol * 2 && angleError < angTol * 2,
      position: pose.position,
      rotation: pose.rotation,
    };
  }

  private place(q: ArrayLike<number>): void {
    const { mj, model } = this.sim;
    const qpos = this.scratch.qpos;
    for (let k = 0; k < this.n; k++) qpos[this.qposAdr[k]] = q[k];
    mj.mj_kinematics(model, this.scratch);
    mj.mj_comPos(model, this.scratch);
  }

  private sitePose(): { position: [number, number, number]; rotation: number[] } {
    const s = this.siteId;
    const xpos = this.scratch.site_xpos;
    const xmat = this.scratch.site_xmat;
    return {
      position: [xpos[3 * s], xpos[3 * s + 1], xpos[3 * s + 2]],
      rotation: Array.from(xmat.subarray(9 * s, 9 * s + 9)),
    };
  }

  private siteJacobian(out: Float64Array): void {
    const { mj, model } = this.sim;
    mj.mj_jacSite(model, this.scratch, this.jacp, this.jacr, this.siteId);
    const jp = this.jacp.GetView();
    const jr = this.jacr.GetView();
    const nv = model.nv;
    const n = this.n;
    for (let k = 0; k < n; k++) {
      const d = this.dofAdr[k];
      for (let r = 0; r < 3; r++) {
        out[r * n + k] = jp[r * nv + d];
        out[(r + 3) * n + k] = ROTATION_WEIGHT * jr[r * nv + d];
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.jacp.delete();
    this.jacr.delete();
    this.scratch.delete();
  }
}

function score(s: IkSolution): number {
  return s.positionError + ROTATION_WEIGHT * s.angleError;
}

function hashTarget(p: ArrayLike<number>): number {
  let h = 2166136261;
  for (let i = 0; i < 3; i++) h = Math.imul(h ^ Math.round(p[i] * 1e5), 16777619);
  return h >>> 0;
}
