// The lab's colour words and their RGBA: task scenes paint objects with them, and the scene state
// (v2) names an object's colour when its first geom wears one of them.

export const COLOURS = {
  red: [0.85, 0.15, 0.15, 1],
  green: [0.2, 0.7, 0.25, 1],
  blue: [0.15, 0.3, 0.85, 1],
  yellow: [0.95, 0.8, 0.15, 1],
  purple: [0.55, 0.25, 0.7, 1],
  orange: [0.95, 0.5, 0.1, 1],
} as const satisfies Record<string, [number, number, number, number]>;
export type Colour = keyof typeof COLOURS;
export const COLOUR_NAMES = Object.keys(COLOURS) as Colour[];

/** The colour word for an RGB(A), when it is one of the lab's colours (alpha is ignored). */
export function colourName(rgba: ArrayLike<number>): Colour | undefined {
  return COLOUR_NAMES.find((name) => [0, 1, 2].every((k) => Math.abs(COLOURS[name][k] - rgba[k]) < 0.01));
}
