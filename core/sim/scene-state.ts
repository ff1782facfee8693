// The paper's textual environment state: for each object its name, centre position, yaw and size
// (l, w, h), plus the gripper's pose and opening. The text layout is versioned because prompts
// and stored attempts depend on it.
import type { ObjectState, SceneState } from '../../api/types.ts';
import type { Simulation } from './simulation.ts';
import type { Arm } from './arm.ts';
import { wrapAngle, yawFromQuat } from './rotation.ts';
import type { Vec3 } from '../../api/types.ts';

export const SCENE_STATE_VERSION = 1;

/** Bodies that are scenery, not task objects. */
const SCENERY = new Set(['table', 'world']);
const DECIMALS = 3;

export function readSceneState(sim: Simulation, arm?: Arm): SceneState {
  const state: SceneState = {
    version: SCENE_STATE_VERSION,
    objects: objectBodies(sim, arm).map((b) => objectState(sim, b)),
  };
  if (arm) {
    const pose = arm.pose();
    state.gripper = {
      position: pose.position.map(round) as Vec3,
      yaw: round(pose.yaw),
      opening: round(pose.opening),
    };
  }
  return state;
}

export function formatSceneState(state: SceneState): string {
  const vec = (v: readonly number[]): string => `[${v.map((x) => x.toFixed(DECIMALS)).join(', ')}]`;
  const lines = [
    `# scene state v${state.version}: metres and radians; x forward, y left, z up; table top at z = 0`,
    'objects:',
  ];
  if (state.objects.length === 0) lines.push('  (none)');
  for (const o of state.objects) {
    lines.push(
      `  - ${o.name}: position ${vec(o.position)}, yaw ${o.yaw.toFixed(DECIMALS)}, size ${vec(o.size)}`,
    );
  }
  if (state.gripper) {
    const g = state.gripper;
    lines.push(
      `gripper: position ${vec(g.position)}, yaw ${g.yaw.toFixed(DECIMALS)}, opening ${g.opening.toFixed(DECIMALS)}`,
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * Every named body outside the robot and the scenery, in model order: free objects, fixed fixtures
 * and the named parts of articulated ones (a drawer and its handle, a button). Names starting
 * with "_" are internal and left out.
 */
function objectBodies(sim: Simulation, arm?: Arm): number[] {
  const { model } = sim;
  const site = sim.id('site', arm?.spec.site ?? 'gripper');
  const robotRoot = site >= 0 ? model.body_rootid[model.site_bodyid[site]] : -1;
  const root = model.body_rootid;
  const bodies: number[] = [];
  for (let b = 1; b < model.nbody; b++) {
    const name = sim.name('body', b);
    if (root[b] === robotRoot || !name || name.startsWith('_') || SCENERY.has(sim.name('body', root[b])))
      continue;
    bodies.push(b);
  }
  return bodies;
}

/** Box around all geoms of the body's subtree, aligned with the body's yaw. A body without geoms has size 0. */
function objectState(sim: Simulation, body: number): ObjectState {
  const { model, data } = sim;
  const quat = data.xquat.subarray(4 * body, 4 * body + 4);
  const yaw = yawFromQuat(quat[0], quat[1], quat[2], quat[3]);
  const origin = data.xpos.subarray(3 * body, 3 * body + 3);
  const cos = Math.cos(yaw);
  const sin = Math.sin(yaw);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const aabb = model.geom_aabb;
  const geomXpos = data.geom_xpos;
  const geomXmat = data.geom_xmat;
  const parent = model.body_parentid;
  const geomBody = model.geom_bodyid;
  const inSubtree = (b: number): boolean => {
    for (; b > 0; b = parent[b]) if (b === body) return true;
    return false;
  };
  for (let g = 0; g < model.ngeom; g++) {
    if (!inSubtree(geomBody[g])) continue;
    const m = geomXmat.subarray(9 * g, 9 * g + 9);
    for (let corner = 0; corner < 8; corner++) {
      const local = [0, 1, 2].map(
        (k) => aabb[6 * g + k] + ((corner >> k) & 1 ? 1 : -1) * aabb[6 * g + 3 + k],
      );
      const world = [0, 1, 2].map(
        (r) => geomXpos[3 * g + r] + m[3 * r] * local[0] + m[3 * r + 1] * local[1] + m[3 * r + 2] * local[2],
      );
      const dx = world[0] - origin[0];
      const dy = world[1] - origin[1];
      const inFrame = [cos * dx + sin * dy, -sin * dx + cos * dy, world[2] - origin[2]];
      for (let k = 0; k < 3; k++) {
        lo[k] = Math.min(lo[k], inFrame[k]);
        hi[k] = Math.max(hi[k], inFrame[k]);
      }
    }
  }
  if (lo[0] === Infinity) {
    lo.fill(0);
    hi.fill(0);
  }
  const mid = [0, 1, 2].map((k) => (lo[k] + hi[k]) / 2);
  const centre: Vec3 = [
    origin[0] + cos * mid[0] - sin * mid[1],
    origin[1] + sin * mid[0] + cos * mid[1],
    origin[2] + mid[2],
  ];
  return {
    name: sim.name('body', body),
    position: centre.map(round) as Vec3,
    yaw: round(wrapAngle(yaw)),
    size: [0, 1, 2].map((k) => round(hi[k] - lo[k])) as Vec3,
  };
}

function round(v: number): number {
  const r = Math.round(v * 10 ** DECIMALS) / 10 ** DECIMALS;
  return Object.is(r, -0) ? 0 : r;
}
