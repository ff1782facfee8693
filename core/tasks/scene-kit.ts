// Building blocks for task scenes: colours, blocks, pads, and MJCF for fixtures (bins, a drawer
// cabinet, buttons, a lidded pot, a floating target). Every fixture is named so the scene state
// lists it; internal parts start with "_" and are left out of the state.
import type { Random } from '../random.ts';
import { uniform } from '../random.ts';
import type { SceneObject } from '../sim/scene.ts';
import { SimError } from '../sim/errors.ts';
import type { ArmName } from '../../api/types.ts';
import { COLOURS, type Colour } from '../sim/colours.ts';

export { COLOURS, COLOUR_NAMES, type Colour } from '../sim/colours.ts';

/** Where objects may be placed for each arm: comfortably inside its gripper-down workspace. */
export interface Workspace {
  x: [number, number];
  y: [number, number];
  /** Edge of the blocks this arm handles best, metres. */
  block: number;
}

export const WORKSPACES: Record<ArmName, Workspace> = {
  panda: { x: [0.35, 0.65], y: [-0.25, 0.25], block: 0.04 },
  so100: { x: [0.13, 0.2], y: [-0.1, 0.1], block: 0.03 },
};

export type Point2 = [number, number];

/**
 * `count` points inside the rectangle, each at least `minDistance` from the others and from
 * `avoid`: rejection sampling from the seeded stream, so the same seed gives the same layout.
 */
export function placeApart(
  random: Random,
  count: number,
  x: [number, number],
  y: [number, number],
  minDistance: number,
  avoid: Point2[] = [],
): Point2[] {
  const points: Point2[] = [];
  for (let attempt = 0; points.length < count; attempt++) {
    if (attempt > 5000)
      throw new SimError('bad-input', `cannot place ${count} objects ${minDistance} m apart in the region`);
    const p: Point2 = [uniform(random, x[0], x[1]), uniform(random, y[0], y[1])];
    if ([...points, ...avoid].every((q) => Math.hypot(p[0] - q[0], p[1] - q[1]) >= minDistance))
      points.push(p);
  }
  return points;
}

export function block(
  name: string,
  colour: Colour,
  at: Point2,
  yaw: number,
  edge: number,
  height = edge,
): SceneObject {
  return {
    name,
    shape: 'box',
    size: [edge, edge, height],
    position: [at[0], at[1], height / 2],
    yaw,
    rgba: [...COLOURS[colour]],
    mass: 0.05,
  };
}

/** A thin coloured square on the table that objects are put on. */
export function pad(name: string, colour: Colour, at: Point2, edge: number): SceneObject {
  return platform(name, colour, at, edge, 0.002);
}

/** A fixed box standing on the table, to put things on. */
export function platform(
  name: string,
  colour: Colour,
  at: Point2,
  edge: number,
  height: number,
): SceneObject {
  return {
    name,
    shape: 'box',
    size: [edge, edge, height],
    position: [at[0], at[1], height / 2],
    rgba: [...COLOURS[colour]],
    fixed: true,
  };
}

const f = (v: number): string => Number(v.toFixed(5)).toString();
const vec = (...v: number[]): string => v.map(f).join(' ');

/** An open-top container fixed to the table: `inner` is the free space inside, walls 1 cm thick. */
export function binXml(
  name: string,
  at: Point2,
  inner: number,
  wallHeight: number,
  rgba = '0.55 0.55 0.6 1',
): string {
  const t = 0.01;
  const h = wallHeight;
  const half = inner / 2 + t / 2;
  const wall = (x: number, y: number, sx: number, sy: number): string =>
    `<geom type="box" pos="${vec(x, y, h / 2)}" size="${vec(sx, sy, h / 2)}" rgba="${rgba}"/>`;
  const floor = 0.004;
  return (
    `<body name="${name}" pos="${vec(at[0], at[1], 0)}">` +
    `<geom type="box" pos="0 0 0.002" size="${vec(inner / 2 + t, inner / 2 + t, 0.002)}" rgba="${rgba}"/>` +
    insideSite(name, [0, 0, floor], [inner, inner, h - floor]) +
    wall(half, 0, t / 2, inner / 2 + t) +
    wall(-half, 0, t / 2, inner / 2 + t) +
    wall(0, half, inner / 2, t / 2) +
    wall(0, -half, inner / 2, t / 2) +
    `</body>`
  );
}

/**
 * The free space inside a container, as a box site `${name}_inside` (centre of its floor at
 * `floorCentre`, size l, w, h up to the rim): the scene state (v2) reads a container's floor and
 * rim from it. Sites do not collide and are not drawn.
 */
function insideSite(name: string, floorCentre: number[], size: number[]): string {
  const [x, y, z] = floorCentre;
  return `<site name="${name}_inside" type="box" pos="${vec(x, y, z + size[2] / 2)}" size="${vec(size[0] / 2, size[1] / 2, size[2] / 2)}" rgba="0 0 0 0"/>`;
}

/** Geometry of the drawer cabinet, shared by its MJCF and by the tasks that use it. */
export const DRAWER = {
  depth: 0.2, // cabinet x extent
  width: 0.22, // cabinet y extent
  height: 0.11,
  travel: 0.16, // how far the drawer slides out
  trayInner: 0.16, // free space inside the tray, x and y
  trayFloor: 0.02, // height of the tray's underside above the table
  trayWall: 0.065,
  handleOffset: 0.065, // handle bar in front of the drawer's front wall
  handleHeight: 0.075, // handle bar height above the table
};

/**
 * A cabinet whose drawer opens towards the robot (-x). Bodies: `${name}` (the cabinet),
 * `${name}_drawer` (slide joint `${name}_slide`, 0 = closed, negative = open) and
 * `${name}_handle` (a bar along y, grasped from above with the jaws closing along x).
 */
export function drawerXml(name: string, at: Point2): string {
  const d = DRAWER;
  const t = 0.01;
  const rgba = '0.62 0.48 0.35 1';
  const tray = '0.8 0.75 0.65 1';
  const hx = d.depth / 2;
  const hy = d.width / 2;
  const trayHalf = d.trayInner / 2 + t;
  const trayFloor = d.trayFloor;
  const trayX = -hx + trayHalf; // tray front wall flush with the cabinet's open front
  const box = (pos: number[], size: number[], colour: string, extra = ''): string =>
    `<geom type="box" pos="${vec(...pos)}" size="${vec(...size)}" rgba="${colour}"${extra}/>`;
  return (
    `<body name="${name}" pos="${vec(at[0], at[1], 0)}">` +
    box([0, 0, t / 2], [hx, hy, t / 2], rgba) + // bottom
    box([0, 0, d.height - t / 2], [hx, hy, t / 2], rgba) + // top
    box([hx - t / 2, 0, d.height / 2], [t / 2, hy, d.height / 2], rgba) + // back
    box([0, hy - t / 2, d.height / 2], [hx, t / 2, d.height / 2], rgba) + // sides
    box([0, -hy + t / 2, d.height / 2], [hx, t / 2, d.height / 2], rgba) +
    `<body name="${name}_drawer" pos="${vec(trayX, 0, trayFloor)}">` +
    `<joint name="${name}_slide" type="slide" axis="1 0 0" range="${vec(-d.travel, 0)}" damping="8" armature="0.05" frictionloss="0.5"/>` +
    `<inertial pos="0 0 0.03" mass="0.4" diaginertia="0.002 0.002 0.002"/>` +
    box([0, 0, t / 2], [trayHalf, trayHalf, t / 2], tray) +
    insideSite(`${name}_drawer`, [0, 0, t], [d.trayInner, d.trayInner, d.trayWall - t]) +
    box([-trayHalf + t / 2, 0, d.trayWall / 2], [t / 2, trayHalf, d.trayWall / 2], tray) +
    box([trayHalf - t / 2, 0, d.trayWall / 2], [t / 2, trayHalf, d.trayWall / 2], tray) +
    box([0, trayHalf - t / 2, d.trayWall / 2], [trayHalf - t, t / 2, d.trayWall / 2], tray) +
    box([0, -trayHalf + t / 2, d.trayWall / 2], [trayHalf - t, t / 2, d.trayWall / 2], tray) +
    // Standoffs belong to the drawer so the handle's box in the scene state is the bar alone.
    box(
      [-trayHalf - d.handleOffset / 2, 0.045, d.handleHeight - trayFloor],
      [d.handleOffset / 2, 0.005, 0.005],
      '0.3 0.3 0.3 1',
    ) +
    box(
      [-trayHalf - d.handleOffset / 2, -0.045, d.handleHeight - trayFloor],
      [d.handleOffset / 2, 0.005, 0.005],
      '0.3 0.3 0.3 1',
    ) +
    `<body name="${name}_handle" pos="${vec(-trayHalf - d.handleOffset, 0, d.handleHeight - trayFloor)}">` +
    `<geom type="capsule" fromto="0 -0.05 0 0 0.05 0" size="0.008" rgba="0.3 0.3 0.3 1" friction="1.5 0.02 0.001" condim="4"/>` +
    `</body></body></body>`
  );
}

/** Geometry of a push button, shared by its MJCF and the tasks. */
export const BUTTON = {
  base: 0.07,
  baseHeight: 0.03,
  capRadius: 0.022,
  capHeight: 0.02,
  travel: 0.015,
  pressedAt: 0.008,
};

/**
 * A push button fixed to the table: `${name}` (the base) and `${name}_cap` on a sprung slide
 * joint `${name}_press` (0 = up, negative = pressed down).
 */
export function buttonXml(name: string, colour: Colour, at: Point2): string {
  const b = BUTTON;
  const rgba = COLOURS[colour].join(' ');
  return (
    `<body name="${name}" pos="${vec(at[0], at[1], 0)}">` +
    `<geom type="box" pos="${vec(0, 0, b.baseHeight / 2)}" size="${vec(b.base / 2, b.base / 2, b.baseHeight / 2)}" rgba="0.25 0.25 0.28 1"/>` +
    `<body name="${name}_cap" pos="${vec(0, 0, b.baseHeight + b.capHeight / 2)}">` +
    `<joint name="${name}_press" type="slide" axis="0 0 1" range="${vec(-b.travel, 0)}" stiffness="300" springref="0.004" damping="3"/>` +
    // The cap touches only the robot (conaffinity 2 = robot geoms), never its own base below it.
    `<geom type="cylinder" size="${vec(b.capRadius, b.capHeight / 2)}" rgba="${rgba}" mass="0.02" contype="0" conaffinity="2"/>` +
    `</body></body>`
  );
}

/** A sphere floating in the air, seen but not touched: the reach target. */
export function targetXml(name: string, at: [number, number, number], colour: Colour = 'red'): string {
  return `<body name="${name}" pos="${vec(...at)}"><geom type="sphere" size="0.02" rgba="${COLOURS[colour].slice(0, 3).join(' ')} 0.6" contype="0" conaffinity="0"/></body>`;
}
