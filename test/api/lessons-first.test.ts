// Lessons 1 to 4 as a student takes them, through the api on the lab's own machine: every shipped
// file is in the course without a problem; every check is met by the right answer or program and not
// met by a wrong one, with the failure's kind and the step's hints for it; a program check really
// runs the scene; a met step stays met after a later failure.
import { afterAll, describe, expect, it } from 'vitest';
import { inProcessLab } from '../../api/in-process.ts';
import { disposeResources } from '../../api/resources.ts';
import type { LessonCheckResult } from '../../api/types.ts';
import { useTempLabHome } from '../helpers.ts';
import { lessonChecks } from '../fixtures/lesson-checks.ts';

useTempLabHome('blazer-lessons-first-');
const lab = inProcessLab({ local: true });
afterAll(() => disposeResources());
const { check, expectFailure, progressOf } = lessonChecks(lab);

const FIRST = ['meet-the-robot', 'what-the-model-sees', 'write-your-own-program', 'why-programs-fail'];
async function starterOf(lesson: string, step: string): Promise<string> {
  const { lesson: view } = await lab.call('lessons.get', { lesson });
  const starter = view.steps.find((s) => s.id === step)?.starter;
  expect(starter, `${lesson}/${step} has a starter program`).toBeDefined();
  return starter!;
}

/** The student's edit of a program: `from` must be in it (a changed starter fails here, not silently). */
function edit(program: string, from: string, to: string): string {
  expect(program).toContain(from);
  return program.split(from).join(to);
}

const calls = (result: LessonCheckResult): string[] =>
  (result.episode?.trace ?? []).map((r) => `${r.primitive}:${r.status}`);

describe('the first lessons, as a student takes them', () => {
  it('lists lessons 1 to 4 in order, each with steps and checks, and none of their files has a problem', async () => {
    const { lessons, problems } = await lab.call('lessons.list', {});
    expect(lessons.slice(0, 4).map((l) => [l.order, l.id])).toEqual(FIRST.map((id, i) => [i + 1, id]));
    expect(problems.filter((p) => /lessons\/0[1-4]-/.test(p.file))).toEqual([]);
    for (const summary of lessons.slice(0, 4)) {
      expect(summary.minutes).toBeGreaterThanOrEqual(15);
      expect(summary.minutes).toBeLessThanOrEqual(30);
      expect(summary.checks).toBeGreaterThanOrEqual(3);
      const { lesson } = await lab.call('lessons.get', { lesson: summary.id });
      for (const step of lesson.steps.filter((s) => s.check))
        expect(step.hints, `${summary.id}/${step.id} has hints`).toBeGreaterThan(0);
    }
    const seen = await lab.call('lessons.get', { lesson: 'what-the-model-sees' });
    expect(seen.lesson.figures['figures/table-axes.svg']).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  it('lesson 1: the scripted solution lifts the block, the trace questions take the right answer only, and with nobody acting the episode fails', async () => {
    const ada = 'Ada';
    const lesson = 'meet-the-robot';
    const scripted = await check(ada, lesson, 'run-the-scripted-solution', {});
    expect(scripted.met, scripted.message).toBe(true);
    expect(calls(scripted)).toEqual([
      'open_gripper:reached',
      'move_gripper:reached',
      'move_gripper:reached',
      'close_gripper:reached',
      'move_gripper:reached',
    ]);

    const wrongGrip = await check(ada, lesson, 'read-the-trace', { answer: 'open_gripper' });
    expectFailure(wrongGrip, lesson, 'read-the-trace', 'wrong-answer');
    expect((await check(ada, lesson, 'read-the-trace', { answer: 'close_gripper' })).met).toBe(true);

    // The answer to 'how many move_gripper calls' is the scripted run's own count.
    const moves = calls(scripted).filter((c) => c.startsWith('move_gripper')).length;
    const wrongCount = await check(ada, lesson, 'count-the-moves', { answer: '5' });
    expectFailure(wrongCount, lesson, 'count-the-moves', 'wrong-answer');
    expect((await check(ada, lesson, 'count-the-moves', { answer: String(moves) })).met).toBe(true);

    const nobody = await check(ada, lesson, 'when-nobody-acts', {});
    expect(nobody.met, nobody.message).toBe(true);
    expect(nobody.episode?.success).toBe(false);
    expect(nobody.episode?.trace).toEqual([]);
    expect(nobody.message).toContain('green_block is only');

    // A wrong answer after the step was met: still met, and the lesson is complete.
    const again = await check(ada, lesson, 'read-the-trace', { answer: 'move_gripper' });
    expect(again.met).toBe(false);
    expect(again.progress.steps['read-the-trace'].met).toBe(true);
    const progress = await progressOf(ada, lesson);
    expect([progress.done, progress.total, progress.complete]).toEqual([4, 4, true]);
  });

  it("lesson 2: numbers read from the scene state are right within the tolerance; a centimetre answer, a block's top or a word is not, each with its hint", async () => {
    const grace = 'Grace';
    const lesson = 'what-the-model-sees';
    expectFailure(
      await check(grace, lesson, 'find-the-scene-state', { answer: '44.2' }),
      lesson,
      'find-the-scene-state',
      'wrong-answer',
    );
    expectFailure(
      await check(grace, lesson, 'find-the-scene-state', { answer: 'about half a metre' }),
      lesson,
      'find-the-scene-state',
      'bad-answer',
    );
    expect((await check(grace, lesson, 'find-the-scene-state', { answer: '0.442' })).met).toBe(true);
    expect((await check(grace, lesson, 'find-the-scene-state', { answer: '0,443' })).met).toBe(true);

    const top = await check(grace, lesson, 'predict-how-high-a-block-is', { answer: '0.04' });
    expectFailure(top, lesson, 'predict-how-high-a-block-is', 'wrong-answer');
    expect(top.hints[0]).toContain('halfway');
    expect((await check(grace, lesson, 'predict-how-high-a-block-is', { answer: '0.02' })).met).toBe(true);

    expectFailure(
      await check(grace, lesson, 'left-or-right', { answer: 'blue_block' }),
      lesson,
      'left-or-right',
      'wrong-answer',
    );
    expect((await check(grace, lesson, 'left-or-right', { answer: 'yellow_block' })).met).toBe(true);

    expectFailure(
      await check(grace, lesson, 'the-gripper', { answer: '0.403' }),
      lesson,
      'the-gripper',
      'wrong-answer',
    );
    expect((await check(grace, lesson, 'the-gripper', { answer: '0.08' })).met).toBe(true);

    expectFailure(
      await check(grace, lesson, 'what-the-model-does-not-get', { answer: 'the scene state' }),
      lesson,
      'what-the-model-does-not-get',
      'wrong-answer',
    );
    const last = await check(grace, lesson, 'what-the-model-does-not-get', {
      answer: 'a picture of the table',
    });
    expect(last.met).toBe(true);
    expect([last.progress.done, last.progress.total, last.progress.complete]).toEqual([5, 5, true]);
  });

  it('lesson 3: the starter as given says the gripper never closed; a typo in the new line names its line; filled in, the program lifts the block', async () => {
    const alan = 'Alan';
    const lesson = 'write-your-own-program';
    expectFailure(
      await check(alan, lesson, 'read-the-starter-program', { answer: '0.1' }),
      lesson,
      'read-the-starter-program',
      'wrong-answer',
    );
    expect((await check(alan, lesson, 'read-the-starter-program', { answer: '0.12' })).met).toBe(true);

    const step = 'fill-the-gap';
    const starter = await starterOf(lesson, step);
    const gap = '# your line here: what makes the fingers hold the block?';

    expectFailure(await check(alan, lesson, step, {}), lesson, step, 'no-program');

    const asGiven = await check(alan, lesson, step, { program: starter });
    expectFailure(asGiven, lesson, step, 'missing-call');
    expect(asGiven.hints[0]).toContain('close_gripper()');
    expect(calls(asGiven)).not.toContain('close_gripper:reached');

    // A bracket left open on the new line: Python's error and its line, not "never closed the gripper".
    const unclosed = await check(alan, lesson, step, {
      program: edit(starter, gap, 'close_gripper("yellow_block"'),
    });
    expectFailure(unclosed, lesson, step, 'syntax');
    expect(unclosed.failure?.line).toBe(starter.split('\n').indexOf(gap) + 1);
    expect(calls(unclosed)).toEqual([]);

    const unquoted = await check(alan, lesson, step, {
      program: edit(starter, gap, 'close_gripper(yellow_block)'),
    });
    expectFailure(unquoted, lesson, step, 'runtime');
    expect(unquoted.failure?.message).toContain('NameError');
    expect(calls(unquoted)).toHaveLength(3);

    const filled = await check(alan, lesson, step, { program: edit(starter, gap, 'close_gripper()') });
    expect(filled.met, filled.message).toBe(true);
    expect(calls(filled)).toEqual([
      'open_gripper:reached',
      'move_gripper:reached',
      'move_gripper:reached',
      'close_gripper:reached',
      'move_gripper:reached',
    ]);
    expect(filled.message).toContain('yellow_block is held');

    // Closing too late, after the step was met: task-failed with its hint, and the step stays met.
    const late = await check(alan, lesson, step, { program: edit(starter, gap, '') + 'close_gripper()\n' });
    expectFailure(late, lesson, step, 'task-failed');
    expect(late.progress.steps[step].met).toBe(true);
    expect((await progressOf(alan, lesson)).done).toBe(2);
  });

  it('lesson 3: the yellow program on the orange seed stops with the KeyError hint; renamed, it lifts the orange block', async () => {
    const alan = 'Alan';
    const lesson = 'write-your-own-program';
    const step = 'a-different-block';
    const yellow = edit(
      await starterOf(lesson, 'fill-the-gap'),
      '# your line here: what makes the fingers hold the block?',
      'close_gripper("yellow_block")',
    );
    const unchanged = await check(alan, lesson, step, { program: yellow });
    expectFailure(unchanged, lesson, step, 'runtime');
    expect(unchanged.failure?.message).toContain("KeyError: 'yellow_block'");
    expect(unchanged.hints[0]).toContain('orange_block');

    const orange = await check(alan, lesson, step, { program: edit(yellow, 'yellow', 'orange') });
    expect(orange.met, orange.message).toBe(true);
    expect(orange.message).toContain('orange_block is held');
  });

  it('lesson 4: the unreadable program fails with syntax, then with runtime after the first calls, then lifts the block with both fixed', async () => {
    const lin = 'Lin';
    const lesson = 'why-programs-fail';
    const step = 'a-program-that-does-not-run';
    const broken = await starterOf(lesson, step);

    const unread = await check(lin, lesson, step, { program: broken });
    expectFailure(unread, lesson, step, 'syntax');
    expect(unread.failure?.line).toBe(7);
    expect(calls(unread)).toEqual([]);

    const bracket = edit(broken, 'block.yaw           # down', 'block.yaw)          # down');
    const stopped = await check(lin, lesson, step, { program: bracket });
    expectFailure(stopped, lesson, step, 'runtime');
    expect(stopped.failure).toMatchObject({ line: 8, message: expect.stringContaining('close_griper') });
    expect(calls(stopped)).toEqual(['open_gripper:reached', 'move_gripper:reached', 'move_gripper:reached']);

    const fixed = await check(lin, lesson, step, {
      program: edit(bracket, 'close_griper(', 'close_gripper('),
    });
    expect(fixed.met, fixed.message).toBe(true);
    expect(fixed.message).toContain('blue_block is held');
  });

  it('lesson 4: the program that hits the bin is blocked, with the hint about its rim; carried higher, the block lands in the bin', async () => {
    const lin = 'Lin';
    const lesson = 'why-programs-fail';
    const step = 'a-program-that-bumps-into-things';
    const broken = await starterOf(lesson, step);

    const hit = await check(lin, lesson, step, { program: broken });
    expectFailure(hit, lesson, step, 'blocked');
    expect(hit.failure?.message).toMatch(/contact between \w+ and bin/);
    expect(hit.hints[0]).toContain('rim z 0.050');
    expect(calls(hit)).toContain('move_gripper:blocked');

    // The hint's fix: both low moves at z + 0.1.
    const higher = await check(lin, lesson, step, { program: edit(broken, 'z + 0.01]', 'z + 0.1]') });
    expect(higher.met, higher.message).toBe(true);
    expect(calls(higher).every((c) => c.endsWith(':reached'))).toBe(true);
    expect((await progressOf(lin, lesson)).steps[step].met).toBe(true);
  });

  it("lesson 4: the model's program with a number copied wrong fails the task with every call reached; with the sign fixed the blocks are stacked", async () => {
    const lin = 'Lin';
    const lesson = 'why-programs-fail';
    const step = 'a-program-that-does-the-wrong-thing';
    const broken = await starterOf(lesson, step);

    const wrong = await check(lin, lesson, step, { program: broken });
    expectFailure(wrong, lesson, step, 'task-failed');
    expect(wrong.message).toContain('below red_block');
    expect(calls(wrong)).toHaveLength(9);
    expect(calls(wrong).every((c) => c.endsWith(':reached'))).toBe(true);

    const fixed = await check(lin, lesson, step, { program: edit(broken, '0.547, -0.131', '0.547, 0.131') });
    expect(fixed.met, fixed.message).toBe(true);
    expect(fixed.message).toContain('purple_block rests on red_block');

    // The two earlier steps of this lesson were met by the tests above when the file runs whole.
    const progress = await progressOf(lin, lesson);
    expect(progress.steps[step].met).toBe(true);
    expect(progress.total).toBe(3);
  });
});
