// Small geometric checks shared by task verifiers. Each returns a verdict whose reason says how
// far off a failure was, so near misses read as such.
import type { Verdict } from './types.ts';
import type { WorldView } from './world.ts';
import type { Vec3 } from '../../api/types.ts';

const cm = (metres: number): string => `${(metres * 100).toFixed(1)} cm`;

export function pass(reason: string): Verdict {
  return { success: true, reason };
}

export function fail(reason: string): Verdict {
  return { success: false, reason };
}

/** All verdicts must pass; the first failure is the reason. */
export function all(...verdicts: Verdict[]): Verdict {
  return verdicts.find((v) => !v.success) ?? pass(verdicts.map((v) => v.reason).join('; '));
}

/** Is a point inside an axis-aligned square of half-size `half` around `centre` (in x and y)? */
export function insideSquare(
  label: string,
  point: Vec3,
  centre: readonly number[],
  half: number,
  place: string,
): Verdict {
  const outside = Math.max(Math.abs(point[0] - centre[0]) - half, Math.abs(point[1] - centre[1]) - half);
  return outside <= 0 ? pass(`${label} is on ${place}`) : fail(`${label} is ${cm(outside)} outside ${place}`);
}

/** Is the body's bottom within `tolerance` of a surface at height `surfaceZ`? */
export function bottomAt(
  world: WorldView,
  name: string,
  halfHeight: number,
  surfaceZ: number,
  what: string,
  tolerance = 0.01,
): Verdict {
  const bottom = world.position(name)[2] - halfHeight;
  const gap = bottom - surfaceZ;
  return Math.abs(gap) <= tolerance
    ? pass(`${name} rests on ${what}`)
    : fail(`${name}'s bottom is ${cm(Math.abs(gap))} ${gap > 0 ? 'above' : 'below'} ${what}`);
}

/** The object is not in the gripper (placed, not still held). */
export function released(world: WorldView, name: string): Verdict {
  return world.gripperTouches(name) ? fail(`${name} is still in the gripper`) : pass(`${name} was released`);
}

/** Horizontal distance between two points. */
export function horizontal(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Inside an open container (a bin, a box): within its inner square and below its walls' top, not on the rim. */
export function insideContainer(
  world: WorldView,
  name: string,
  centre: readonly number[],
  inner: number,
  wallHeight: number,
  place: string,
): Verdict {
  const p = world.position(name);
  return all(
    insideSquare(name, p, centre, inner / 2, place),
    p[2] < wallHeight
      ? pass(`${name} is below the rim`)
      : fail(`${name} sits on the rim, ${((p[2] - wallHeight) * 100).toFixed(1)} cm above the walls' top`),
  );
}
