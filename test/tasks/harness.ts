// Verifier tests: build a task's scene for a seed, put objects into a chosen (near-miss) state,
// let physics settle, and ask the verifier.
import { findTask } from '../../core/tasks/registry.ts';
import { episodeSetup } from '../../core/episode/setup.ts';
import { loadScene } from '../../core/sim/scene.ts';
import { Arm } from '../../core/sim/arm.ts';
import { WorldView } from '../../core/tasks/world.ts';
import type { Simulation } from '../../core/sim/simulation.ts';
import type { TaskDefinition, TaskMemory, Verdict } from '../../core/tasks/types.ts';
import type { ArmName } from '../../api/types.ts';

export type Xy = [number, number];

export interface Arranged {
  sim: Simulation;
  arm: Arm;
  world: WorldView;
  params: Record<string, unknown>;
}

/** Put a free body at a position with a yaw (and optional tilt about x), at rest. */
export function placeFree(
  sim: Simulation,
  body: string,
  position: readonly number[],
  yaw = 0,
  tiltX = 0,
): void {
  const b = sim.id('body', body);
  if (b < 0) throw new Error(`no body ${body}`);
  const joint = sim.model.body_jntadr[b];
  const adr = sim.model.jnt_qposadr[joint];
  const dof = sim.model.jnt_dofadr[joint];
  // quaternion for Rz(yaw) * Rx(tiltX)
  const cz = Math.cos(yaw / 2);
  const sz = Math.sin(yaw / 2);
  const cx = Math.cos(tiltX / 2);
  const sx = Math.sin(tiltX / 2);
  sim.data.qpos.set([...position, cz * cx, cz * sx, sz * sx, sz * cx], adr);
  sim.data.qvel.set([0, 0, 0, 0, 0, 0], dof);
  sim.forward();
}

export function setJoint(sim: Simulation, joint: string, value: number): void {
  sim.data.qpos[sim.model.jnt_qposadr[sim.id('joint', joint)]] = value;
  sim.forward();
}

/**
 * The verdict for a task's scene (seed, arm) after `arrange` has put things where the test wants,
 * and `settle` seconds of physics.
 */
export async function verdictAfter(
  taskId: string,
  seed: number,
  arrange: (a: Arranged) => void,
  options: { arm?: ArmName; settle?: number; memory?: TaskMemory } = {},
): Promise<Verdict> {
  const task = await findTask(taskId);
  const setup = episodeSetup(task, seed, options.arm);
  const sim = await loadScene(setup.scene);
  const arm = Arm.attach(sim);
  try {
    arm.goHome();
    for (const [joint, value] of Object.entries(setup.joints)) setJoint(sim, joint, value);
    const world = new WorldView(sim, arm);
    arrange({ sim, arm, world, params: setup.params as Record<string, unknown> });
    arm.wait(options.settle ?? 0.3);
    return task.verify(world, setup.params, options.memory ?? {});
  } finally {
    arm.dispose();
    sim.dispose();
  }
}

/** The params a task's scene gets for a seed (on the task's first arm, as verdictAfter uses). */
export async function paramsOf(taskId: string, seed: number): Promise<Record<string, unknown>> {
  return episodeSetup(await findTask(taskId), seed).params as Record<string, unknown>;
}

/** The instructed one of a pair of fixtures (params.target), or the other one. */
export function targetOrOther(
  params: Record<string, unknown>,
  which: 'target' | 'other',
  [a, b]: readonly [string, string],
): string {
  return which === 'target' ? (params.target as string) : params.target === a ? b : a;
}

/** Put the block (params.colour) in the instructed bin of params.bins, or the other one. */
export const intoBin =
  (which: 'target' | 'other', dz = 0.024, dx = 0) =>
  ({ sim, params }: Arranged): void => {
    const bins = params.bins as Record<string, Xy>;
    const name = targetOrOther(params, which, ['bin_a', 'bin_b']);
    placeFree(sim, `${params.colour}_block`, [bins[name][0] + dx, bins[name][1], dz]);
  };

/** Push a button's cap `depth` metres down and let the task's observe() see it. */
export function pressButton(
  task: TaskDefinition,
  { sim, world, params }: Arranged,
  button: string,
  depth: number,
  memory: TaskMemory,
): void {
  setJoint(sim, `${button}_press`, -depth);
  task.observe!(world, params, memory);
}
