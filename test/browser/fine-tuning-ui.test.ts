// The fine-tuning screens in a real browser (Debian's chromium) against `lab serve`'s server: the
// Train screen makes a training set from scripted reach_target episodes (generated with the CLI),
// trains the tiny test model with the built-in trainer while its loss chart draws, hands the new
// adapter to the Evaluate screen, and Stop cancels a job; the Evaluate screen runs the scripted
// solver and the fine-tuned tiny model, and compares them in a table and a chart with 95% error
// bars; the Models screen lists the adapter and the Simulator offers it. Screenshots go to
// test/artifacts/train.png and test/artifacts/evaluate.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startLabServer, type LabServer } from '../../server/lab-server.ts';
import { buildRenderer } from '../../scripts/build-renderer.ts';
import { disposeResources } from '../../api/resources.ts';
import { lab, tempDir } from '../helpers.ts';
import { chromiumMissing, launchBrowser, openPage, screenshot } from './browser.ts';

const missing = chromiumMissing();
if (missing && process.env.CI) throw new Error(missing); // CI installs chromium: never skip there

const TRAIN = '[data-testid=screen-train]';
const EVALUATE = '[data-testid=screen-evaluate]';
/** Scenes per evaluation: at 4 a 4/4 and a 0/4 are the fewest whose 95% intervals no longer overlap. */
const EVAL_SCENES = 4;

let server: LabServer;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const text = async (selector: string): Promise<string> =>
  (await page.locator(selector).first().textContent()) ?? '';
const attribute = async (selector: string, name: string): Promise<number> =>
  Number(await page.locator(selector).first().getAttribute(name));

async function openScreen(id: string): Promise<void> {
  await page.click(`[data-testid=nav-${id}]`);
  await page.waitForSelector(`[data-testid=screen-${id}]:not([hidden])`);
}

/** Wait until an element's text matches. */
async function waitForText(selector: string, pattern: RegExp, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ([s, source, flags]) => new RegExp(source, flags).test(document.querySelector(s)?.textContent ?? ''),
    [selector, pattern.source, pattern.flags] as const,
    { timeout },
  );
}

/** Run an evaluation from the Evaluate screen with the controls as they are; wait for the runs listed to reach `runs`. */
async function runEvaluation(runs: number): Promise<void> {
  await page.click(`${EVALUATE} [data-testid=eval-run]`);
  const alert = `${EVALUATE} [role=alert]`;
  await page.waitForFunction(
    ([s, n, a]) => document.querySelectorAll(s).length === n || document.querySelector(a) !== null,
    [`${EVALUATE} [data-testid=eval-runs] tbody tr`, runs, alert] as const,
    { timeout: 240_000 },
  );
  if (await page.locator(alert).count()) throw new Error(`evaluation failed: ${await text(alert)}`);
  await waitForText(`${EVALUATE} [data-testid=eval-run]`, /^Run evaluation$/);
}

describe.skipIf(missing !== undefined)('fine-tuning UI in chromium', () => {
  beforeAll(async () => {
    const home = tempDir();
    process.env.BLAZER_LAB_HOME = home;
    // The UI's default dataset: six scripted reach_target episodes, each with its prompt and answer.
    const made = lab(
      'generate',
      '--db',
      join(home, 'dataset.sqlite'),
      '--tasks',
      'reach_target',
      '--teacher',
      'scripted',
      '--scenes',
      '6',
    );
    expect(made.code, made.stderr).toBe(0);
    server = await startLabServer({
      uiDir: await buildRenderer(join(tempDir(), 'renderer')),
      workers: false,
    });
    browser = await launchBrowser();
    ({ page, errors: pageErrors } = await openPage(browser, server.openUrl));
    await page.waitForSelector('.app-header');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await disposeResources();
  });

  it('creates a training set from the dataset and shows its train, validation and per-task counts', async () => {
    await openScreen('train');
    await page.waitForSelector(`${TRAIN} .empty-state:has-text("No training sets yet")`);
    await page.fill(`${TRAIN} [data-testid=set-name]`, 'reach-ui');
    await page.check(`${TRAIN} [data-testid=set-tasks] label:has-text("reach_target") input`);
    await page.fill(`${TRAIN} [data-testid=set-validation]`, '0.5');
    await page.click(`${TRAIN} [data-testid=create-set]`);
    await page.waitForSelector(`${TRAIN} [data-testid=training-sets] td:has-text("reach-ui")`);
    const row = await text(`${TRAIN} [data-testid=training-sets] tbody tr`);
    expect(row).toMatch(/^reach-uisupervised51reach_target: \d/); // 5 training, 1 validation (seeded split)
    expect(await text(`${TRAIN} [data-testid=set-summary]`)).toMatch(
      /5 training and 1 validation examples from reach_target/,
    );
  });

  it('says the command and API trainers are for the operator and keeps Train off for a browser', async () => {
    await page.click(`${TRAIN} [role=radio]:has-text("Command")`);
    expect(await text(`${TRAIN} [data-testid=operator-note]`)).toMatch(/lab's operator/);
    await page.waitForSelector(`${TRAIN} [data-testid=trainer-command]`);
    expect(await page.isDisabled(`${TRAIN} [data-testid=train]`)).toBe(true);
    await page.click(`${TRAIN} [role=radio]:has-text("OpenAI API")`);
    await page.waitForSelector(`${TRAIN} [data-testid=trainer-base-url]`);
    expect(await text(`${TRAIN} [data-testid=operator-note]`)).toMatch(/lab's operator/);
    await page.click(`${TRAIN} [role=radio]:has-text("Built-in")`);
  });

  it('trains the tiny model with the built-in trainer: the loss chart draws each step, the adapter appears', async () => {
    await page.click(`${TRAIN} [data-testid=add-tiny]`); // the registry is empty: the screen offers it
    await page.waitForSelector(`${TRAIN} [data-testid=base-model] option[value="tiny-test"]`, {
      state: 'attached',
    });
    expect(await page.inputValue(`${TRAIN} [data-testid=hyper-epochs]`)).toBe('3'); // the contract's defaults
    expect(await page.inputValue(`${TRAIN} [data-testid=hyper-learningRate]`)).toBe('0.002');
    expect(await page.inputValue(`${TRAIN} [data-testid=hyper-rank]`)).toBe('8');
    await page.fill(`${TRAIN} [data-testid=hyper-maxSteps]`, '6');
    await page.click(`${TRAIN} [data-testid=train]`);
    const chart = `${TRAIN} [data-testid=loss-chart]`;
    await page.waitForFunction(
      (s) => Number(document.querySelector(s)?.getAttribute('data-points')) > 0,
      chart,
      {
        timeout: 120_000,
      },
    );
    await page.waitForSelector(`${TRAIN} [data-testid=adapter]`, { timeout: 180_000 });
    expect(await text(`${TRAIN} [data-testid=adapter]`)).toBe('reach-ui-1');
    expect(await attribute(chart, 'data-points')).toBe(6);
    expect(await attribute(chart, 'data-valid-points')).toBeGreaterThan(0); // one validation example
    expect(await page.locator(`${chart} circle.loss-point.train`).count()).toBe(6);
    expect(await page.locator(`${chart} text.tick`).count()).toBeGreaterThanOrEqual(6); // both axes
    expect(await text(`${chart}`)).toMatch(/step.*loss/);
    expect(await text(`${TRAIN} [data-testid=train-progress]`)).toMatch(/step 6 \/ 6/);
    await page.waitForSelector(`${TRAIN} [data-testid=train-job-1] :text("succeeded")`);
    expect(await text(`${TRAIN} [data-testid=train-job-1]`)).toMatch(
      /builtin.*tiny-test.*reach-ui.*reach-ui-1/,
    );
    await screenshot(page, 'train');

    await page.click(`${TRAIN} [data-testid=train-job-1] [data-testid=show-curve]`);
    expect(await attribute(`${TRAIN} [data-testid=job-loss-chart]`, 'data-points')).toBe(6);
  }, 240_000);

  it('"evaluate it" opens the Evaluate screen with the adapter on its base model', async () => {
    await page.click(`${TRAIN} [data-testid=evaluate-it]`);
    await page.waitForSelector(`${EVALUATE}:not([hidden])`);
    await page.waitForFunction(
      (s) => (document.querySelector(s) as HTMLSelectElement | null)?.value === 'reach-ui-1',
      `${EVALUATE} [data-testid=eval-adapter]`,
    );
    expect(await page.inputValue(`${EVALUATE} [data-testid=eval-model]`)).toBe('tiny-test');
    await openScreen('train');
  });

  it('Stop cancels a training job, which ends cancelled', async () => {
    await page.fill(`${TRAIN} [data-testid=hyper-maxSteps]`, '0');
    await page.fill(`${TRAIN} [data-testid=hyper-epochs]`, '500'); // far more than the test waits for
    await page.fill(`${TRAIN} [data-testid=adapter-name]`, 'never-made');
    await page.click(`${TRAIN} [data-testid=train]`);
    await page.waitForFunction(
      (s) => Number(document.querySelector(s)?.getAttribute('data-points')) > 0,
      `${TRAIN} [data-testid=loss-chart]`,
      { timeout: 120_000 },
    );
    await page.click(`${TRAIN} [data-testid=stop]`);
    await page.waitForSelector(`${TRAIN} [data-testid=train-stopped]`, { timeout: 60_000 });
    expect(await text(`${TRAIN} [data-testid=train-stopped]`)).toMatch(/Job 2 ended cancelled/);
    await page.waitForSelector(`${TRAIN} [data-testid=train-job-2] :text("cancelled")`);
    expect(await page.locator(`${TRAIN} [data-testid=adapter]`).count()).toBe(0);
    expect(await page.locator(`${TRAIN} [role=alert]`).count()).toBe(0); // a stop is not an error
  }, 180_000);

  it('evaluates the scripted solver and the fine-tuned tiny model and compares them with 95% intervals', async () => {
    await openScreen('evaluate');
    await page.click(`${EVALUATE} [role=radio]:has-text("Chosen")`);
    await page.check(`${EVALUATE} [data-testid=eval-task-picker] label:has-text("reach_target") input`);
    await page.fill(`${EVALUATE} [data-testid=eval-scenes]`, String(EVAL_SCENES));

    await page.selectOption(`${EVALUATE} [data-testid=eval-model]`, 'scripted');
    await runEvaluation(1);
    expect(await text(`${EVALUATE} [data-testid=eval-progress]`)).toMatch(
      new RegExp(`${EVAL_SCENES} / ${EVAL_SCENES}`),
    );

    await page.selectOption(`${EVALUATE} [data-testid=eval-model]`, 'tiny-test');
    await page.selectOption(`${EVALUATE} [data-testid=eval-adapter]`, 'reach-ui-1');
    // A six-step adapter writes noise; a JSON plan's grammar keeps its answers short.
    await page.selectOption(`${EVALUATE} [data-testid=eval-format]`, 'json');
    await runEvaluation(2);
    // Newest first; evaluation runs share their numbers with the dataset's generation run.
    const listed = await page.locator(`${EVALUATE} [data-testid=eval-runs] tbody tr`).allTextContents();
    expect(listed[0]).toMatch(/^\d+tiny-test\+reach-ui-11/);
    expect(listed[1]).toMatch(/^\d+scripted1/);

    for (const check of await page.locator(`${EVALUATE} [data-testid=eval-check]`).all()) await check.check();
    await page.waitForFunction(
      (s) => document.querySelectorAll(s).length === 2,
      `${EVALUATE} [data-testid=compare-row]`,
    );
    const rows = await page.locator(`${EVALUATE} [data-testid=compare-row]`).allTextContents();
    const n = `n=${EVAL_SCENES}`;
    expect(rows[0]).toMatch(
      new RegExp(`^\\d+: scripted100% \\[\\d+-100%\\] ${n}100% \\[\\d+-100%\\] ${n}–$`),
    );
    expect(rows[1]).toMatch(new RegExp(`^\\d+: tiny-test\\+reach-ui-1(\\d+)% \\[\\d+-\\d+%\\] ${n}`));
    // The tiny model's answers are noise: 0/4 against 4/4, whose intervals lie apart.
    expect(await page.locator(`${EVALUATE} [data-testid=significant-cell]`).count()).toBe(4);
    expect(await text(`${EVALUATE} [data-testid=significant]`)).toMatch(
      /scripted beats tiny-test\+reach-ui-1/,
    );

    const chart = `${EVALUATE} [data-testid=rate-chart]`;
    expect(await page.locator(`${chart} .rate-bar`).count()).toBe(4); // reach_target and train mean, two runs
    expect(await page.locator(`${chart} .error-bar`).count()).toBe(4);
    expect(await page.locator(`${chart} .group-label`).allTextContents()).toEqual([
      'reach_target',
      'train mean',
    ]);
    const legend = await page.locator(`${chart} [data-testid=rate-chart-legend] span`).allTextContents();
    expect(legend).toEqual([
      expect.stringMatching(/^run \d+: scripted$/),
      expect.stringMatching(/^run \d+: tiny-test\+reach-ui-1$/),
    ]);
    await screenshot(page, 'evaluate');
  }, 540_000);

  it('lists the adapter on the Models screen with its base, hash and origin (removal is the operator’s)', async () => {
    await openScreen('models');
    await page.waitForSelector('[data-testid=adapters-table]');
    const rows = await page.locator('[data-testid=adapters-table] tbody tr').allTextContents();
    expect(rows).toHaveLength(1); // the cancelled job made nothing
    expect(rows[0]).toMatch(/^reach-ui-18tiny-llama-seed1 \(llama\)[0-9a-f]{12}builtinreach-ui \/ job 1$/);
    await page.waitForSelector('[data-testid=adapters-operator-only]');
  });

  it('offers the adapter for the tiny model in the Simulator', async () => {
    await openScreen('simulator');
    await page.click('[role=radio]:has-text("Model")');
    await page.fill('input[list=model-names]', 'tiny-test');
    await page.waitForSelector('[data-testid=sim-adapter] option[value="reach-ui-1"]', { state: 'attached' });
  });

  it('shows the screens without errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
