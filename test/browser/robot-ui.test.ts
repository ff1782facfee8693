// The Robot screen in a real browser (Debian's chromium) against `lab serve --robot`'s server, with
// an emulated SO-100 on a socat pty pair: type the pty's path, scan (six servos), import a LeRobot
// calibration, pick the saved one and connect; torque on; jog the elbow +10° and watch the emulated
// servo, the readout and the 3D view follow; jog the gripper up; dry-run a program, execute it on
// the arm and mark the trial; E-STOP by click and by the Escape key mid-motion (the badge says
// e-stopped, the servo stops short), and by Space except in a text field; teach a motion and
// replay it; a jog past a limit is refused in words; Disconnect leaves torque off on the bus; the
// hand calibration wizard records and saves a calibration. A classroom server (no --robot) shows
// why there are no controls. Screenshots go to test/artifacts/robot-*.png.
//
// The emulated bus runs in its own process, and the screen connects with a 250 ms reply timeout (its
// field for slow USB adapters): this process also runs the lab server, the browser driver and the
// PNG decoding, and a busy two-core machine drawing 3D in software pauses the pty relay long enough
// to miss three 30 ms replies in a row, which a real bus would not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { PNG } from 'pngjs';
import { startLabServer, type LabServer } from '../../server/lab-server.ts';
import { buildRenderer } from '../../scripts/build-renderer.ts';
import { disposeResources } from '../../api/resources.ts';
import { inProcessLab } from '../../api/in-process.ts';
import { disconnectArm } from '../../api/robot-session.ts';
import { saveCalibration } from '../../core/robot/calibration-store.ts';
import { fixturesDir, tempDir, useTempLabHome } from '../helpers.ts';
import { chromiumMissing, launchBrowser, nonBackgroundShare, openPage, screenshot } from './browser.ts';
import {
  HOME,
  radiansOf,
  startEmulatedArmProcess,
  testCalibration,
  ticksOf,
  TICKS_PER_RADIAN,
  type EmulatedArmProcess,
} from '../fixtures/emulated-arm.ts';

const missing = chromiumMissing();
if (missing && process.env.CI) throw new Error(missing); // CI installs chromium: never skip there

const ROBOT = '[data-testid=screen-robot]';
const ALL = [1, 2, 3, 4, 5, 6];
const ELBOW = 3;
const PAN = 1;
const degreeTicks = (degrees: number): number => (degrees * Math.PI * TICKS_PER_RADIAN) / 180;
const toDegrees = (radians: number): number => (radians * 180) / Math.PI;

let server: LabServer;
let classroom: LabServer;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let arm: EmulatedArmProcess;

const text = async (selector: string): Promise<string> =>
  (await page.locator(selector).first().textContent()) ?? '';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ServoDump {
  position: number;
  goal: number;
  torque: boolean;
}
async function servo(id: number): Promise<ServoDump> {
  const dump = await arm.dump();
  return { position: dump.positions[id], goal: dump.goals[id], torque: dump.torque[id] };
}
const position = async (id: number) => (await servo(id)).position;
const torques = async () => {
  const dump = await arm.dump();
  return ALL.map((id) => dump.torque[id]);
};

/** Wait until `check` holds, polling; fails with `what` after `ms`. */
async function until(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms)
      throw new Error(`timed out after ${ms} ms waiting for ${what}; the screen says: ${await screenSays()}`);
    await sleep(10);
  }
}

/** What the screen says about the arm, for a failure's message. */
async function screenSays(): Promise<string> {
  const parts = await page
    .locator(
      [
        `${ROBOT} [data-testid=robot-bar]`,
        `${ROBOT} [data-testid=robot-jog-failure]`,
        `${ROBOT} [data-testid=robot-calibrate]`,
        `${ROBOT} [role=alert]`,
      ].join(', '),
    )
    .allTextContents();
  return parts.join(' | ');
}

async function waitForText(selector: string, pattern: RegExp, timeout = 10_000): Promise<void> {
  try {
    await page.waitForFunction(
      ([s, source, flags]) => new RegExp(source, flags).test(document.querySelector(s)?.textContent ?? ''),
      [selector, pattern.source, pattern.flags] as const,
      { timeout },
    );
  } catch (error) {
    throw new Error(`${selector} never matched ${pattern}; the screen says: ${await screenSays()}`, {
      cause: error,
    });
  }
}
/** Wait for an element; a failure says what the screen shows instead. */
async function waitFor(selector: string, timeout = 10_000): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (error) {
    throw new Error(`no ${selector}; the screen says: ${await screenSays()}`, { cause: error });
  }
}
/**
 * Press a calibration wizard's button until the wizard shows `done`. robot.calibrate takes no reply
 * timeout (30 ms): on a busy machine a reading can miss it, and the wizard says so and stays on the
 * step; the operator presses again.
 */
async function pressStep(testId: string, done: RegExp): Promise<void> {
  const wizard = `${ROBOT} [data-testid=robot-calibrate]`;
  for (let tries = 1; tries <= 3; tries++) {
    await waitFor(`${ROBOT} [data-testid=${testId}]:not([disabled])`);
    await page.click(`${ROBOT} [data-testid=${testId}]`);
    await waitForText(wizard, new RegExp(`${done.source}|no reply`));
    if (done.test(await text(wizard))) return;
  }
  await waitForText(wizard, done);
}

const waitForBadge = (pattern: RegExp) => waitForText(`${ROBOT} [data-testid=robot-badge]`, pattern);

/** The angle the screen shows for a joint, degrees. */
async function shownAngle(joint: string): Promise<number> {
  return Number.parseFloat(await text(`${ROBOT} [data-testid=robot-angle-${joint}]`));
}

/** Share of pixels in the SO-100's yellow (0.98, 0.82, 0.2), lit or shaded. */
function yellowShare(png: PNG): number {
  let count = 0;
  const { data } = png;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (r > 150 && g > 0.75 * r && r - b > 60) count++;
  }
  return count / (png.width * png.height);
}

/** Pixels that differ between two screenshots of the same size. */
function changedShare(a: PNG, b: PNG): number {
  let changed = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    const d =
      Math.abs(a.data[i] - b.data[i]) +
      Math.abs(a.data[i + 1] - b.data[i + 1]) +
      Math.abs(a.data[i + 2] - b.data[i + 2]);
    if (d > 30) changed++;
  }
  return changed / (a.width * a.height);
}

/** Wait until a servo has held still for `ms`; returns where it stopped. */
async function settled(id: number, ms = 400): Promise<number> {
  let last = await position(id);
  let since = Date.now();
  const start = Date.now();
  while (Date.now() - since < ms) {
    if (Date.now() - start > 5000) throw new Error(`servo ${id} did not stop moving`);
    await sleep(20);
    const now = await position(id);
    if (Math.abs(now - last) > 2) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

/** The middle of an element, for a click that lands at once (page.click first waits for a still page). */
async function centre(selector: string): Promise<[number, number]> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on show`);
  return [box.x + box.width / 2, box.y + box.height / 2];
}

/** Start the elbow up by 30° and stop it mid-way; the servo stops short of the target. */
async function stopMidMotion(how: 'click' | 'Escape'): Promise<void> {
  const what = how === 'click' ? 'the E-STOP button' : 'the Escape key';
  const from = await settled(ELBOW);
  await page.click(`${ROBOT} [data-testid=robot-step-30]`);
  const estop = await centre(`${ROBOT} [data-testid=robot-estop]`);
  await page.mouse.click(...(await centre(`${ROBOT} [data-testid=robot-jog-elbow_flex-minus]`)));
  await until(async () => from - (await position(ELBOW)) > degreeTicks(3), `the elbow moving before ${what}`);
  if (how === 'click') await page.mouse.click(...estop);
  else await page.keyboard.press('Escape');
  await waitForBadge(/^e-stopped$/);
  const stoppedAt = await settled(ELBOW);
  expect(from - stoppedAt, `${what}: stopped short of the 30° target`).toBeLessThan(degreeTicks(26));
  await sleep(300);
  const elbow = await servo(ELBOW);
  expect(Math.abs(elbow.position - stoppedAt), `${what}: the elbow stays put`).toBeLessThanOrEqual(2);
  expect(Math.abs(elbow.goal - stoppedAt), `${what}: its goal is where it is`).toBeLessThanOrEqual(
    degreeTicks(2),
  );
  expect(await torques()).toEqual(ALL.map(() => true)); // an e-stop holds; it does not let go
  expect(await text(`${ROBOT} [data-testid=robot-state-message]`)).toMatch(/e-stop/);
  await waitForText(`${ROBOT} [data-testid=robot-jog-failure]`, /Stopped by the e-stop/);
}

describe.skipIf(missing !== undefined)('Robot screen in chromium', () => {
  const home = useTempLabHome('blazer-robot-ui-');
  beforeAll(async () => {
    await saveCalibration(testCalibration('bench-arm'));
    arm = await startEmulatedArmProcess();
    const uiDir = await buildRenderer(join(tempDir(), 'renderer'));
    server = await startLabServer({ uiDir, workers: false, robot: true });
    classroom = await startLabServer({ uiDir, workers: false });
    browser = await launchBrowser();
    ({ page, errors: pageErrors } = await openPage(browser, server.openUrl));
    await page.waitForSelector('.app-header');
  });

  afterAll(async () => {
    await browser?.close();
    await disconnectArm(); // torque off, whatever a failed test left
    await server?.close();
    await classroom?.close();
    await arm?.close();
    await disposeResources();
  });

  it('a classroom server (no --robot) shows why there are no controls', async () => {
    const { page: other, errors } = await openPage(browser, classroom.openUrl);
    await other.click('[data-testid=nav-robot]');
    await other.waitForSelector(`${ROBOT} [data-testid=robot-forbidden]`);
    const message = (await other.locator(`${ROBOT} [data-testid=robot-forbidden]`).textContent()) ?? '';
    expect(message).toMatch(/driven from the lab machine only/);
    expect(message).toMatch(/lab serve --robot/);
    expect(await other.locator(`${ROBOT} [data-testid=robot-estop]`).count()).toBe(0);
    expect(await other.locator(`${ROBOT} [data-testid=robot-connect]`).count()).toBe(0);
    const shot = await screenshot(other, 'robot-classroom');
    expect(nonBackgroundShare(shot, [0xf6, 0xf7, 0xf9])).toBeGreaterThan(0.005); // the header and the words
    await other.close();
    expect(errors).toEqual([]);
  });

  it('scans the port typed by hand: six servos found, none missing', async () => {
    await page.click('[data-testid=nav-robot]');
    await page.waitForSelector(`${ROBOT}:not([hidden]) [data-testid=robot-estop]`);
    expect(await text(`${ROBOT} [data-testid=robot-badge]`)).toBe('not connected');
    expect(await text(`${ROBOT} [data-testid=robot-estop]`)).toMatch(/E-STOP.*Esc or Space/);
    await page.fill(`${ROBOT} [data-testid=robot-port]`, arm.pair.app);
    await page.fill(`${ROBOT} [data-testid=robot-timeout]`, '250');
    // robot.scan takes no reply timeout (its 20 ms is for a quiet machine): a busy one can make a
    // servo miss the scan, which then names it missing. Scan again, as an operator would.
    for (let scans = 1; ; scans++) {
      await page.click(`${ROBOT} [data-testid=robot-scan-button]`);
      await waitFor(`${ROBOT} [data-testid=robot-scan-table]`, 20_000);
      const found = await page.locator(`${ROBOT} [data-testid=robot-servo-found]`).count();
      if (found === 6 || scans === 3) break;
      expect(await text(`${ROBOT} [data-testid=robot-scan-hint]`)).not.toBe(''); // it says what to check
    }
    expect(await page.locator(`${ROBOT} [data-testid=robot-servo-found]`).count()).toBe(6);
    expect(await page.locator(`${ROBOT} [data-testid=robot-servo-missing]`).count()).toBe(0);
    expect(await text(`${ROBOT} [data-testid=robot-scan-summary]`)).toMatch(/^6 of 6 servos answered/);
    const rows = await page.locator(`${ROBOT} [data-testid=robot-servo-found]`).allTextContents();
    expect(rows[2]).toMatch(/^3elbow flex/);
    const shot = await screenshot(page, 'robot-scan');
    expect(nonBackgroundShare(shot, [0xf6, 0xf7, 0xf9])).toBeGreaterThan(0.1);
  });

  it('imports a LeRobot calibration file under a name, then picks the saved one', async () => {
    await page.click(`${ROBOT} .robot-import summary`);
    await page.setInputFiles(
      `${ROBOT} [data-testid=robot-import-file]`,
      join(fixturesDir, 'robot', 'so101_follower.json'),
    );
    expect(await page.inputValue(`${ROBOT} [data-testid=robot-import-name]`)).toBe('so101_follower');
    await page.click(`${ROBOT} [data-testid=robot-import]`);
    await page.waitForSelector(`${ROBOT} [data-testid=robot-imported]`);
    const options = await page.locator(`${ROBOT} [data-testid=robot-calibration] option`).allTextContents();
    expect(options).toEqual([
      expect.stringMatching(/^bench-arm \(recorded/),
      expect.stringMatching(/^so101_follower \(from LeRobot/),
    ]);
    await page.selectOption(`${ROBOT} [data-testid=robot-calibration]`, 'bench-arm');
    expect(await text(`${ROBOT} [data-testid=robot-calibration-summary]`)).toMatch(/3 elbow flex/);
  });

  it('connects with torque off, then torque on holds the arm; telemetry, plots and the 3D view are live', async () => {
    await page.click(`${ROBOT} [data-testid=robot-connect]`);
    await page.waitForSelector(`${ROBOT} [data-testid=robot-connected]`, { timeout: 20_000 });
    await waitForBadge(/^torque off$/);
    expect(await torques()).toEqual(ALL.map(() => false));
    await page.click(`${ROBOT} [data-testid=robot-torque-on]`);
    await waitForBadge(/^holding$/);
    expect(await torques()).toEqual(ALL.map(() => true));
    expect(await shownAngle('elbow_flex')).toBeCloseTo((HOME[2] * 180) / Math.PI, 0);
    await page.waitForFunction(
      (s) => Number(document.querySelector(s)?.getAttribute('data-samples')) > 20,
      `${ROBOT} [data-testid=robot-plots]`,
    );
    expect(await page.getAttribute(`${ROBOT} [data-testid=robot-arm-view]`, 'data-mirrored')).toBe('yes');
    expect(await page.locator(`${ROBOT} [data-testid=robot-plots] svg path.robot-plot-line`).count()).toBe(6);
  });

  it('jogs the elbow +10°: the emulated servo moves, the readout and the 3D arm follow', async () => {
    const view = `${ROBOT} [data-testid=scene-view]`;
    await page.waitForTimeout(300);
    const before = await screenshot(page, 'robot-view-before', view);
    expect(yellowShare(before)).toBeGreaterThan(0.01); // the arm is drawn
    const from = await position(ELBOW);
    const shownBefore = await shownAngle('elbow_flex');
    await page.click(`${ROBOT} [data-testid=robot-step-10]`);
    await page.click(`${ROBOT} [data-testid=robot-jog-elbow_flex-plus]`);
    const target = from + degreeTicks(10);
    await until(async () => Math.abs((await position(ELBOW)) - target) <= 8, 'the elbow servo 10° further');
    expect(radiansOf(await position(ELBOW)) - radiansOf(from)).toBeCloseTo((10 * Math.PI) / 180, 1);
    const lift = await servo(2); // the other joints hold
    expect(Math.abs(lift.position - ticksOf(HOME)[1])).toBeLessThanOrEqual(8);
    expect(Math.abs(lift.goal - lift.position)).toBeLessThanOrEqual(8);
    await page.waitForFunction(
      ([s, want]) => Math.abs(Number.parseFloat(document.querySelector(s)?.textContent ?? '') - want) < 0.6,
      [`${ROBOT} [data-testid=robot-angle-elbow_flex]`, shownBefore + 10] as const,
    );
    expect(await text(`${ROBOT} [data-testid=robot-jog-angle-elbow_flex]`)).toMatch(/^\d+\.\d°$/);
    await waitForBadge(/^holding$/);
    await page.waitForTimeout(300);
    const after = await screenshot(page, 'robot-view-after', view);
    expect(changedShare(before, after), 'the 3D arm moved with the real one').toBeGreaterThan(0.002);
    const shot = await screenshot(page, 'robot-jog');
    expect(nonBackgroundShare(shot, [0xf6, 0xf7, 0xf9])).toBeGreaterThan(0.2);
  });

  it('jogs the gripper up 2 cm in space, pointing down', async () => {
    const before = (await arm.dump()).positions;
    await page.click(`${ROBOT} [data-testid=robot-gripper-step-2]`);
    await page.click(`${ROBOT} [data-testid=robot-gripper-z-plus]`);
    await until(async () => {
      const now = (await arm.dump()).positions;
      return [2, 3, 4].some((id) => Math.abs(now[id] - before[id]) > degreeTicks(1));
    }, 'the shoulder, elbow or wrist moving the gripper up');
    await waitForBadge(/^holding$/);
    expect(await page.locator(`${ROBOT} [data-testid=robot-jog-failure]`).count()).toBe(0);
    expect((await arm.dump()).positions[1]).toBe(before[1]); // straight up: the pan stays
  });

  it('dry-runs a program in simulation from the arm, executes it on the arm after a confirmation, and stores the verdict', async () => {
    await page.selectOption(`${ROBOT} [data-testid=robot-program-task]`, 'reach_target');
    await page.fill(`${ROBOT} [data-testid=robot-program-seed]`, '3');
    await page.waitForSelector(`${ROBOT} [data-testid=robot-program-objects] th:has-text("target")`);
    await page.click(`${ROBOT} [data-testid=robot-program-solver-program]`);
    await page.fill(
      `${ROBOT} [data-testid=robot-program-source]`,
      'move_gripper(objects["target"].position, 0)\n',
    );
    await page.click(`${ROBOT} [data-testid=robot-dry-run]`);
    await page.waitForSelector(`${ROBOT} [data-testid=robot-dry-result]`, { timeout: 60_000 });
    const result = await text(`${ROBOT} [data-testid=robot-dry-result]`);
    expect(result).toMatch(/^Ready: 1 primitive for the arm/);
    expect(result).toMatch(/In simulation: success/);
    expect(result).toMatch(/Simulated from the arm's joints now/);
    expect(result).toMatch(/move_gripper: reached/);
    const goalsBefore = (await arm.dump()).goals;
    await page.click(`${ROBOT} [data-testid=robot-execute]`); // asks first; nothing moves yet
    await page.waitForSelector(`${ROBOT} [data-testid=robot-execute-confirm]`);
    expect((await arm.dump()).goals).toEqual(goalsBefore);
    await screenshot(page, 'robot-program-confirm');
    await page.click(`${ROBOT} [data-testid=robot-execute-confirm]`);
    await page.waitForSelector(`${ROBOT} [data-testid=robot-trial]`, { timeout: 30_000 });
    expect(await text(`${ROBOT} [data-testid=robot-trial]`)).toMatch(
      /^The arm ran every primitive: 1 of 1 primitives/,
    );
    expect((await arm.dump()).goals).not.toEqual(goalsBefore);
    await page.fill(`${ROBOT} [data-testid=robot-trial-note]`, 'touched the target');
    await page.click(`${ROBOT} [data-testid=robot-trial-success]`);
    await page.waitForSelector(`${ROBOT} [data-testid=robot-trial-stored]`);
    const stored = await text(`${ROBOT} [data-testid=robot-trial-stored]`);
    expect(stored).toMatch(/^Stored as real episode \d+ \(run \d+\) in dataset\.sqlite\.$/);
    const episodeId = Number(/episode (\d+)/.exec(stored)![1]);
    const rows = await inProcessLab().call('dataset.list', { db: join(home, 'dataset.sqlite') });
    expect(rows.rows.find((row) => row.id === episodeId)).toMatchObject({
      real: true,
      success: true,
      task: 'reach_target',
    });
    await screenshot(page, 'robot-program');
    await waitForBadge(/^holding$/);
  });

  it('teaches a motion by jogging, saves it, and replays it after a confirmation', async () => {
    const start = await settled(PAN);
    await page.click(`${ROBOT} [data-testid=robot-step-10]`);
    await page.fill(`${ROBOT} [data-testid=robot-teach-name]`, 'pan-left');
    await page.click(`${ROBOT} [data-testid=robot-teach-start]`);
    await waitFor(`${ROBOT} [data-testid=robot-teach-recording]`);
    await page.click(`${ROBOT} [data-testid=robot-jog-shoulder_pan-plus]`);
    await until(async () => (await position(PAN)) - start > degreeTicks(9), 'the pan 10° to the left');
    const end = await settled(PAN);
    await page.click(`${ROBOT} [data-testid=robot-teach-stop]`);
    await waitForText(`${ROBOT} [data-testid=robot-teach]`, /Saved pan-left: \d+ poses/);
    expect(await page.inputValue(`${ROBOT} [data-testid=robot-replay-name]`)).toBe('pan-left');
    await page.click(`${ROBOT} [data-testid=robot-jog-shoulder_pan-minus]`); // back where it started
    await until(async () => Math.abs((await position(PAN)) - start) <= 8, 'the pan back');
    await waitForBadge(/^holding$/);
    await page.click(`${ROBOT} [data-testid=robot-replay]`);
    await waitFor(`${ROBOT} [data-testid=robot-replay-go]`);
    expect(Math.abs((await position(PAN)) - start)).toBeLessThanOrEqual(8); // nothing moved yet
    await page.click(`${ROBOT} [data-testid=robot-replay-go]`);
    await until(
      async () => Math.abs((await position(PAN)) - end) <= 8,
      'the replay ending where the lesson did',
    );
    await waitForBadge(/^holding$/);
  });

  it('E-STOP by click stops the moving elbow short, and says so', async () => {
    await stopMidMotion('click');
    // Jogging is refused until Resume, in words.
    await page.click(`${ROBOT} [data-testid=robot-jog-elbow_flex-plus]`);
    await waitForText(`${ROBOT} [data-testid=robot-jog-failure]`, /e-stopped: resume first/);
    expect(await text(`${ROBOT} [data-testid=robot-jog-note]`)).toMatch(/Resume/);
    await screenshot(page, 'robot-estop');
  });

  it('after Resume, the Escape key is the E-STOP too', async () => {
    await page.click(`${ROBOT} [data-testid=robot-resume]`);
    await waitForBadge(/^holding$/);
    await stopMidMotion('Escape');
    await screenshot(page, 'robot-estop-key');
  });

  it('Space is the E-STOP too, except while typing in a text field', async () => {
    await page.click(`${ROBOT} [data-testid=robot-resume]`);
    await waitForBadge(/^holding$/);
    const source = `${ROBOT} [data-testid=robot-program-source]`;
    const before = await page.inputValue(source);
    await page.focus(source);
    await page.keyboard.press('End');
    await page.keyboard.press('Space');
    expect(await page.inputValue(source)).toBe(`${before} `);
    await sleep(300);
    expect(await text(`${ROBOT} [data-testid=robot-badge]`)).toBe('holding');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Space');
    await waitForBadge(/^e-stopped$/);
  });

  it('refuses a jog past a joint limit in words, and the arm stays inside', async () => {
    await page.click(`${ROBOT} [data-testid=robot-resume]`);
    await waitForBadge(/^holding$/);
    // 30° steps on the shoulder pan, pressed quickly (each starts from the last one's target) until
    // one would go past the model's -110°.
    const from = (await servo(PAN)).goal;
    const presses = Math.floor((toDegrees(radiansOf(from)) + 110) / 30) + 1;
    for (let i = 0; i < presses; i++) await page.click(`${ROBOT} [data-testid=robot-jog-shoulder_pan-minus]`);
    await waitForText(
      `${ROBOT} [data-testid=robot-jog-failure]`,
      /^Refused: shoulder_pan: -1\d\d\.\d° is outside its limits -110\.0° to 110\.0°/,
    );
    const target = from - degreeTicks(30 * (presses - 1)); // the last accepted press: the arm goes there
    await until(async () => Math.abs((await position(PAN)) - target) <= 8, 'the pan at the last target');
    expect(radiansOf(await settled(PAN))).toBeGreaterThan(-1.92);
    await screenshot(page, 'robot-refused');
  });

  it('Disconnect leaves torque off on every servo of the bus', async () => {
    await page.click(`${ROBOT} [data-testid=robot-disconnect]`);
    await waitForBadge(/^not connected$/);
    await until(async () => (await torques()).every((on) => !on), 'torque off on every servo', 3000);
    await page.waitForSelector(`${ROBOT} [data-testid=robot-connect]`);
    expect(await page.isDisabled(`${ROBOT} [data-testid=robot-jog-elbow_flex-plus]`)).toBe(true);
    await screenshot(page, 'robot-disconnected');
  });

  it('calibrates by hand: reference pose, every joint through its range, Finish saves and picks it', async () => {
    // Homing offsets are still 0 here, so the raw angles moveByHand sets are the present positions.
    const raw = (await arm.dump()).positions;
    await page.fill(`${ROBOT} [data-testid=robot-calibrate-name]`, 'hand-arm');
    await page.click(`${ROBOT} [data-testid=robot-calibrate-start]`);
    await waitFor(`${ROBOT} [data-testid=robot-calibrate-reference]`, 20_000);
    expect(await text(`${ROBOT} [data-testid=robot-calibrate-instructions]`)).not.toBe('');
    await pressStep('robot-calibrate-reference', /Move every joint/);
    await waitFor(`${ROBOT} [data-testid=robot-calibrate-table]`);
    // The operator moves each joint to both ends of a range by hand (torque is off); the jaw was
    // closed in the reference pose, so it only opens from there.
    for (const id of ALL) {
      const at = raw[id];
      await arm.moveByHand(id, id === 6 ? at : at - 400);
      await sleep(150);
      await arm.moveByHand(id, at + 400);
      await sleep(150);
      await arm.moveByHand(id, at);
    }
    await page.waitForSelector(`${ROBOT} [data-testid=robot-calibrate-finish]:not([disabled])`, {
      timeout: 10_000,
    });
    await screenshot(page, 'robot-calibrate');
    await pressStep('robot-calibrate-finish', /Saved hand-arm/);
    await page.waitForFunction(
      (s) => (document.querySelector(s) as HTMLSelectElement | null)?.value === 'hand-arm',
      `${ROBOT} [data-testid=robot-calibration]`,
    );
    expect(await torques()).toEqual(ALL.map(() => false));
  });

  it('shows the Robot screen without errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
