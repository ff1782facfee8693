// Take the lid off a pot and put it on the table beside it (RLBench take_lid_off_saucepan): a fixed
// open pot with a free lid (a plate with a knob on top), grasped by the knob.
import { defineTask } from '../core/tasks/types.ts';
import { binXml, placeApart, WORKSPACES, type Point2 } from '../core/tasks/scene-kit.ts';
import { all, fail, pass, released } from '../core/tasks/checks.ts';
import { RELEASE_CLEARANCE, SAFE_HEIGHT } from '../core/sim/skills.ts';
import { uniform } from '../core/random.ts';

export const POT = { inner: 0.09, wall: 0.06, outer: 0.11 };
export const LID = { plate: 0.12, thickness: 0.01, knob: 0.025, knobHeight: 0.035, mass: 0.08 };
const MARGIN = 0.005;

const contact = 'condim="4" solref="0.005 1" solimp="0.95 0.99 0.001"';
/** The lid: one free body (origin at the plate's centre) with a knob on top. */
function lidXml(at: Point2, z: number, yaw: number): string {
  const { plate, thickness: t, knob, knobHeight: k } = LID;
  return (
    `<body name="lid" pos="${at[0]} ${at[1]} ${z}" euler="0 0 ${yaw}"><freejoint/>` +
    `<geom type="box" size="${plate / 2} ${plate / 2} ${t / 2}" mass="${LID.mass * 0.75}" rgba="0.75 0.3 0.2 1" friction="1 0.01 0.001" ${contact}/>` +
    `<geom type="box" pos="0 0 ${t / 2 + k / 2}" size="${knob / 2} ${knob / 2} ${k / 2}" mass="${LID.mass * 0.25}" rgba="0.25 0.2 0.2 1" friction="1.5 0.02 0.001" ${contact}/>` +
    // The knob, declared as the lid's handle for the scene state (a site: no physics).
    `<site name="lid_handle" type="box" pos="0 0 ${t / 2 + k / 2}" size="${knob / 2} ${knob / 2} ${k / 2}" rgba="0 0 0 0"/>` +
    `</body>`
  );
}

export default defineTask<{ pot: Point2; spot: Point2 }>({
  id: 'take_lid_off',
  title: 'Take the lid off the pot',
  split: 'train',
  skills: ['pick', 'place', 'grasp handle', 'lid'],
  arms: ['panda'],
  instructions: () => [
    'take the lid off the pot and put it on the table beside the pot',
    'lift the lid from the pot by its knob and set it down next to the pot',
    "remove the pot's lid and leave it on the table",
  ],
  setup(random, arm) {
    // spot: a free place on the table for the lid, clear of the pot (not in the instruction: the
    // solver works out its own place from the scene state; the verifier tests use this one).
    const ws = WORKSPACES[arm];
    const [pot] = placeApart(random, 1, [0.42, 0.6], [-0.15, 0.15], 0);
    const [spot] = placeApart(random, 1, ws.x, ws.y, POT.outer / 2 + LID.plate / 2 + 0.05, [pot]);
    return {
      params: { pot, spot },
      objects: [],
      fixtures: [
        binXml('pot', pot, POT.inner, POT.wall, '0.35 0.37 0.4 1'),
        lidXml(pot, POT.wall + LID.thickness / 2, uniform(random, -0.05, 0.05)),
      ],
    };
  },
  verify(world, { pot }) {
    const p = world.position('lid');
    const apart = Math.max(Math.abs(p[0] - pot[0]), Math.abs(p[1] - pot[1]));
    const needed = POT.outer / 2 + LID.plate / 2 - MARGIN;
    return all(
      apart > needed
        ? pass('the lid is off the pot')
        : fail(`the lid still overlaps the pot by ${((needed + MARGIN - apart) * 100).toFixed(1)} cm`),
      p[2] < 0.03
        ? pass('the lid rests on the table')
        : fail(`the lid is not down on the table: its plate is ${(p[2] * 100).toFixed(1)} cm up`),
      released(world, 'lid'),
    );
  },
  solve(robot, state) {
    const lid = state.objects.find((o) => o.name === 'lid')!;
    const pot = state.objects.find((o) => o.name === 'pot')!;
    // Grasped by its handle (the knob), at the handle's centre; put down with the lid's underside
    // RELEASE_CLEARANCE above the table, as the prompt's placing rule says.
    const [x, y, z] = lid.handle!.centre;
    const release = z - (lid.position[2] - lid.size[2] / 2) + RELEASE_CLEARANCE;
    // Beside the pot along y, on the side towards the middle of the table (y = 0), far enough that
    // the two boxes do not overlap, with 5 cm to spare.
    const apart = pot.size[1] / 2 + lid.size[1] / 2 + 0.05;
    const to = [pot.position[0], pot.position[1] + (pot.position[1] > 0 ? -1 : 1) * apart];
    robot.open_gripper();
    robot.move_gripper([x, y, z + SAFE_HEIGHT], lid.yaw);
    robot.move_gripper([x, y, z], lid.yaw);
    robot.close_gripper();
    robot.move_gripper([x, y, z + SAFE_HEIGHT], lid.yaw);
    robot.move_gripper([to[0], to[1], release + SAFE_HEIGHT], lid.yaw);
    robot.move_gripper([to[0], to[1], release], lid.yaw);
    robot.open_gripper();
    robot.move_gripper([to[0], to[1], release + SAFE_HEIGHT], lid.yaw);
  },
});
