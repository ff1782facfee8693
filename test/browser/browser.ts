// A real browser for the renderer tests: Debian's chromium driven by playwright-core (no browser
// download), WebGL through SwiftShader, and the page's errors collected so a test can fail on them.
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

/** Save a screenshot for people to look at (test/artifacts/, not committed) and return its pixels. */
export async function screenshot(page: Page, name: string, selector?: string): Promise<PNG> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  const buffer = selector
    ? await page.locator(selector).screenshot({ path })
    : await page.screenshot({ path });
  return PNG.sync.read(buffer);
}

/** Share of pixels that are dark and colourless: the Panda's dark links and joints, never the light background or the wooden table. */
export function darkGreyShare(png: PNG): number {
  let count = 0;
  const { data } = png;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (Math.max(r, g, b) < 110 && Math.max(r, g, b) - Math.min(r, g, b) < 18) count++;
  }
  return count / (png.width * png.height);
}

/** Share of pixels that differ from the 3D view's background colour. */
export function nonBackgroundShare(png: PNG, background = [0xee, 0xf1, 0xf5]): number {
  let count = 0;
  const { data } = png;
  for (let i = 0; i < data.length; i += 4) {
    const d =
      Math.abs(data[i] - background[0]) +
      Math.abs(data[i + 1] - background[1]) +
      Math.abs(data[i + 2] - background[2]);
    if (d > 24) count++;
  }
  return count / (png.width * png.height);
}
