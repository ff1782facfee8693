// Lessons 5 to 8 as a student takes them on the lab's own machine, through the api: every check is
// first not met the way a student who has not done the work yet meets it (no dataset, a wrong
// answer, an adapter no better than its base, a trial marked a failure), with that failure's kind
// and the step's hints for it; then met after doing the work the lesson asks for, with the same
// calls the screens make (models.addTiny, generate.run, train.*, eval.run, robot.*).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { inProcessLab } from '../../api/in-process.ts';
import { disposeResources } from '../../api/resources.ts';
import { disconnectArm } from '../../api/robot-session.ts';
import type { LessonCheckResult } from '../../api/types.ts';
import { saveCalibration } from '../../core/robot/calibration-store.ts';
import { useTempLabHome } from '../helpers.ts';
import { lessonChecks } from '../fixtures/lesson-checks.ts';
import {
  LESSON_7_ADAPTER,
  LESSON_7_DATA,
  LESSON_7_SET,
  LESSON_7_TRAINING,
} from '../fixtures/lesson-7-recipe.ts';
import {
  startEmulatedArmProcess,
  testCalibration,
  type EmulatedArmProcess,
} from '../fixtures/emulated-arm.ts';

const home = useTempLabHome('blazer-lessons-later-');
const lab = inProcessLab({ local: true });
/** The dataset every screen and check uses on the lab's own machine unless another is named. */
const ownDataset = join(home, 'dataset.sqlite');
let emulated: EmulatedArmProcess | undefined;
afterEach(async () => {
  await disconnectArm();
  await emulated?.close();
  emulated = undefined;
});
afterAll(() => disposeResources());
const { check, expectFailure, progressOf } = lessonChecks(lab);

const LATER = ['ask-a-model', 'generate-and-read-data', 'fine-tune-a-student', 'the-real-arm'];
/**
 * A choice step as the student sees it: the option containing `wrong` is not met, with the hints for
 * a wrong answer; the option containing `right` is met.
 */
async function expectChoice(
  student: string,
  lesson: string,
  step: string,
  right: string,
  wrong: string,
): Promise<LessonCheckResult> {
  const { lesson: view } = await lab.call('lessons.get', { lesson });
  const options = view.steps.find((s) => s.id === step)?.check?.options ?? [];
  const option = (part: string): string => {
    const found = options.filter((o) => o.includes(part));
    expect(found, `one option of ${lesson}/${step} says '${part}'`).toHaveLength(1);
    return found[0];
  };
  expectFailure(await check(student, lesson, step, { answer: option(wrong) }), lesson, step, 'wrong-answer');
  const result = await check(student, lesson, step, { answer: option(right) });
  expect(result.met, result.message).toBe(true);
  return result;
}

describe('lessons 5 to 8, as a student takes them', () => {
  it('lists lessons 5 to 8 in order, with the model and the arm they need, and none of their files has a problem', async () => {
    const { lessons, problems } = await lab.call('lessons.list', {});
    expect(problems.filter((p) => /lessons\/0[5-8]-/.test(p.file))).toEqual([]);
    const later = lessons.filter((l) => l.order >= 5 && l.order <= 8);
    expect(later.map((l) => [l.order, l.id])).toEqual(LATER.map((id, i) => [i + 5, id]));
    expect(later.map((l) => [l.needs, l.optional])).toEqual([
      [['model'], false],
      [['model'], false],
      [['model'], false],
      [['arm'], true],
    ]);
    for (const summary of later) {
      expect(summary.minutes).toBeGreaterThanOrEqual(15);
      expect(summary.minutes).toBeLessThanOrEqual(30);
      const { lesson } = await lab.call('lessons.get', { lesson: summary.id });
      for (const step of lesson.steps.filter((s) => s.check))
        expect(step.hints, `${summary.id}/${step.id} has hints`).toBeGreaterThan(0);
    }
  });

  it('lesson 5: the check needs a model; with the tiny model its one-step plan fails the task and the step is done anyway; the prompt and the failure questions take the right answer only', async () => {
    const ada = 'Ada';
    const lesson = 'ask-a-model';
    await expect(check(ada, lesson, 'ask-the-model')).rejects.toMatchObject({
      kind: 'bad-request',
      message: expect.stringMatching(/name one \(the tiny model will do\)/),
    });
    await expectChoice(
      ada,
      lesson,
      'read-the-prompt',
      'approach and leave every grasp',
      'Grasp any other object',
    );

    // A name the lab does not know (the tiny model is not added yet) is a slip with its hint.
    const unknown = await check(ada, lesson, 'ask-the-model', { model: 'tiny-test', threads: 1 });
    expectFailure(unknown, lesson, 'ask-the-model', 'no-model');
    expect(unknown.message).toContain("no model or endpoint named 'tiny-test' is registered");
    const noFile = await check(ada, lesson, 'ask-the-model', { model: './no-such-model.gguf' });
    expectFailure(noFile, lesson, 'ask-the-model', 'no-model');
    expect(noFile.message).toContain('no-such-model.gguf');

    // The Models screen's button, then the Check with the model's name: the lab runs the model itself.
    await lab.call('models.addTiny', {});
    const asked = await check(ada, lesson, 'ask-the-model', { model: 'tiny-test', threads: 1 });
    expect(asked.met, asked.message).toBe(true);
    // What the lesson tells the student they will most likely see.
    expect(asked.episode).toMatchObject({ success: false, program: 'open_gripper()\n' });
    expect(asked.episode?.trace.map((r) => `${r.primitive}:${r.status}`)).toEqual(['open_gripper:reached']);
    expect(asked.message).toContain('failed (task-failed): yellow_block is only 0.0 cm above the table');

    const why = await expectChoice(
      ada,
      lesson,
      'why-did-it-fail',
      'weights are random',
      'did not say which block',
    );
    expect([why.progress.done, why.progress.total, why.progress.complete]).toEqual([3, 3, true]);
  });

  it('lesson 6: with no dataset the generate checks say not yet; the scripted run and the tiny model run meet them; the 50% question, the stopped episode and the successes-only question', async () => {
    const grace = 'Grace';
    const lesson = 'generate-and-read-data';
    const scripted = 'generate-with-the-scripted-solver';
    const modelled = 'generate-with-a-model';
    const find = 'find-a-failure';
    expectFailure(await check(grace, lesson, scripted), lesson, scripted, 'not-yet');
    expectFailure(await check(grace, lesson, find, { episode: 1 }), lesson, find, 'not-yet');

    // The Generate screen as the lesson sets it: scripted solver, two tasks, 5 scenes, 2 workers.
    await lab.call('generate.run', {
      db: ownDataset,
      tasks: ['pick_and_lift', 'reach_target'],
      teacher: 'scripted',
      scenes: 5,
      samples: 1,
      workers: 2,
    });
    expect((await check(grace, lesson, scripted)).met).toBe(true);
    // The scripted episodes are not a model's.
    expectFailure(await check(grace, lesson, modelled), lesson, modelled, 'not-yet');

    await lab.call('models.addTiny', {});
    await lab.call('generate.run', {
      db: ownDataset,
      tasks: ['pick_and_lift'],
      teacher: 'tiny-test',
      scenes: 5,
      samples: 1,
      workers: 2,
      temperature: 0.7,
      format: 'json',
    });
    const generated = await check(grace, lesson, modelled);
    expect(generated.met, generated.message).toBe(true);
    expect(generated.message).toContain('5 pick_and_lift episodes by a model, 0 of them successes');

    // The charts the question is about: pick_and_lift at 50%, both teachers' episodes together.
    expect(await lab.call('dataset.stats', { db: ownDataset })).toMatchObject([
      { task: 'pick_and_lift', episodes: 10, successes: 5, rate: 0.5 },
      { task: 'reach_target', episodes: 5, successes: 5, rate: 1 },
    ]);
    expect((await lab.call('dataset.modelStats', { db: ownDataset })).map((m) => [m.model, m.rate])).toEqual([
      ['local:tiny-test.gguf', 0],
      ['scripted', 1],
    ]);
    await expectChoice(grace, lesson, 'read-the-success-rates', 'both teachers', 'pick_and_lift is hard');

    // The Dataset screen filtered to the model's failures: four task-failed, one stopped (seed 1).
    const failures = await lab.call('dataset.list', {
      db: ownDataset,
      filter: { success: false, model: 'local:tiny-test.gguf' },
    });
    const bySeed = [...failures.rows].sort((a, b) => a.seed - b.seed);
    expect(bySeed.map((r) => [r.seed, r.failureKind])).toEqual([
      [0, 'task-failed'],
      [1, 'stopped'],
      [2, 'task-failed'],
      [3, 'task-failed'],
      [4, 'task-failed'],
    ]);
    const stopped = failures.rows.find((r) => r.failureKind === 'stopped')!;
    expect((await lab.call('dataset.show', { db: ownDataset, id: stopped.id })).failure).toMatch(
      /move_gripper position \[.*\] is outside the panda workspace/,
    );
    const success = (await lab.call('dataset.list', { db: ownDataset, filter: { success: true } })).rows[0];
    const taskFailed = failures.rows.find((r) => r.failureKind === 'task-failed')!;
    for (const wrong of [success.id, taskFailed.id, 999])
      expectFailure(await check(grace, lesson, find, { episode: wrong }), lesson, find, 'wrong-answer');
    // A student who types the seed instead of the id names another episode (a scripted success here).
    expect(stopped.seed).not.toBe(stopped.id);
    expectFailure(await check(grace, lesson, find, { episode: stopped.seed }), lesson, find, 'wrong-answer');
    const found = await check(grace, lesson, find, { episode: stopped.id });
    expect(found.met, found.message).toBe(true);

    const last = await expectChoice(grace, lesson, 'replay-an-episode', 'Only the successes', 'failures too');
    expect([last.progress.done, last.progress.total, last.progress.complete]).toEqual([5, 5, true]);
  });

  it("lesson 7: 300 scripted reach_target scenes meet the data check; a 3-step adapter does not beat its base; the lesson's 400-step adapter does, on reach_target, while the held-out task stays at 0%", async () => {
    const alan = 'Alan';
    const lesson = 'fine-tune-a-student';
    const generate = 'generate-the-training-data';
    const evaluate = 'evaluate-the-paper-s-table';
    // Alan works in a dataset of his own, named on the screens (the checks are told it, as the UI does).
    const db = join(home, 'alan.sqlite');
    const hand = { db };
    expectFailure(await check(alan, lesson, generate, hand), lesson, generate, 'not-yet');
    expectFailure(await check(alan, lesson, evaluate, hand), lesson, evaluate, 'not-yet');

    const started = Date.now();
    const seconds = (): number => Math.round((Date.now() - started) / 1000);
    const timings: string[] = [];
    await lab.call('generate.run', { db, ...LESSON_7_DATA });
    timings.push(`generate 300 scenes: ${seconds()} s`);
    const generated = await check(alan, lesson, generate, hand);
    expect(generated.met, generated.message).toBe(true);
    expect(generated.message).toContain(
      '300 reach_target episodes by the scripted teacher, 300 of them successes',
    );

    const set = await lab.call('train.createSet', { db, ...LESSON_7_SET });
    expect(set.perTask).toEqual({ reach_target: 300 });
    await expectChoice(alan, lesson, 'make-a-training-set', 'never trained on', 'To save time');
    await lab.call('models.addTiny', {});

    // Both rows of the table, on a training task and a held-out one, as the lesson has them run.
    const evaluation = (adapter?: string) =>
      lab.call('eval.run', {
        db,
        model: 'tiny-test',
        ...(adapter ? { adapter } : {}),
        tasks: ['reach_target', 'put_block_in_side_bin'],
        scenes: 1,
        format: 'code',
        threads: 1,
      });

    // A few steps (the train test's settings): an adapter, but one that learned nothing yet.
    await lab.call('train.run', {
      db,
      trainingSet: 'reach',
      base: 'tiny-test',
      name: 'reach-quick',
      hyper: { maxSteps: 3, batchSize: 2 },
    });
    await evaluation('reach-quick');
    const alone = await check(alan, lesson, evaluate, hand);
    expectFailure(alone, lesson, evaluate, 'not-yet');
    expect(alone.message).toContain("no evaluation of the adapter's base model (tiny-test) alone");
    const base = await evaluation();
    expect(base.tasks.map((t) => [t.task, t.rate])).toEqual([
      ['reach_target', 0],
      ['put_block_in_side_bin', 0],
    ]);
    const notBetter = await check(alan, lesson, evaluate, hand);
    expectFailure(notBetter, lesson, evaluate, 'not-better');
    expect(notBetter.message).toContain(
      'tiny-test+reach-quick 0% does not beat tiny-test 0% on reach_target',
    );
    timings.push(`quick adapter and base evaluated: ${seconds()} s`);

    // The lesson's training, exactly as its table says, takes about 8 minutes of a 2-core machine:
    // BLAZER_LONG_TESTS=1 runs it. Otherwise the adapter that recipe made (scripts/make-lesson-7-
    // adapter.ts; make it again after any change to the trainer, the prompt or the tiny model) is
    // imported, as the Models screen would.
    if (process.env.BLAZER_LONG_TESTS) {
      const job = await lab.call('train.run', { db, ...LESSON_7_TRAINING });
      expect(job.status).toBe('succeeded');
      expect(job.losses.at(-1)![1]).toBeLessThan(0.1);
      timings.push(`trained 400 steps: ${seconds()} s`);
    } else {
      const { base, name } = LESSON_7_TRAINING;
      await lab.call('adapters.import', { from: LESSON_7_ADAPTER, base, name });
      timings.push(`imported the recipe's adapter: ${seconds()} s`);
    }
    const tuned = await evaluation('reach-lora');
    expect(tuned.tasks.map((t) => [t.task, t.rate])).toEqual([
      ['reach_target', 1],
      ['put_block_in_side_bin', 0],
    ]);
    timings.push(`evaluated: ${seconds()} s`);
    const met = await check(alan, lesson, evaluate, hand);
    expect(met.met, met.message).toBe(true);
    expect(met.message).toContain('tiny-test+reach-lora 100% beats tiny-test 0% on reach_target');

    const last = await expectChoice(
      alan,
      lesson,
      'read-the-table',
      'repeat the one answer',
      'held-out task is broken',
    );
    expect([last.progress.done, last.progress.total, last.progress.complete]).toEqual([4, 4, true]);
    console.log(`lesson 7 through the api: ${timings.join(', ')}`);
  }, 1_800_000);

  it('lesson 8: the safety questions take the right answer only; no trial, then a trial marked a failure, is not yet; the dry run, execute and a trial marked a success on the emulated SO-100 meet the check', async () => {
    const lin = 'Lin';
    const lesson = 'the-real-arm';
    const step = 'run-it-on-the-arm';
    await expectChoice(lin, lesson, 'safety-first', 'Press E-STOP', 'Grab the arm');
    await expectChoice(lin, lesson, 'connect', 'torque off', 'home pose');
    expectFailure(await check(lin, lesson, step), lesson, step, 'not-yet');

    // The Robot screen as the lesson drives it: connect, torque on, dry run the lesson's program on
    // reach_target seed 3 from the arm's real joints, execute, mark.
    await saveCalibration(testCalibration('class-arm'));
    emulated = await startEmulatedArmProcess();
    await lab.call('robot.connect', { port: emulated.pair.app, calibration: 'class-arm', timeoutMs: 250 });
    await lab.call('robot.torque', { on: true });
    const solver = {
      kind: 'program',
      format: 'code',
      source: 'move_gripper(objects["target"].position, 0)\n',
    } as const;
    const dry = await lab.call('robot.dryRun', { task: 'reach_target', seed: 3, solver });
    expect(dry).toMatchObject({ executable: true, fromArm: true });
    expect(dry.steps.map((s) => [s.primitive, s.status])).toEqual([['move_gripper', 'reached']]);
    // The target where the lesson tells the student to hold a pen.
    const target = dry.result.initialState.objects.find((o) => o.name === 'target')!;
    expect(target.position.map((v) => Number(v.toFixed(3)))).toEqual([0.139, 0.01, 0.09]);

    const first = await lab.call('robot.execute', { plan: dry.plan });
    expect(first).toMatchObject({ status: 'completed', stepsDone: 1, steps: 1 });
    await lab.call('robot.markTrial', {
      trial: first.trial,
      success: false,
      note: 'missed by 3 cm',
      db: ownDataset,
    });
    const missed = await check(lin, lesson, step);
    expectFailure(missed, lesson, step, 'not-yet');
    expect(missed.message).toContain('1 real trial of reach_target, none marked a success');

    // Back to where the dry run starts, then again: this time it reached.
    const again = await lab.call('robot.dryRun', { task: 'reach_target', seed: 3, solver });
    const second = await lab.call('robot.execute', { plan: again.plan });
    expect(second.status).toBe('completed');
    await lab.call('robot.markTrial', { trial: second.trial, success: true, db: ownDataset });
    const reached = await check(lin, lesson, step);
    expect(reached.met, reached.message).toBe(true);
    expect(reached.message).toContain('1 real trial marked a success');
    const progress = await progressOf(lin, lesson);
    expect([progress.done, progress.total, progress.complete]).toEqual([3, 3, true]);
  });
});
