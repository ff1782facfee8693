// Button presses for tasks with push buttons (scene-kit buttonXml). A press is transient (the
// spring pushes the cap back up), so tasks latch presses in observe(), after every primitive, and
// verify from the latched memory. A press is counted on the rising edge: the cap goes down by
// BUTTON.pressedAt and was up before; it is up again once it rises above half that depth.
import { BUTTON } from './scene-kit.ts';
import { press } from '../sim/skills.ts';
import type { Robot } from '../sim/skills.ts';
import type { SceneState } from '../sim/scene-state.ts';
import type { TaskMemory } from './types.ts';
import type { WorldView } from './world.ts';

/** What the memory holds: every press in order, which buttons are down now, the deepest push seen. */
export interface ButtonMemory {
  presses: string[];
  down: string[];
  deepest: Record<string, number>;
}

/** How far the button's cap is pressed down, metres (0 = up). */
export function pressDepth(world: WorldView, button: string): number {
  return -world.joint(`${button}_press`);
}

/** Record new presses of any of `buttons` in memory (call from observe()). */
export function latchPresses(world: WorldView, buttons: readonly string[], memory: TaskMemory): void {
  const presses = (memory.presses ??= []) as string[];
  const down = (memory.down ??= []) as string[];
  const deepest = (memory.deepest ??= {}) as Record<string, number>;
  for (const button of buttons) {
    const depth = pressDepth(world, button);
    deepest[button] = Math.max(deepest[button] ?? 0, depth);
    const wasDown = down.includes(button);
    if (!wasDown && depth >= BUTTON.pressedAt) {
      presses.push(button);
      down.push(button);
    } else if (wasDown && depth < BUTTON.pressedAt / 2) {
      down.splice(down.indexOf(button), 1);
    }
  }
}

/** latchPresses for buttons named '<colour>_button'. */
export function latchColourButtons(world: WorldView, colours: readonly string[], memory: TaskMemory): void {
  latchPresses(
    world,
    colours.map((c) => `${c}_button`),
    memory,
  );
}

/** The presses recorded so far, in order. */
export function recordedPresses(memory: TaskMemory): string[] {
  return [...((memory.presses as string[] | undefined) ?? [])];
}

/** The deepest any button was pushed, metres, for near-miss reasons ("pressed only 0.4 cm"). */
export function deepestPress(memory: TaskMemory, button: string): number {
  return ((memory.deepest as Record<string, number> | undefined) ?? {})[button] ?? 0;
}

/** Press a button straight down on the top of its cap, from the initial scene state. */
export function pressButton(robot: Robot, state: SceneState, button: string, depth = 0.013): void {
  const cap = state.objects.find((o) => o.name === `${button}_cap`)!;
  const [x, y, z] = cap.position;
  press(robot, [x, y, z + cap.size[2] / 2], depth);
}
