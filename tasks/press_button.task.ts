// Press a named button (RLBench push_button, with distractors): two or three buttons of different
// colours; press the named one down and leave the others alone.
import { defineTask } from '../core/tasks/types.ts';
import {
  buttonXml,
  placeApart,
  BUTTON,
  WORKSPACES,
  COLOUR_NAMES,
  type Colour,
} from '../core/tasks/scene-kit.ts';
import { fail, pass } from '../core/tasks/checks.ts';
import { pickOne, shuffled } from '../core/random.ts';
import {
  deepestPress,
  latchColourButtons,
  pressButton,
  recordedPresses,
} from '../core/tasks/button-memory.ts';

const cm = (metres: number): string => `${(metres * 100).toFixed(1)} cm`;

export default defineTask<{ target: Colour; colours: Colour[] }>({
  id: 'press_button',
  title: 'Press the named button',
  split: 'train',
  skills: ['press', 'select by colour'],
  arms: ['panda'],
  instructions: ({ target }) => [
    `press the ${target} button`,
    `push down the ${target} button`,
    `push the ${target} button and no other`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const colours = shuffled(random, COLOUR_NAMES).slice(0, pickOne(random, [2, 3]));
    const target = pickOne(random, colours);
    const spots = placeApart(random, colours.length, ws.x, ws.y, BUTTON.base + 0.08);
    return {
      params: { target, colours },
      objects: [],
      fixtures: colours.map((c, i) => buttonXml(`${c}_button`, c, spots[i])),
    };
  },
  observe(world, { colours }, memory) {
    latchColourButtons(world, colours, memory);
  },
  verify(_world, { target, colours }, memory) {
    const presses = recordedPresses(memory);
    const wanted = `${target}_button`;
    const others = colours.map((c) => `${c}_button`).filter((b) => b !== wanted && presses.includes(b));
    if (others.length > 0) return fail(`the wrong button was pressed: ${others.join(', ')}`);
    if (!presses.includes(wanted)) {
      const depth = deepestPress(memory, wanted);
      return fail(
        depth > 0.001
          ? `${wanted} was pushed only ${cm(depth)} down (a press needs ${cm(BUTTON.pressedAt)})`
          : `${wanted} was not pressed`,
      );
    }
    return pass(`${wanted} was pressed and no other`);
  },
  solve(robot, state, { target }) {
    pressButton(robot, state, `${target}_button`);
  },
});
