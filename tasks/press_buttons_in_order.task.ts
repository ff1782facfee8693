// Press three buttons in a given order (RLBench push_buttons, with the order named): each press
// is recorded as it happens, and the recorded sequence must equal the order exactly.
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
import { shuffled } from '../core/random.ts';
import { latchColourButtons, pressButton, recordedPresses } from '../core/tasks/button-memory.ts';

const colourOf = (button: string): string => button.replace(/_button$/, '');

export default defineTask<{ order: Colour[] }>({
  id: 'press_buttons_in_order',
  title: 'Press the buttons in order',
  split: 'train',
  skills: ['press', 'sequence', 'select by colour'],
  arms: ['panda'],
  instructions: ({ order: [a, b, c] }) => [
    `press the ${a}, ${b} and ${c} buttons in that order`,
    `push the ${a} button first, then the ${b} one, then the ${c} one`,
    `press ${a}, then ${b}, then ${c}`,
  ],
  setup(random, arm) {
    const ws = WORKSPACES[arm];
    const order = shuffled(random, COLOUR_NAMES).slice(0, 3);
    const spots = placeApart(
      // random spots: the layout says nothing about the order
      random,
      3,
      ws.x,
      ws.y,
      BUTTON.base + 0.08,
    );
    return {
      params: { order },
      objects: [],
      fixtures: order.map((c, i) => buttonXml(`${c}_button`, c, spots[i])),
    };
  },
  observe(world, { order }, memory) {
    latchColourButtons(world, order, memory);
  },
  verify(_world, { order }, memory) {
    const pressed = recordedPresses(memory).map(colourOf);
    const said = (colours: string[]): string => (colours.length ? colours.join(', ') : 'nothing');
    const wrong = pressed.findIndex((c, i) => c !== order[i]);
    if (wrong >= 0)
      return fail(
        `press ${wrong + 1} was the ${pressed[wrong]} button, not ${order[wrong] ?? 'none'} ` +
          `(pressed ${said(pressed)}; wanted ${order.join(', ')})`,
      );
    if (pressed.length < order.length)
      return fail(
        `only ${pressed.length} of ${order.length} presses done: ${said(pressed)}; ${order[pressed.length]} was next`,
      );
    return pass(`pressed ${order.join(', ')} in order`);
  },
  solve(robot, state, { order }) {
    for (const colour of order) pressButton(robot, state, `${colour}_button`);
  },
});
