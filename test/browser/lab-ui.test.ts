// The lab UI in a real browser (Debian's chromium) against `lab serve`'s server: every screen loads,
// the 3D view shows the arm, a scripted episode runs from the UI, the dataset's filters, search and
// replay work on a seeded database, generation and models work, and a wrong token is refused.
// Screenshots land in test/artifacts/ for people to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startLabServer, type LabServer } from '../../server/lab-server.ts';
import { buildRenderer } from '../../scripts/build-renderer.ts';
import { disposeResources } from '../../api/resources.ts';
import { generate } from '../../core/generate/generate.ts';
import { openDataset } from '../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../core/dataset/episode-store.ts';
import { tempDir } from '../helpers.ts';
import {
  chromiumMissing,
  darkGreyShare,
  launchBrowser,
  nonBackgroundShare,
  openPage,
  screenshot,
} from './browser.ts';
import { scenesBuilt } from '../../core/sim/scene.ts';

const missing = chromiumMissing();
if (missing && process.env.CI) throw new Error(missing); // CI installs chromium: never skip there

let server: LabServer;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let home: string;

/** Six scripted successes on two tasks and four failed programs of a 'tiny' model. */
async function seedDataset(db: string): Promise<void> {
  await generate({
    db,
    tasks: ['put_block_in_bin', 'pick_and_lift'],
    teacher: 'scripted',
    scenes: 3,
    samples: 1,
  });
  const handle = openDataset(db);
  const store = new EpisodeStore(handle);
  const run = store.startRun({ key: 'tiny-run', config: {}, teacher: 'tiny', codeVersion: 'test' });
  for (let seed = 0; seed < 4; seed++) {
    store.addEpisode(run, {
      task: 'put_block_in_bin',
      split: 'train',
      arm: 'panda',
      seed,
      sample: 0,
      instruction: 'put the block in the bin',
      scene: {},
      prompt: [{ role: 'user', content: 'put the block in the bin' }],
      answer: '```python\nopen_gripper()\n```',
      format: 'code',
      program: 'open_gripper()\n',
      trace: [],
      success: false,
      failureKind: 'task-failed',
      failure: 'the block is not in the bin',
      reason: 'the block is not in the bin',
      model: 'local:tiny.gguf',
      simSeconds: 1,
      wallSeconds: 0.1,
    });
  }
  handle.close();
}

const text = async (selector: string): Promise<string> =>
  (await page.locator(selector).first().textContent()) ?? '';

async function openScreen(id: string): Promise<void> {
  await page.click(`[data-testid=nav-${id}]`);
  await page.waitForSelector(`[data-testid=screen-${id}]:not([hidden])`);
}

describe.skipIf(missing !== undefined)('lab UI in chromium', () => {
  beforeAll(async () => {
    home = tempDir();
    process.env.BLAZER_LAB_HOME = home;
    await seedDataset(join(home, 'dataset.sqlite')); // the UI's default dataset
    // Calls run on the server's event loop here (no worker threads), so this test can count the
    // scenes a click builds; the worker threads are tested in test/server.
    server = await startLabServer({
      uiDir: await buildRenderer(join(tempDir(), 'renderer')),
      workers: false,
    });
    browser = await launchBrowser();
    ({ page, errors: pageErrors } = await openPage(browser, server.openUrl));
    await page.waitForSelector('[data-testid=instruction]');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await disposeResources();
  });

  it('opens on the Simulator with the token from the URL, which leaves the address bar', async () => {
    expect(await text('.brand')).toBe('BLAZER Lab');
    expect(page.url()).not.toContain('token');
  });

  it('draws the arm in the 3D view', async () => {
    await page.waitForFunction(
      () => ((window as { labStats?: { framesDrawn: number } }).labStats?.framesDrawn ?? 0) > 0,
    );
    await page.waitForTimeout(300);
    const view = await screenshot(page, 'simulator-scene', '[data-testid=scene-view]');
    expect(nonBackgroundShare(view)).toBeGreaterThan(0.2);
    expect(darkGreyShare(view)).toBeGreaterThan(0.002); // the Panda's dark joints and hand
  });

  it('runs the scripted solution from the UI on one scene build: success, a trace, a timeline to scrub', async () => {
    await page.selectOption('[data-testid=task]', 'put_block_in_bin');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=instruction]')?.textContent?.includes('bin'),
    );
    const built = scenesBuilt(); // the server runs in this process
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=verdict]', { timeout: 60_000 });
    expect(await text('[data-testid=verdict]')).toMatch(/^Success/);
    expect(scenesBuilt() - built, 'scenes built for one click on Run').toBe(1);
    const steps = await page.locator('[data-testid=trace] li').count();
    expect(steps).toBeGreaterThanOrEqual(6);
    await page.locator('[data-testid=trace] li').nth(4).click(); // jump to the fifth call
    const at = await text('[data-testid=replay-time]');
    expect(Number(at.split('/')[0])).toBeGreaterThan(0.5);
    await screenshot(page, 'simulator-run');
  });

  it("runs a person's program and shows a syntax error with its line, its kind and the scene state it started from", async () => {
    await page.click('text=My program');
    await page.fill('[data-testid=program]', 'open_gripper()\nmove_gripper([0.4, 0, 0.2], 0\n');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=program-error]', { timeout: 60_000 });
    expect(await text('[data-testid=verdict]')).toMatch(/^Failure/);
    expect(await text('[data-testid=failure-kind]')).toBe('syntax');
    expect(await text('[data-testid=program-error]')).toMatch(/line 2/);
    expect(await text('[data-testid=state]')).toMatch(/gripper/); // still there to compare with
    await page.click('text=Scripted');
  });

  it('browses the dataset: counts, charts, filters, search, detail and replay', async () => {
    await openScreen('dataset');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=episode-count]')?.textContent === '10 episodes',
    );
    expect(await page.locator('[data-testid=task-chart] .bar-row').count()).toBe(2);
    expect(await text('[data-testid=model-chart]')).toMatch(/scripted.*100% of 6/);
    await screenshot(page, 'dataset');

    await page.selectOption('[data-testid=filter-success]', 'no');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=episode-count]')?.textContent === '4 episodes',
    );
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=episode-row]').length === 4);
    const results = await page.locator('[data-testid=episode-row] span:nth-child(6)').allTextContents();
    expect(results.every((r) => r !== 'success')).toBe(true);

    await page.selectOption('[data-testid=filter-success]', '');
    await page.selectOption('[data-testid=filter-task]', 'pick_and_lift');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=episode-count]')?.textContent === '3 episodes',
    );

    await page.selectOption('[data-testid=filter-task]', '');
    await page.fill('[data-testid=search]', 'open_gripper()');
    await page.press('[data-testid=search]', 'Enter');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=episode-count]')?.textContent === '4 episodes',
    );

    await page.selectOption('[data-testid=filter-success]', 'no');
    await page.click('[data-testid=clear-filters]'); // every filter and the search at once
    await page.waitForFunction(
      () => document.querySelector('[data-testid=episode-count]')?.textContent === '10 episodes',
    );
    expect(await page.inputValue('[data-testid=search]')).toBe('');
    expect(await page.locator('[data-testid=clear-filters]').count()).toBe(0);
    await page.selectOption('[data-testid=filter-success]', 'yes');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=episode-count]')?.textContent === '6 episodes',
    );
    await page.locator('[data-testid=episode-row]').first().click();
    await page.waitForSelector('[data-testid=episode-detail] .detail-head');
    expect(await text('[data-testid=episode-detail]')).toMatch(/success/);
    await page.click('[data-testid=replay]');
    await page.waitForSelector('[data-testid=episode-detail] [data-testid=timeline]', { timeout: 60_000 });
    await page.click('[data-testid=episode-detail] [data-testid=play-toggle]'); // pause, then scrub
    const scrubber = page.locator('[data-testid=episode-detail] [data-testid=scrubber]');
    const last = Number(await scrubber.getAttribute('max'));
    expect(last).toBeGreaterThan(30);
    await scrubber.fill(String(Math.round(last / 2)));
    const at = await text('[data-testid=episode-detail] [data-testid=replay-time]');
    const [now, total] = at.split('/').map((s) => Number.parseFloat(s));
    expect(now).toBeGreaterThan(0.3 * total);
    expect(now).toBeLessThan(0.7 * total);
    const replay = await screenshot(
      page,
      'dataset-replay',
      '[data-testid=episode-detail] [data-testid=scene-view]',
    );
    expect(darkGreyShare(replay)).toBeGreaterThan(0.002);
  });

  it('keeps only the rows in view in the page while scrolling through thousands of episodes', async () => {
    const db = 'many.sqlite'; // clients of lab serve name files in the lab's data folder
    const handle = openDataset(join(home, db));
    const store = new EpisodeStore(handle);
    const run = store.startRun({ key: 'many', config: {}, teacher: 'synthetic', codeVersion: 'test' });
    handle.transaction(() => {
      for (let seed = 0; seed < 5000; seed++)
        store.addEpisode(run, {
          task: 'reach_target',
          split: 'train',
          arm: 'panda',
          seed,
          sample: 0,
          instruction: 'reach',
          scene: {},
          trace: [],
          success: seed % 3 !== 0,
          reason: 'synthetic',
          simSeconds: 1,
          wallSeconds: 0.1,
        });
    })();
    handle.close();
    await page.fill('[data-testid=db]', db);
    await page.selectOption('[data-testid=filter-success]', '');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=episode-count]')?.textContent === '5,000 episodes',
    );
    const body = page.locator('[data-testid=episode-rows]');
    for (let i = 0; i < 8; i++) {
      await body.evaluate((element) => element.scrollTo(0, element.scrollHeight));
      await page.waitForTimeout(150);
    }
    const loaded = Number((await text('.table-head .muted')).replace(/[^0-9]/g, ''));
    expect(loaded).toBeGreaterThanOrEqual(1000); // pages arrived as the list scrolled
    const inPage = await page.locator('[data-testid=episode-row]').count();
    expect(inPage).toBeLessThan(80); // but only the visible rows (and a few more) are in the page
    const seeds = await page.locator('[data-testid=episode-row] span:nth-child(4)').allTextContents();
    expect(Math.min(...seeds.map(Number))).toBeLessThan(5000 - 900); // deep in the list, newest first
  });

  it('generates data from the UI with live progress and a log', async () => {
    await openScreen('generate');
    await page.fill('[data-testid=db]', 'ui.sqlite');
    await page.check('label:has-text("reach_target") input');
    await page.fill('[data-testid=scenes]', '3');
    await page.click('[data-testid=start]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=log]')?.textContent?.includes('finished'),
      null,
      {
        timeout: 90_000,
      },
    );
    expect(await text('[data-testid=generation-progress]')).toMatch(/3 \/ 3/);
    expect(await text('[data-testid=task-progress]')).toMatch(/reach_target.*3\/3/);
    await screenshot(page, 'generate');
    // The Dataset screen last looked at ui.sqlite before it existed: shown again, it has the episodes,
    // and no longer the episode picked in the other dataset.
    await openScreen('dataset');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=episode-count]')?.textContent === '3 episodes',
    );
    expect(await text('[data-testid=episode-detail]')).toMatch(/No episode selected/);
  });

  it('registers the tiny test model and measures tokens per second on a test prompt', async () => {
    await openScreen('models');
    await page.click('[data-testid=add-tiny]');
    await page.waitForSelector('[data-testid=models-table] td:has-text("tiny-test")');
    expect(await text('[data-testid=models-table] tbody tr')).toMatch(/llama/);
    await page.fill('[data-testid=test-model]', 'tiny-test');
    await page.click('[data-testid=run-test]');
    await page.waitForSelector('[data-testid=test-speed]', { timeout: 90_000 });
    expect(await text('[data-testid=test-speed]')).toMatch(/\d+(\.\d)? tokens\/s/);
    await screenshot(page, 'models');
    // The Generate screen, opened before the model was added, offers it as a teacher now.
    await openScreen('generate');
    await expect
      .poll(() => page.locator('[data-testid=teacher] option').allTextContents())
      .toContainEqual(expect.stringContaining('tiny-test'));
  });

  it('asks a model from the Simulator: its answer streams, its program shows, the episode plays', async () => {
    await openScreen('simulator');
    await page.click('[role=radio]:has-text("Model")');
    await page.fill('input[list=model-names]', 'tiny-test'); // registered by the test above
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=verdict]', { timeout: 170_000 }); // up to 1,024 tokens on a busy CPU
    const program = await page.inputValue('[data-testid=program]');
    // The tiny model's plan is random: either a program of primitives or the reason there is none.
    expect(program).toMatch(/move_gripper|open_gripper|close_gripper|# no program/);
    expect(await page.locator('[data-testid=screen-simulator] [data-testid=timeline]').count()).toBe(1);
    await screenshot(page, 'simulator-model');
  }, 180_000);

  it('shows each screen without errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  it('refuses a wrong token and asks for the right one', async () => {
    const { page: other } = await openPage(browser, `${server.url}/#token=not-the-token-0123456789`);
    await other.waitForSelector('[data-testid=token-refused]');
    expect(await other.locator('.app-header').count()).toBe(0);
    await screenshot(other, 'wrong-token');
    await other.close();
  });
});
