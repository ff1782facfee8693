// What a student hears back from a check, without a simulation: answers typed the way people type
// them count, and a wrong or unreadable answer says which it is.
import { describe, expect, it } from 'vitest';
import { verdictOfChoice, verdictOfSceneValue } from '../../../core/lessons/check-evaluate.ts';
import type { SceneState } from '../../../api/types.ts';

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
