// HELD OUT. Press the button whose colour matches a block's. Composes reading an object's attribute
// (the block's colour, in the scene state) with pressing one of several buttons; the button to
// press is never named in the instruction. Mirrors the paper's out-of-distribution "put the cup on
// the coloured object" (choose a target by matching a colour) with the press skill in place of place.
import { defineTask } from '../core/tasks/types.ts';
import {
  block,
  buttonXml,
  placeApart,
  BUTTON,
  WORKSPACES,
  COLOUR_NAMES,
  type Colour,
} from '../core/tasks/scene-kit.ts';
import { fail, pass } from '../core/tasks/checks.ts';
import {
  deepestPress,
  latchColourButtons,
  pressButton,
  recordedPresses,
} from '../core/tasks/button-memory.ts';
import { pickOne, shuffled, uniform } from '../core/random.ts';

interface Params {
  colour: Colour;
  /** Button colours, the block's among them. */
  buttons: Colour[];
}

export default defineTask<Params>({
  id: 'press_button_matching_block',
  title: 'Press the button matching the block',
  split: 'heldout',
  skills: ['press', 'select by colour'],
  arms: ['panda'],
  instructions: () => [
    'press the button that has the same colour as the block',
    'push down the button matching the colour of the block',
    'find the button coloured like the block and press it',
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const buttons = shuffled(random, COLOUR_NAMES).slice(0, 3);
    const colour = pickOne(random, buttons);
    const spots = placeApart(random, 4, ws.x, ws.y, BUTTON.base + 0.08);
    return {
      params: { colour, buttons },
      objects: [block(`${colour}_block`, colour, spots[3], uniform(random, -0.8, 0.8), ws.block)],
      fixtures: buttons.map((c, i) => buttonXml(`${c}_button`, c, spots[i])),
    };
  },
  observe(world, { buttons }, memory) {
    latchColourButtons(world, buttons, memory);
  },
  verify(_world, { colour, buttons }, memory) {
    const presses = recordedPresses(memory);
    const pressed = (c: Colour): boolean => presses.includes(`${c}_button`);
    const wrong = buttons.filter((c) => c !== colour && pressed(c));
    if (wrong.length > 0)
      return fail(
        `${wrong.map((c) => `${c}_button`).join(' and ')} ${wrong.length > 1 ? 'were' : 'was'} pressed; the block is ${colour}`,
      );
    const depth = deepestPress(memory, `${colour}_button`);
    if (!pressed(colour))
      return fail(
        depth > 0.001
          ? `${colour}_button was pushed only ${(depth * 100).toFixed(1)} cm down (a press needs ${(BUTTON.pressedAt * 100).toFixed(1)} cm)`
          : `${colour}_button, the block's colour, was not pressed`,
      );
    return pass(`${colour}_button was pressed and no other`);
  },
  solve(robot, state) {
    // The button coloured like the block: its cap is the other object of the block's colour.
    const block = state.objects.find((o) => o.name.endsWith('_block'))!;
    const cap = state.objects.find((o) => o !== block && o.colour === block.colour)!;
    pressButton(robot, state, cap.name.replace(/_cap$/, ''));
  },
});
