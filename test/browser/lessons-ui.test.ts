// The course in a real browser (Debian's chromium) through `lab serve`'s class link: a new student
// types their name and works through the first three lessons as a student would (runs the scripted
// solution, answers from the trace and the scene state, writes a program in the Simulator's editor,
// fails once, reads the hint, fixes it), every check turning green; a second student sees none of
// it; the teacher's link lists both and downloads the CSV. A screenshot of every step lands in
// test/artifacts/lessons/, and the wall time of each lesson is logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startLabServer, type LabServer } from '../../server/lab-server.ts';
import { buildRenderer } from '../../scripts/build-renderer.ts';
import { disposeResources } from '../../api/resources.ts';
import { inProcessLab } from '../../api/in-process.ts';
import { tempDir, useTempLabHome } from '../helpers.ts';
import { ARTIFACTS, chromiumMissing, launchBrowser, openPage, screenshot } from './browser.ts';

const missing = chromiumMissing();
if (missing && process.env.CI) throw new Error(missing); // CI installs chromium: never skip there

useTempLabHome();
const STUDENT = 'Ada Lovelace';
const SECOND = 'Grace Hopper';
/** The first three lessons, as their files name them. */
const LESSONS = ['meet-the-robot', 'what-the-model-sees', 'write-your-own-program'];

let server: LabServer;
let browser: Browser;
let page: Page;
let pageErrors: string[];
const timings: { lesson: string; steps: number; checks: number; seconds: number }[] = [];

describe.skipIf(missing !== undefined)('lessons UI in chromium, as a class', () => {
  beforeAll(async () => {
    mkdirSync(join(ARTIFACTS, 'lessons'), { recursive: true });
    server = await startLabServer({
      uiDir: await buildRenderer(join(tempDir(), 'renderer')),
      workers: false,
    });
    browser = await launchBrowser();
    ({ page, errors: pageErrors } = await openPage(browser, server.classUrl));
  });

  afterAll(async () => {
    if (timings.length) {
      console.log('time per lesson in the walkthrough (wall, this machine):');
      console.table(timings);
    }
    await browser?.close();
    await server?.close();
    await disposeResources();
  });

  it('asks a new student their name first, refuses a bad one, and keeps the class token out of the address bar', async () => {
    await page.waitForSelector('[data-testid=student-name-input]');
    expect(page.url()).not.toContain('class=');
    await page.fill('[data-testid=student-name-input]', '<script>');
    await page.click('[data-testid=student-name-submit]');
    expect(await page.textContent('[data-testid=name-problem]')).toMatch(/letters, digits/);
    await page.fill('[data-testid=student-name-input]', STUDENT);
    await page.click('[data-testid=student-name-submit]');
    await page.waitForSelector('[data-testid=course]');
    expect(await page.textContent('[data-testid=student-name]')).toBe(STUDENT);
    for (const id of LESSONS)
      expect(await page.textContent(`[data-testid=lesson-${id}] [data-testid=lesson-progress]`)).toMatch(
        /^0 of/,
      );
    await screenshot(page, 'lessons/00-course');
  });

  it('walks through lesson 1, meet the robot: the scripted solution, the trace, a failed episode', async () => {
    await walkLesson('meet-the-robot');
  });

  it('walks through lesson 2, what the model sees: numbers read from the scene state', async () => {
    await walkLesson('what-the-model-sees');
  });

  it('walks through lesson 3, write your own program: a wrong program, its hint, the fix', async () => {
    await walkLesson('write-your-own-program');
  });

  it('keeps the checks green: the course says the three lessons are complete, after a reload too', async () => {
    await page.click('[data-testid=nav-lessons]');
    await page.click('[data-testid=all-lessons]');
    for (let round = 0; round < 2; round++) {
      await page.waitForSelector('[data-testid=course]');
      for (const id of LESSONS)
        await expect
          .poll(() => page.textContent(`[data-testid=lesson-${id}] [data-testid=lesson-progress]`))
          .toBe('✓ complete');
      if (round === 0) await page.reload(); // the name is remembered for this class: no form
    }
    expect(await page.textContent('[data-testid=student-name]')).toBe(STUDENT);
    await page.click('[data-testid=open-lesson-meet-the-robot]');
    await page.waitForSelector('[data-testid=step-link-run-the-scripted-solution]');
    const marks = await page.locator('.step-list button.met').count();
    expect(marks).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'lessons/99-lesson-1-complete');
    expect(pageErrors).toEqual([]);
  });

  it('lesson 5, ask a model: a misspelled model name gets its hint; the tiny model asked for a JSON plan meets the step', async () => {
    await inProcessLab({ local: true }).call('models.addTiny', {}); // the teacher's Models screen
    await page.click('[data-testid=nav-lessons]');
    if (await page.locator('[data-testid=all-lessons]').isVisible())
      await page.click('[data-testid=all-lessons]');
    await page.click('[data-testid=open-lesson-ask-a-model]');
    await page.click('[data-testid=step-link-ask-the-model]');
    const where = page.locator('[data-testid=screen-lessons] [data-testid=lesson-page]');
    await where.locator('[data-testid=check-model]').fill('tiny test');
    await submitCheck(where, false);
    expect(await where.locator('[data-testid=check-hint]').first().textContent()).toMatch(/Names are exact/);
    await screenshot(page, 'lessons/05-ask-a-model-unknown-name');
    await where.locator('[data-testid=check-model]').fill('tiny-test');
    await where.locator('[data-testid=check-format]').selectOption('json');
    await submitCheck(where, true);
    expect(await where.locator('[data-testid=check-verdict]').textContent()).toMatch(
      /failed \(task-failed\)/,
    );
    await screenshot(page, 'lessons/05-ask-a-model-met');
    expect(pageErrors).toEqual([]);
  });

  it("shows a second student in another browser none of the first's progress; 'not you?' asks again", async () => {
    const { page: other, errors } = await openPage(browser, server.classUrl);
    await other.fill('[data-testid=student-name-input]', SECOND);
    await other.click('[data-testid=student-name-submit]');
    await other.waitForSelector('[data-testid=course]');
    for (const id of LESSONS)
      expect(await other.textContent(`[data-testid=lesson-${id}] [data-testid=lesson-progress]`)).toMatch(
        /^0 of/,
      );
    await other.click('[data-testid=open-lesson-meet-the-robot]');
    await other.click('[data-testid=step-link-run-the-scripted-solution]');
    expect(await other.getAttribute('[data-testid=check-panel]', 'data-met')).toBe('false');
    expect(await other.locator('.step-list button.met').count()).toBe(0);
    // One wrong answer, so the teacher sees a failure in this student's row.
    await other.click('[data-testid=step-next]');
    await other.locator('[data-testid=check-options] label', { hasText: 'open_gripper' }).click();
    await submitCheck(other.locator('[data-testid=lesson-page]'), false);
    await other.click('[data-testid=not-you]');
    await other.waitForSelector('[data-testid=student-name-input]');
    expect(errors).toEqual([]);
    await other.context().close();
  });

  it("lists both students on the teacher's Class tab and downloads the table as CSV", async () => {
    const { page: teacher, errors } = await openPage(browser, server.openUrl);
    await teacher.click('[data-testid=nav-lessons]');
    await teacher.click('[data-testid=lessons-tab-class]');
    await teacher.waitForSelector('[data-testid=class-table]');
    const rows = teacher.locator('[data-testid=class-row]');
    await expect.poll(() => rows.count()).toBe(2);
    const ada = rows.filter({ hasText: STUDENT });
    expect(await ada.locator('td.complete').count()).toBeGreaterThanOrEqual(3);
    const grace = rows.filter({ hasText: SECOND });
    expect(await grace.locator('td.complete').count()).toBe(0);
    expect(await grace.locator('.last-failure').textContent()).toMatch(/wrong-answer/);
    await screenshot(teacher, 'lessons/99-teacher-class');
    const [download] = await Promise.all([
      teacher.waitForEvent('download'),
      teacher.click('[data-testid=class-csv]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^class-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^student,meet-the-robot,what-the-model-sees,write-your-own-program/);
    expect(lines.some((l) => l.startsWith(`${STUDENT},`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${SECOND},`))).toBe(true);
    // The teacher's own Lessons screen names a student (as the desktop app does): their progress shows.
    await teacher.click('[data-testid=lessons-tab-course]');
    await teacher.fill('[data-testid=local-student]', STUDENT);
    await expect
      .poll(() => teacher.textContent('[data-testid=lesson-meet-the-robot] [data-testid=lesson-progress]'))
      .toBe('✓ complete');
    expect(errors).toEqual([]);
    await teacher.context().close();
  });
});

// ---- the walkthrough ----------------------------------------------------------------------------

/** The lesson panel in use: the one beside the Simulator when it shows, else the Lessons screen's page. */
async function panel(): Promise<Locator> {
  const dock = page.locator('[data-testid=lesson-dock] [data-testid=lesson-page]');
  return (await dock.isVisible())
    ? dock
    : page.locator('[data-testid=screen-lessons] [data-testid=lesson-page]');
}

/** Press the panel's check and wait for its verdict (attempts count up); expect it met or not. */
async function submitCheck(where: Locator, met: boolean): Promise<void> {
  const check = where.locator('[data-testid=check-panel]');
  const before = Number(await check.getAttribute('data-attempts'));
  await where.locator('[data-testid=check]').click();
  await expect
    .poll(async () => Number(await check.getAttribute('data-attempts')), { timeout: 90_000 })
    .toBeGreaterThan(before);
  const verdict = where.locator('[data-testid=check-verdict]');
  expect(await verdict.getAttribute('data-met'), (await verdict.textContent()) ?? '').toBe(String(met));
  if (met) expect(await check.getAttribute('data-met')).toBe('true'); // green, and it stays so
}

/** The Scene state as the Simulator shows it before a run. */
async function sceneState(): Promise<string> {
  await page.waitForSelector('[data-testid=state]');
  return (await page.textContent('[data-testid=state]')) ?? '';
}

/** A number of the scene state: the x, y or z of an object's position, its yaw, or the gripper's opening. */
function readScene(state: string, object: string, field: string): string {
  const line = state
    .split('\n')
    .find((l) => l.trim().startsWith(`${object === 'gripper' ? '' : '- '}${object}:`));
  if (!line) throw new Error(`no line for ${object} in the scene state:\n${state}`);
  if (field === 'opening' || field === 'yaw')
    return /\b(?:opening|yaw) (-?[\d.]+)/.exec(line.slice(line.indexOf(field)))![1];
  const position = /position \[([^\]]+)\]/
    .exec(line)![1]
    .split(',')
    .map((n) => n.trim());
  return position['xyz'.indexOf(field)];
}

/** Open the step's screen: the Simulator filled in with its task and seed; the step now beside it. */
async function openStep(where: Locator): Promise<Locator> {
  const open = where.locator('[data-testid=step-open]');
  const scene = await open.getAttribute('data-scene'); // task/seed
  await open.click();
  await page.waitForSelector('[data-testid=screen-simulator]:not([hidden])');
  await page.waitForSelector('[data-testid=lesson-dock]');
  // The view has the step's scene (not the last one's, still on show while it builds).
  if (scene) await page.waitForSelector(`[data-testid=instruction][data-scene$="/${scene}"]`);
  else await page.waitForSelector('[data-testid=instruction]');
  return panel();
}

/** What the student does at a step with a check: per lesson and step, as the lesson asks. */
async function doStep(lesson: string, step: string, shown: Locator): Promise<void> {
  // The step's screen first, as the lesson says (the Simulator with this step's scene).
  const where = (await shown.locator('[data-testid=step-open]').isVisible()) ? await openStep(shown) : shown;
  const submit = await where.locator('[data-testid=check-panel]').getAttribute('data-submit');
  const describe = (await where.locator('[data-testid=check-describe]').textContent()) ?? '';
  const choose = async (option: string): Promise<void> => {
    await where.locator('[data-testid=check-options] label', { hasText: new RegExp(`^${option}$`) }).click();
  };
  if (submit === 'number') {
    // "In stack_two_blocks seed 0: the x of yellow_block, in metres." Read it off the scene state.
    const [, field, object] = /the (\w+) of (\w+)/.exec(describe)!;
    const value = readScene(await sceneState(), object, field);
    await where.locator('[data-testid=check-answer]').fill(value);
    return submitCheck(where, true);
  }
  switch (`${lesson}/${step}`) {
    case 'meet-the-robot/run-the-scripted-solution':
      await page.click('[data-testid=run]');
      await page.waitForSelector('[data-testid=verdict]', { timeout: 60_000 });
      expect(await page.textContent('[data-testid=verdict]')).toMatch(/^Success/);
      return submitCheck(where, true);
    case 'meet-the-robot/read-the-trace': {
      // The call after which the fingers hold the block: the trace's closing call.
      const names = await page.locator('[data-testid=trace] .trace-name').allTextContents();
      expect(names).toContain('close_gripper');
      await page.locator('[data-testid=trace] li').nth(names.indexOf('close_gripper')).click();
      await choose('close_gripper');
      return submitCheck(where, true);
    }
    case 'meet-the-robot/count-the-moves': {
      const names = await page.locator('[data-testid=trace] .trace-name').allTextContents();
      await choose(String(names.filter((n) => n === 'move_gripper').length));
      return submitCheck(where, true);
    }
    case 'what-the-model-sees/left-or-right': {
      // The block with a positive y is on the robot's left.
      const state = await sceneState();
      const options = await where.locator('[data-testid=check-options] label').allTextContents();
      const left = options.filter((o) => Number(readScene(state, o.trim(), 'y')) > 0);
      expect(left).toHaveLength(1);
      await choose(left[0].trim());
      return submitCheck(where, true);
    }
    case 'what-the-model-sees/what-the-model-does-not-get':
      await choose('a picture of the table');
      return submitCheck(where, true);
    case 'write-your-own-program/read-the-starter-program':
      await choose('0.12'); // the block's centre at z 0.02, plus 0.1
      return submitCheck(where, true);
    case 'write-your-own-program/fill-the-gap': {
      const starter = await page.inputValue('[data-testid=program]');
      expect(starter).toContain('# your line here');
      // A first try many students make: the function named, not called (no brackets).
      const wrong = starter.replace(/^# your line here.*$/m, 'close_gripper');
      await page.fill('[data-testid=program]', wrong);
      await submitCheck(where, false);
      const hints = (await where.locator('[data-testid=check-hints]').textContent()) ?? '';
      expect(hints).toMatch(/brackets/);
      await screenshot(page, `lessons/03-${lesson}-${step}-failed`);
      // The fix the hint points at.
      await page.fill('[data-testid=program]', starter.replace(/^# your line here.*$/m, 'close_gripper()'));
      await page.click('[data-testid=run]');
      await page.waitForSelector('[data-testid=verdict]', { timeout: 60_000 });
      expect(await page.textContent('[data-testid=verdict]')).toMatch(/^Success/);
      return submitCheck(where, true);
    }
    case 'write-your-own-program/a-different-block': {
      // The editor keeps the last step's program; the instruction names the block to lift now.
      const program = await page.inputValue('[data-testid=program]');
      expect(program).toContain('close_gripper()');
      const instruction = (await page.textContent('[data-testid=instruction]')) ?? '';
      const colour = /pick up the (\w+) block/.exec(instruction)![1];
      expect(await sceneState()).toContain(`${colour}_block:`);
      await page.fill('[data-testid=program]', program.replaceAll('yellow_block', `${colour}_block`));
      return submitCheck(where, true);
    }
  }
  if (submit === 'nothing') return submitCheck(where, true); // the lab runs it itself ("when nobody acts")
  throw new Error(`the walkthrough does not know step ${lesson}/${step} (${submit}: ${describe})`);
}

/** Open a lesson from the course (or from the last one's "next lesson") and do every step. */
async function walkLesson(id: string): Promise<void> {
  const started = Date.now();
  const next = (await panel()).locator('[data-testid=next-lesson]');
  if (await next.isVisible()) await next.click();
  else await page.click(`[data-testid=open-lesson-${id}]`);
  // The lesson is on show (the panel beside the Simulator, or the Lessons screen) once loaded.
  await page.locator(`[data-testid=lesson-page][data-lesson="${id}"]:visible`).waitFor();
  let where = await panel();
  const order = String(LESSONS.indexOf(id) + 1).padStart(2, '0');
  let steps = 0;
  let checks = 0;
  await screenshot(page, `lessons/${order}-${id}-0-introduction`);
  for (;;) {
    const nextStep = where.locator('[data-testid=step-next]');
    if (!(await nextStep.isVisible())) break;
    await nextStep.click();
    where = await panel();
    const step = (await where.getAttribute('data-step')) ?? '';
    steps++;
    if (await where.locator('[data-testid=check-panel]').isVisible()) {
      await doStep(id, step, where);
      checks++;
    } else if (await where.locator('[data-testid=step-open]').isVisible()) await openStep(where);
    where = await panel();
    await screenshot(page, `lessons/${order}-${id}-${steps}-${step}`);
  }
  expect(await where.locator('[data-testid=lesson-complete]').isVisible()).toBe(true);
  timings.push({
    lesson: `${order} ${id}`,
    steps,
    checks,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  });
}
