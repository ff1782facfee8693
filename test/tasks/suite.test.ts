// Every task, on every arm it supports: the scripted solver succeeds on at least 95% of 20 seeds,
// a program that does nothing fails on all of them, and the same seed gives the same episode
// (run twice, on two different worker threads, each with its own MuJoCo module).
import { beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { loadTasks } from '../../core/tasks/registry.ts';
import { runInWorkers, type EpisodeJob } from '../../core/generate/workers.ts';
import type { EpisodeResult } from '../../api/types.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i);
const REPEATED_SEED = 7;
const tasks = await loadTasks();
const cases = tasks.flatMap((task) => task.arms.map((arm) => ({ task, arm, name: `${task.id} on ${arm}` })));
const key = (j: EpisodeJob): string => `${j.taskId}/${j.arm}/${j.solver}/${j.seed}`;
const results = new Map<string, EpisodeResult[]>();

beforeAll(async () => {
  const jobs = cases.flatMap(({ task, arm }) => [
    ...SEEDS.map((seed) => ({
      taskId: task.id,
      arm,
      seed,
      solver: 'scripted' as const,
      ...(seed === REPEATED_SEED ? { worker: 0 } : {}),
    })),
    ...SEEDS.map((seed) => ({ taskId: task.id, arm, seed, solver: 'none' as const })),
    { taskId: task.id, arm, seed: REPEATED_SEED, solver: 'scripted' as const, worker: 1 },
  ]);
  const outcomes = await runInWorkers(jobs, Math.max(2, availableParallelism()));
  for (const outcome of outcomes) {
    if ('error' in outcome) throw new Error(`${key(outcome.job)}: ${outcome.error}`);
    const k = key(outcome.job);
    results.set(k, [...(results.get(k) ?? []), outcome.result]);
  }
}, 1_800_000);

describe('task suite', () => {
  it('has at least 16 tasks and a held-out split of at least 5', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(16);
    expect(tasks.filter((t) => t.split === 'heldout').length).toBeGreaterThanOrEqual(5);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
  });

  it.each(cases)('$name: the scripted solver succeeds on >= 95% of 20 seeds', ({ task, arm }) => {
    const failures = SEEDS.map(
      (seed) => results.get(key({ taskId: task.id, arm, seed, solver: 'scripted' }))![0],
    )
      .filter((r) => !r.success)
      .map((r) => `seed ${r.seed}: ${r.reason}`);
    expect(failures.length, failures.join('\n')).toBeLessThanOrEqual(1);
  });

  it.each(cases)('$name: doing nothing fails on all 20 seeds', ({ task, arm }) => {
    for (const seed of SEEDS) {
      const [result] = results.get(key({ taskId: task.id, arm, seed, solver: 'none' }))!;
      expect(result.success, `seed ${seed}: ${result.reason}`).toBe(false);
      expect(result.primitiveCalls).toBe(0);
    }
  });

  it.each(cases)(
    '$name: the same seed gives the same scene and result, other seeds other scenes',
    ({ task, arm }) => {
      const [a, b] = results.get(key({ taskId: task.id, arm, seed: REPEATED_SEED, solver: 'scripted' }))!;
      expect(b.initialState).toEqual(a.initialState);
      expect(b.trace).toEqual(a.trace);
      expect(b.finalState).toEqual(a.finalState);
      expect(b.success).toBe(a.success);
      const scenes = SEEDS.map((seed) =>
        JSON.stringify(results.get(key({ taskId: task.id, arm, seed, solver: 'none' }))![0].initialState),
      );
      expect(new Set(scenes).size).toBe(SEEDS.length);
    },
  );
});
