// Synthetic episodes for the dataset benchmarks: eight tasks, 60% successes, two models, a short
// program each. Shaped like what generation writes, without running the simulation.
import type { EpisodeRecord } from '../../core/dataset/episode-store.ts';

export const TASKS = [
  'reach_target',
  'pick_and_lift',
  'put_block_in_bin',
  'stack_two_blocks',
  'open_drawer',
  'press_button',
  'sort_blocks_by_colour',
  'take_lid_off',
];

export function synthetic(i: number, random: () => number): EpisodeRecord {
  const success = random() < 0.6;
  return {
    task: TASKS[i % TASKS.length],
    split: 'train',
    arm: 'panda',
    seed: Math.floor(i / TASKS.length),
    sample: 0,
    instruction: 'put the red block in the bin',
    scene: {
      version: 1,
      objects: [{ name: 'red_block', position: [0.5, 0.1, 0.02], yaw: 0.3, size: [0.04, 0.04, 0.04] }],
    },
    program: `open_gripper()\nmove_gripper([${(0.3 + random() * 0.3).toFixed(3)}, ${(random() * 0.4 - 0.2).toFixed(3)}, 0.12], 0.3)\nclose_gripper()\n`,
    trace: [{ primitive: 'open_gripper', status: 'reached' }],
    success,
    ...(success ? {} : { failureKind: 'task-failed', failure: 'outside the bin' }),
    reason: success ? 'in the bin' : 'outside the bin',
    model: i % 3 ? 'local:student.gguf' : 'openai:teacher@http://gpu:8000/v1',
    simSeconds: 6.5,
    wallSeconds: 0.3,
  };
}
