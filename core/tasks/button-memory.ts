// Button presses for tasks with push buttons (scene-kit buttonXml). A press is transient (the
// spring pushes the cap back up), so tasks latch presses in observe(), after every primitive, and
// verify from the latched memory. A press is counted on the rising edge: the cap goes down by
// BUTTON.pressedAt and was up before; it is up again once it rises above half that depth.
import { BUTTON } from './scene-kit.ts';
import { press } from '../sim/skills.ts';
import type { Robot } from '../sim/skills.ts';
import type { TaskMemory } from './types.ts';
import type { WorldView } from './world.ts';
import type { SceneState } from '../../api/types.ts';

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
  const latched = buttonMemory(memory);
  for (const button of buttons) {
    const depth = pressDepth(world, button);
    latched.deepest[button] = Math.max(latched.deepest[button] ?? 0, depth);
    const wasDown = latched.down.includes(button);
    if (!wasDown && depth >= BUTTON.pressedAt) {
      latched.presses.push(button);
      latched.down.push(button);
    } else if (wasDown && depth < BUTTON.pressedAt / 2) {
      latched.down.splice(latched.down.indexOf(button), 1);
    }
  }
}

/** The task memory's button part, started empty on first use. */
function buttonMemory(memory: TaskMemory): ButtonMemory {
  const m = memory as Partial<ButtonMemory>;
  m.presses ??= [];
  m.down ??= [];
  m.deepest ??= {};
  return m as ButtonMemory;
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
  return [...buttonMemory(memory).presses];
}

/** The deepest any button was pushed, metres, for near-miss reasons ("pressed only 0.4 cm"). */
export function deepestPress(memory: TaskMemory, button: string): number {
  return buttonMemory(memory).deepest[button] ?? 0;
}

/**
 * Press a button straight down on the top of its cap, from the initial scene state: by the cap's
 * travel (its slide in the scene state), unless a depth is given.
 */
export function pressButton(robot: Robot, state: SceneState, button: string, depth?: number): void {
  const cap = state.objects.find((o) => o.name === `${button}_cap`)!;
  const [x, y, z] = cap.position;
  press(robot, [x, y, z + cap.size[2] / 2], depth ?? cap.slide!.travel);
}
