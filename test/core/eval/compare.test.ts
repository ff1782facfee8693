import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareEvaluations, formatCompareTable } from '../../../core/eval/compare.ts';
import { rateWithInterval } from '../../../core/eval/wilson.ts';
import type { EvalSummary } from '../../../api/types.ts';

/** An evaluation with these successes out of 20 per task. */
function run(runId: number, label: string, perTask: Record<string, number>): EvalSummary {
  const split = (task: string) =>
    (task.startsWith('put_block_in_side') ? 'heldout' : 'train') as 'train' | 'heldout';
  const tasks = Object.entries(perTask).map(([task, successes]) => ({
    task,
    split: split(task),
    ...rateWithInterval(successes, 20),
    tokens: 80,
    seconds: 0.5,
  }));
  const pool = (s: 'train' | 'heldout') => {
    const of = tasks.filter((t) => t.split === s);
    return rateWithInterval(
      of.reduce((n, t) => n + t.successes, 0),
      of.reduce((n, t) => n + t.attempts, 0),
    );
  };
  return {
    runId,
    label,
    model: label,
    scenes: 20,
    samples: 1,
    firstSeed: 1e9,
    tasks,
    train: pool('train'),
    heldout: pool('heldout'),
    status: 'done',
    startedAt: 0,
  };
}

// Set BLAZER_UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change of layout.
describe('lab eval compare', () => {
  it("prints the paper's table (models x tasks, train and held-out means) and names the differences outside the intervals", () => {
    const table = compareEvaluations([
      run(1, 'scripted', { reach_target: 20, pick_and_lift: 19, put_block_in_side_bin: 18 }),
      run(2, 'tiny', { reach_target: 0, pick_and_lift: 0, put_block_in_side_bin: 0 }),
      run(3, 'tiny+reach-lora', { reach_target: 17, pick_and_lift: 2, put_block_in_side_bin: 0 }),
    ]);
    const text = formatCompareTable(table);
    const file = new URL('../../golden/eval-compare.txt', import.meta.url);
    if (process.env.BLAZER_UPDATE_GOLDEN) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
    expect(table.tasks.map((t) => t.id)).toEqual(['pick_and_lift', 'reach_target', 'put_block_in_side_bin']);
    // 17/20 vs 20/20 overlap; 17/20 vs 0/20 do not.
    expect(table.significant).toContain(
      'tiny+reach-lora beats tiny on reach_target: 85% vs 0% (intervals 64%-95% and 0%-16% do not overlap)',
    );
    expect(table.significant.some((s) => s.includes('scripted beats tiny+reach-lora on reach_target'))).toBe(
      false,
    );
  });

  it('leaves a cell empty when a run did not attempt that task', () => {
    const table = compareEvaluations([run(1, 'a', { reach_target: 3 }), run(2, 'b', { pick_and_lift: 3 })]);
    expect(table.rows[0].cells.pick_and_lift).toBeNull();
    expect(formatCompareTable(table)).toMatch(/^a +- +15%/m);
  });
});
