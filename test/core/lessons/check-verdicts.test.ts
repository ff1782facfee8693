// What a student hears back from a check, without a simulation: answers typed the way people type
// them count, and a wrong or unreadable answer says which it is.
import { describe, expect, it } from 'vitest';
import {
  compareEvaluations,
  verdictOfChoice,
  verdictOfSceneValue,
} from '../../../core/lessons/check-evaluate.ts';
import type { EvalSummary, SceneState } from '../../../api/types.ts';

const choice = {
  kind: 'choice' as const,
  question: 'How high?',
  options: ['0.02', '0.12', 'Blue'],
  answer: '0.12',
};
const state: SceneState = {
  version: 2,
  objects: [{ name: 'blue_block', position: [0.5, -0.1, 0.02], yaw: 0, size: [0.04, 0.04, 0.04] }],
  gripper: { position: [0.3, 0, 0.4], yaw: 0, opening: 0.08 },
};
const sceneValue = (object: string, field: 'z' | 'opening' | 'height') =>
  ({ kind: 'scene-value', task: 't', seed: 0, object, field, tolerance: 0.005 }) as const;

describe('a choice check', () => {
  it('takes the answer in any case and a number in any form', () => {
    expect(verdictOfChoice(choice, '0.120').met).toBe(true);
    expect(verdictOfChoice(choice, ' .12 ').met).toBe(true);
    expect(verdictOfChoice({ ...choice, answer: 'Blue' }, 'blue').met).toBe(true);
  });

  it('tells a wrong option from one that is not an option', () => {
    expect(verdictOfChoice(choice, '0.02').failure?.kind).toBe('wrong-answer');
    expect(verdictOfChoice(choice, '0.2').failure).toMatchObject({
      kind: 'bad-answer',
      message: expect.stringContaining('not one of the options'),
    });
  });
});

describe('a scene-value check', () => {
  it('accepts a number within the tolerance and names the value once met', () => {
    const verdict = verdictOfSceneValue(sceneValue('blue_block', 'z'), state, '0.021');
    expect(verdict).toMatchObject({ met: true, message: 'right: the z of blue_block is 0.02' });
    expect(verdictOfSceneValue(sceneValue('gripper', 'opening'), state, '0,08').message).toBe(
      "right: the gripper's opening is 0.08",
    );
  });

  it('does not give the value away when the answer is wrong, and says when it is not a number', () => {
    const wrong = verdictOfSceneValue(sceneValue('blue_block', 'height'), state, '0.4');
    expect(wrong).toMatchObject({ met: false, failure: { kind: 'wrong-answer' } });
    expect(wrong.message).not.toContain('0.04');
    expect(verdictOfSceneValue(sceneValue('blue_block', 'z'), state, 'two cm').failure?.kind).toBe(
      'bad-answer',
    );
  });
});

describe('an evaluation check', () => {
  const check = { kind: 'evaluation', task: 'reach_target' } as const;
  let nextId = 1;
  /** An evaluation run on reach_target: `rate` of `scenes` scenes, code answers at temperature 0 unless told. */
  const run = (model: string, rate: number, more: Partial<EvalSummary> = {}): EvalSummary => {
    const scenes = more.scenes ?? 4;
    const result = { attempts: scenes, successes: rate * scenes, rate, low: 0, high: 1 };
    return {
      runId: nextId++,
      label: more.adapter ? `${model}+${more.adapter}` : model,
      model,
      scenes,
      samples: 1,
      firstSeed: 1000,
      format: 'code',
      temperature: 0,
      tasks: [{ task: 'reach_target', split: 'train', ...result, tokens: 10, seconds: 1 }],
      train: result,
      status: 'done',
      startedAt: 0,
      ...more,
    };
  };
  const none = new Map<string, string>();

  it('compares an adapter only with its base evaluated the same way, and says how they differ', () => {
    const tuned = run('tiny', 1, { adapter: 'lora' });
    const verdict = compareEvaluations(check, [tuned, run('tiny', 0, { scenes: 1 })], none, 'data.sqlite');
    expect(verdict.failure?.kind).toBe('not-yet');
    expect(verdict.message).toContain(
      'not as tiny+lora was (4 scenes per task, code answers, temperature 0; it was 1 scene per task',
    );
    const json = run('tiny', 0, { format: 'json' });
    expect(compareEvaluations(check, [tuned, json], none, 'data.sqlite').met).toBe(false);
    const hot = run('tiny', 0, { temperature: 0.7 });
    expect(compareEvaluations(check, [tuned, hot], none, 'data.sqlite').met).toBe(false);
    expect(compareEvaluations(check, [tuned, hot, run('tiny', 0)], none, 'data.sqlite').met).toBe(true);
  });

  it('speaks of the best pair, whatever order the runs were made in', () => {
    const base = run('tiny', 0.25);
    const good = run('tiny', 0.75, { adapter: 'long' });
    const poor = run('tiny', 0, { adapter: 'short' });
    const better = run('tiny', 0.5, { adapter: 'mid' });
    for (const runs of [
      [good, base, poor, better],
      [better, poor, base, good],
    ])
      expect(compareEvaluations(check, runs, none, 'd').message).toBe(
        'tiny+long 75% beats tiny 25% on reach_target',
      );
    const near = run('tiny', 0.25, { adapter: 'mid' });
    expect(compareEvaluations(check, [near, base, poor], none, 'd')).toMatchObject({
      met: false,
      message: 'tiny+mid 25% does not beat tiny 25% on reach_target',
      failure: { kind: 'not-better' },
    });
  });

  it("counts a hosted fine-tune against its base model's endpoint", () => {
    const hosted = new Map([['reach-ft', 'gpt-4o-mini']]);
    const idOf = (model: string) => (model === 'mini' ? 'gpt-4o-mini' : model);
    const verdict = compareEvaluations(check, [run('reach-ft', 0.5), run('mini', 0.25)], hosted, 'd', idOf);
    expect(verdict).toMatchObject({ met: true, message: 'reach-ft 50% beats mini 25% on reach_target' });
    expect(
      compareEvaluations(check, [run('reach-ft', 0.5), run('other', 0)], hosted, 'd', idOf).message,
    ).toContain("no evaluation of the adapter's base model (gpt-4o-mini) alone");
  });
});
