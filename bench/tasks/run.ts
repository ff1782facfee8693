// bench/tasks: episodes per minute with the scripted solver, per task and overall, on one worker
// thread and on two (each worker owns its own MuJoCo module). The anchor is the one-worker run:
// the two-worker speed-up is printed as a ratio.
// Run: npm run bench:tasks  (add -- --seeds N, default 6)
import { availableParallelism } from 'node:os';
import { loadTasks } from '../../core/tasks/registry.ts';
import { runInWorkers } from '../../core/generate/workers.ts';
import { numberFlag } from '../flags.ts';

const seeds = numberFlag('seeds', 6);
const tasks = await loadTasks();
const jobs = tasks.flatMap((task) =>
  Array.from({ length: seeds }, (_, seed) => ({ taskId: task.id, seed, arm: task.arms[0] })),
);

async function measure(
  workers: number,
): Promise<{ perTask: Map<string, number>; overall: number; failures: string[] }> {
  const busy = new Map<string, number>(); // wall seconds of episode work per task, summed
  const start = performance.now();
  const outcomes = await runInWorkers(jobs, workers);
  const wall = (performance.now() - start) / 1000;
  const failures: string[] = [];
  for (const o of outcomes) {
    if ('error' in o) failures.push(`${o.job.taskId} seed ${o.job.seed}: ${o.error}`);
    else if (!o.result.success) failures.push(`${o.job.taskId} seed ${o.job.seed}: ${o.result.reason}`);
    if ('result' in o) busy.set(o.job.taskId, (busy.get(o.job.taskId) ?? 0) + o.result.wallSeconds);
  }
  // Per task: episodes per minute of one worker's time, scaled by the pool's overall efficiency.
  const totalBusy = [...busy.values()].reduce((a, b) => a + b, 0);
  const efficiency = totalBusy / wall; // how many workers' worth of episode time each wall second held
  const perTask = new Map([...busy].map(([id, seconds]) => [id, (60 * seeds * efficiency) / seconds]));
  return { perTask, overall: (60 * jobs.length) / wall, failures };
}

console.log(
  `bench/tasks: ${tasks.length} tasks x ${seeds} seeds, scripted solver; ${availableParallelism()} CPUs`,
);
const one = await measure(1);
const two = await measure(2);
console.log(`\n${'task'.padEnd(32)} ${'1 worker'.padStart(9)} ${'2 workers'.padStart(10)}   episodes/min`);
for (const task of tasks) {
  console.log(
    `${task.id.padEnd(32)} ${one.perTask.get(task.id)!.toFixed(0).padStart(9)} ${two.perTask.get(task.id)!.toFixed(0).padStart(10)}`,
  );
}
console.log(
  `${'overall'.padEnd(32)} ${one.overall.toFixed(0).padStart(9)} ${two.overall.toFixed(0).padStart(10)}`,
);
console.log(`two-worker speed-up: ${(two.overall / one.overall).toFixed(2)}x`);
const failures = new Set([...one.failures, ...two.failures]);
console.log(failures.size ? [...failures].map((f) => `failed: ${f}`).join('\n') : 'no episode failed');
