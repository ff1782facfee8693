// bench/ui: the lab UI in headless chromium (SwiftShader, no GPU), against anchors in the same run.
//  1. time to first paint of the Dataset screen on a 1,000,000-episode database: navigation start
//     to the first episode row on screen, and to the per-task chart; anchor: the same screen on a
//     1,000-episode database.
//  2. replay frame rate: frames the 3D view draws per second while a replay plays, at 1x (capped by
//     the 30 Hz recording) and 2x (every animation frame a new pose); anchor: the browser's own
//     animation-frame rate on the same page with nothing drawn.
// Run: npm run bench:ui [-- --episodes N]  (building the big database takes a minute or two)
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { openDataset } from '../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../core/dataset/episode-store.ts';
import { seededRandom } from '../../core/random.ts';
import { synthetic } from '../dataset/synthetic.ts';
import { startLabServer } from '../../server/lab-server.ts';
import { buildRenderer } from '../../scripts/build-renderer.ts';
import { disposeResources } from '../../api/resources.ts';
import { launchBrowser } from '../../test/browser/browser.ts';
import { numberFlag } from '../flags.ts';

// The servers' clients name datasets in the lab's data folder: the bench's own, made for the run.
const home = mkdtempSync(join(tmpdir(), 'blazer-bench-ui-'));
process.env.BLAZER_LAB_HOME = home;

const BIG = numberFlag('episodes', 1_000_000);
const SMALL = 1_000;
const RUNS = 3;

function makeDataset(episodes: number): string {
  const path = join(home, `blazer-bench-ui-${episodes}.sqlite`);
  rmSync(path, { force: true });
  const db = openDataset(path);
  const store = new EpisodeStore(db);
  const run = store.startRun({ key: 'bench', config: {}, teacher: 'synthetic', codeVersion: 'bench' });
  const random = seededRandom(7);
  const start = Date.now() - episodes * 10;
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) store.addEpisode(run, synthetic(i, random), start + i * 10);
  });
  for (let i = 0; i < episodes; i += 50_000) batch(i, Math.min(episodes, i + 50_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  return path;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds from navigation start to the first row, and to the per-task chart. */
async function datasetPaint(page: Page, url: string): Promise<{ row: number; chart: number }> {
  await page.goto('about:blank'); // else a URL that differs only in its fragment does not reload
  await page.goto(url);
  await page.waitForSelector('[data-testid=episode-row]', { timeout: 120_000 });
  const row = await page.evaluate('performance.now()');
  await page.waitForSelector('[data-testid=task-chart] .bar-row', { timeout: 120_000 });
  const chart = await page.evaluate('performance.now()');
  return { row: row as number, chart: chart as number };
}

const t0 = performance.now();
const big = makeDataset(BIG);
const small = makeDataset(SMALL);
console.log(`databases built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

// One server per database (each opens its own by default), serving the same built UI.
const uiDir = await buildRenderer(join(tmpdir(), `blazer-bench-ui-${process.pid}`));
const servers = {
  small: await startLabServer({ uiDir, defaultDb: small }),
  big: await startLabServer({ uiDir, defaultDb: big }),
};
const server = servers.small;
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const paints: Record<string, { row: number; chart: number }[]> = { small: [], big: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const name of ['small', 'big'] as const) {
      const { url, token } = servers[name];
      paints[name].push(await datasetPaint(page, `${url}/?screen=dataset#token=${token}`));
    }
  }
  const row = { small: median(paints.small.map((p) => p.row)), big: median(paints.big.map((p) => p.row)) };
  const chart = {
    small: median(paints.small.map((p) => p.chart)),
    big: median(paints.big.map((p) => p.chart)),
  };
  console.log(
    `1. Dataset screen, ${BIG.toLocaleString('en-US')} episodes: first row ${row.big.toFixed(0)} ms, charts ${chart.big.toFixed(0)} ms ` +
      `(anchor ${SMALL.toLocaleString('en-US')} episodes: ${row.small.toFixed(0)} / ${chart.small.toFixed(0)} ms); ` +
      `ratio ${(row.big / row.small).toFixed(2)}x first row, ${(chart.big / chart.small).toFixed(2)}x charts (median of ${RUNS})`,
  );

  // 2. replay frame rate: run a scripted episode in the Simulator, then play it from the start.
  await page.goto('about:blank');
  await page.goto(`${server.url}/?screen=simulator#token=${server.token}`);
  await page.waitForSelector('[data-testid=instruction]');
  const idleRate = (await page.evaluate(`new Promise((done) => {
    let n = 0; const start = performance.now();
    const tick = () => { n++; if (performance.now() - start < 2000) requestAnimationFrame(tick); else done(n / ((performance.now() - start) / 1000)); };
    requestAnimationFrame(tick);
  })`)) as number;
  await page.selectOption('[data-testid=task]', 'stack_two_blocks');
  await page.waitForFunction(
    `document.querySelector('[data-testid=instruction]')?.textContent?.includes('stack') || document.querySelector('[data-testid=instruction]')?.textContent?.includes('on')`,
  );
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=timeline]', { timeout: 60_000 });
  await page.click('[data-testid=play-toggle]'); // pause the autoplay
  await page.locator('[data-testid=scrubber]').fill('0');
  // At 1x the recording's 30 Hz caps the frames drawn; at 2x every animation frame has a new pose,
  // which shows what the renderer itself can draw.
  for (const [width, height, speed] of [
    [1440, 900, 1],
    [1440, 900, 2],
    [960, 640, 2],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.selectOption('select[aria-label="replay speed"]', String(speed));
    await page.locator('[data-testid=scrubber]').fill('0');
    const before = (await page.evaluate('window.labStats.framesDrawn')) as number;
    const start = performance.now();
    await page.click('[data-testid=play-toggle]');
    await page.waitForTimeout(3000);
    await page.click('[data-testid=play-toggle]');
    const drawn = ((await page.evaluate('window.labStats.framesDrawn')) as number) - before;
    const canvas = (await page.evaluate(
      `(() => { const c = document.querySelector('[data-testid=scene-view] canvas'); return c.width + 'x' + c.height; })()`,
    )) as string;
    const fps = drawn / ((performance.now() - start) / 1000);
    console.log(
      `2. replay at ${speed}x on a ${canvas} canvas: ${fps.toFixed(1)} frames/s drawn (the recording is 30 Hz); ` +
        `anchor idle animation frames ${idleRate.toFixed(1)}/s; ratio ${(fps / idleRate).toFixed(2)}`,
    );
  }
} finally {
  await browser.close();
  await Promise.all([servers.small.close(), servers.big.close()]);
  await disposeResources();
  rmSync(home, { recursive: true, force: true });
}
