// The paper's textual environment state: for each object its name, centre position, yaw and size
// (l, w, h), plus the gripper's pose and opening. The text layout is versioned because prompts
// and stored attempts depend on it. Version 2 adds what a model otherwise had to guess: colours,
// how far a drawer or button has slid, a container's inside, a handle, and the gripper's reach. Both
// versions give every object the same box, so a program reads the same numbers under either.
import type { GripperState, ObjectState, SceneState } from '../../api/types.ts';
import type { Simulation } from './simulation.ts';
import type { Arm } from './arm.ts';
import { wrapAngle, yawFromQuat } from './rotation.ts';
import type { Vec3 } from '../../api/types.ts';
import { colourName } from './colours.ts';

/** The newest layout; stored attempts keep the version their prompt used. */
export const SCENE_STATE_VERSION = 2;

/** Bodies that are scenery, not task objects. */
const SCENERY = new Set(['table', 'world']);
const DECIMALS = 3;
const SLIDE_JOINT = 2; // mjJNT_SLIDE
const BOX_SITE = 6; // mjGEOM_BOX

/** The state in the newest layout; sceneStateAs gives an older one from it. */
export function readSceneState(sim: Simulation, arm?: Arm): SceneState {
  const state: SceneState = {
    version: SCENE_STATE_VERSION,
    objects: objectBodies(sim, arm).map((b) => ({ ...objectState(sim, b), ...objectDetails(sim, b) })),
  };
  if (arm) {
    const pose = arm.pose();
    state.gripper = {
      position: pose.position.map(round) as Vec3,
      yaw: round(pose.yaw),
      opening: round(pose.opening),
      ...gripperReach(sim, arm),
    };
  }
  return state;
}

/**
 * The state in an older layout: version 1 is version 2 without what version 2 added, so a stored
 * v1 prompt is rebuilt exactly from a state read today.
 */
export function sceneStateAs(state: SceneState, version: number): SceneState {
  if (version >= 2) return { ...state, version };
  return {
    version,
    objects: state.objects.map(({ name, position, yaw, size }) => ({ name, position, yaw, size })),
    ...(state.gripper
      ? {
          gripper: {
            position: state.gripper.position,
            yaw: state.gripper.yaw,
            opening: state.gripper.opening,
          },
        }
      : {}),
  };
}

export function formatSceneState(state: SceneState): string {
  const lines = [
    `# scene state v${state.version}: metres and radians; x forward, y left, z up; table top at z = 0`,
  ];
  if (state.version >= 2)
    lines.push('# the scene when the program starts: these numbers do not change while it runs');
  lines.push('objects:');
  if (state.objects.length === 0) lines.push('  (none)');
  for (const o of state.objects) {
    let line = `  - ${o.name}: position ${vec(o.position)}, yaw ${num(o.yaw)}, size ${vec(o.size)}`;
    if (o.colour) line += `, colour ${o.colour}`;
    if (o.slide)
      line += `; slides along ${o.slide.direction}: moved ${num(o.slide.moved)} of ${num(o.slide.travel)}`;
    if (o.inside) {
      const i = o.inside;
      line += `; inside: floor z ${num(i.floor)}, rim z ${num(i.rim)}, centre ${vec(i.centre)}, free space ${vec(i.size)}`;
    }
    if (o.handle) line += `; handle: centre ${vec(o.handle.centre)}, size ${vec(o.handle.size)}`;
    lines.push(line);
  }
  if (state.gripper) lines.push(gripperLine(state.gripper));
  return lines.join('\n') + '\n';
}

const num = (x: number): string => x.toFixed(DECIMALS);
const vec = (v: readonly number[]): string => `[${v.map(num).join(', ')}]`;

function gripperLine(g: GripperState): string {
  let line = `gripper: position ${vec(g.position)}, yaw ${num(g.yaw)}, opening ${num(g.opening)}`;
  if (g.maxOpening !== undefined) line += ` (widest ${num(g.maxOpening)})`;
  if (g.fingertipsBelow !== undefined) line += `, fingertips ${num(g.fingertipsBelow)} below its position`;
  return line;
}

/** What version 2 adds to an object: its colour, its slide, its inside, its handle. */
function objectDetails(
  sim: Simulation,
  body: number,
): Pick<ObjectState, 'colour' | 'slide' | 'inside' | 'handle'> {
  const details: Pick<ObjectState, 'colour' | 'slide' | 'inside' | 'handle'> = {};
  const { model } = sim;
  const firstGeom = model.body_geomadr[body];
  if (model.body_geomnum[body] > 0 && firstGeom >= 0) {
    const g = firstGeom;
    const mat = model.geom_matid[g];
    const rgba =
      mat >= 0 ? model.mat_rgba.subarray(4 * mat, 4 * mat + 4) : model.geom_rgba.subarray(4 * g, 4 * g + 4);
    const colour = colourName(rgba);
    if (colour) details.colour = colour;
  }
  const slide = slideOf(sim, body);
  if (slide) details.slide = slide;
  const inside = insideOf(sim, body);
  if (inside) details.inside = inside;
  const handle = handleOf(sim, body);
  if (handle) details.handle = handle;
  return details;
}

/** A body on one slide joint with a range ending at 0 (its rest): which way it moves, and how far it has. */
function slideOf(sim: Simulation, body: number): ObjectState['slide'] {
  const { model, data } = sim;
  if (model.body_jntnum[body] !== 1) return undefined;
  const j = model.body_jntadr[body];
  if (model.jnt_type[j] !== SLIDE_JOINT) return undefined;
  const [lo, hi] = [model.jnt_range[2 * j], model.jnt_range[2 * j + 1]];
  const q = data.qpos[model.jnt_qposadr[j]];
  const axis = [0, 1, 2].map((k) => data.xaxis[3 * j + k]);
  if (hi === 0 && lo < 0)
    return { direction: axisName(axis.map((v) => -v)), moved: round(Math.max(0, -q)), travel: round(-lo) };
  if (lo === 0 && hi > 0)
    return { direction: axisName(axis), moved: round(Math.max(0, q)), travel: round(hi) };
  return undefined;
}

function axisName(axis: number[]): string {
  const k = axis.findIndex((v) => Math.abs(v) > 0.99);
  if (k < 0) return vec(axis);
  return `${axis[k] > 0 ? '+' : '-'}${'xyz'[k]}`;
}

/** A box site `<body>_<role>` of the body: its world centre and half sizes (sites do not collide). */
function boxSite(
  sim: Simulation,
  body: number,
  role: string,
): { centre: number[]; half: number[] } | undefined {
  const { model, data } = sim;
  const site = sim.id('site', `${sim.name('body', body)}_${role}`);
  if (site < 0 || model.site_bodyid[site] !== body || model.site_type[site] !== BOX_SITE) return undefined;
  return {
    centre: [...data.site_xpos.subarray(3 * site, 3 * site + 3)],
    half: [...model.site_size.subarray(3 * site, 3 * site + 3)],
  };
}

/** The part an object is grasped by (a lid's knob), declared by a box site `<body>_handle`. */
function handleOf(sim: Simulation, body: number): ObjectState['handle'] {
  const site = boxSite(sim, body, 'handle');
  if (!site) return undefined;
  return { centre: site.centre.map(round) as Vec3, size: site.half.map((h) => round(2 * h)) as Vec3 };
}

/** A container's free space, declared by a box site named `<body>_inside` in the body. */
function insideOf(sim: Simulation, body: number): ObjectState['inside'] {
  const site = boxSite(sim, body, 'inside');
  if (!site) return undefined;
  const { half } = site;
  const [x, y, z] = site.centre;
  return {
    centre: [round(x), round(y)],
    size: [round(2 * half[0]), round(2 * half[1])],
    floor: round(z - half[2]),
    rim: round(z + half[2]),
  };
}

/** The gripper's widest opening, and how far its fingertips reach below the point it is moved to. */
function gripperReach(sim: Simulation, arm: Arm): Pick<GripperState, 'maxOpening' | 'fingertipsBelow'> {
  const { model, data } = sim;
  const site = sim.id('site', arm.spec.site);
  const hand = model.site_bodyid[site];
  const origin = data.site_xpos.subarray(3 * site, 3 * site + 3);
  const m = data.site_xmat.subarray(9 * site, 9 * site + 9);
  const approach = [m[2], m[5], m[8]]; // the site's z axis points along the approach, down
  let reach = 0;
  for (let g = 0; g < model.ngeom; g++) {
    if (!inSubtree(sim, model.geom_bodyid[g], hand)) continue;
    if (model.geom_contype[g] === 0 && model.geom_conaffinity[g] === 0) continue; // visual only
    for (const corner of geomCorners(sim, g)) {
      const below = [0, 1, 2].reduce((sum, k) => sum + (corner[k] - origin[k]) * approach[k], 0);
      reach = Math.max(reach, below);
    }
  }
  return { maxOpening: round(arm.spec.opening(arm.spec.gripperOpen)), fingertipsBelow: round(reach) };
}

function inSubtree(sim: Simulation, b: number, root: number): boolean {
  for (; b > 0; b = sim.model.body_parentid[b]) if (b === root) return true;
  return false;
}

/** The 8 world corners of a geom's box (its local bounding box, posed). */
function geomCorners(sim: Simulation, g: number): number[][] {
  const { model, data } = sim;
  const m = data.geom_xmat.subarray(9 * g, 9 * g + 9);
  const corners: number[][] = [];
  for (let corner = 0; corner < 8; corner++) {
    const local = [0, 1, 2].map(
      (k) => model.geom_aabb[6 * g + k] + ((corner >> k) & 1 ? 1 : -1) * model.geom_aabb[6 * g + 3 + k],
    );
    corners.push(
      [0, 1, 2].map(
        (r) =>
          data.geom_xpos[3 * g + r] + m[3 * r] * local[0] + m[3 * r + 1] * local[1] + m[3 * r + 2] * local[2],
      ),
    );
  }
  return corners;
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
  for (let g = 0; g < model.ngeom; g++) {
    if (!inSubtree(sim, model.geom_bodyid[g], body)) continue;
    for (const world of geomCorners(sim, g)) {
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
