// Every task, on every arm it supports: the scripted solver succeeds on at least 95% of 20 seeds,
// a program that does nothing fails on all of them, and the same seed gives the same episode.
import { describe, expect, it } from 'vitest';
import { loadTasks } from '../../core/tasks/registry.ts';
import { doNothing, runEpisode } from '../../core/tasks/episode.ts';

const SEEDS = Array.from({ length: 20 }, (_, i) => i);
const tasks = await loadTasks();
const cases = tasks.flatMap((task) => task.arms.map((arm) => ({ task, arm, name: `${task.id} on ${arm}` })));

describe('task suite', () => {
  it('has at least 16 tasks and a held-out split of at least 5', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(16);
    expect(tasks.filter((t) => t.split === 'heldout').length).toBeGreaterThanOrEqual(5);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
  });

  it.each(cases)('$name: the scripted solver succeeds on >= 95% of 20 seeds', async ({ task, arm }) => {
    const failures: string[] = [];
    for (const seed of SEEDS) {
      const result = await runEpisode(task, seed, { arm });
      if (!result.success) failures.push(`seed ${seed}: ${result.reason}`);
    }
    expect(failures.length, failures.join('\n')).toBeLessThanOrEqual(1);
  });

  it.each(cases)('$name: doing nothing fails on all 20 seeds', async ({ task, arm }) => {
    for (const seed of SEEDS) {
      const result = await runEpisode(task, seed, { arm, program: doNothing });
      expect(result.success, `seed ${seed}: ${result.reason}`).toBe(false);
    }
  });

  it.each(cases)('$name: the same seed gives the same scene and result', async ({ task, arm }) => {
    const a = await runEpisode(task, 7, { arm });
    const b = await runEpisode(task, 7, { arm });
    expect(b.initialState).toEqual(a.initialState);
    expect(b.finalState).toEqual(a.finalState);
    expect(b.trace).toEqual(a.trace);
    expect(b.success).toBe(a.success);
    const other = await runEpisode(task, 8, { arm, program: doNothing });
    expect(other.initialState).not.toEqual(a.initialState);
  });
});
