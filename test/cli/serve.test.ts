// `lab serve` as a user runs it: it builds the UI, prints the URL with its token, answers with that
// token only, and exits cleanly on Ctrl-C.
import { expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB, tempDir } from '../helpers.ts';

it('serves the UI and the api with the token it prints, and stops on SIGINT', async () => {
  const home = tempDir();
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, 'classroom-token-0123456789\n');
  const child = spawn(process.execPath, [LAB, 'serve', '--port', '0', '--token-file', tokenFile], {
    env: { ...process.env, BLAZER_LAB_HOME: home },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/open: \S+/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const openUrl = /open: (\S+)/.exec(out)![1];
  const url = new URL(openUrl);
  expect(url.hostname).toBe('127.0.0.1');
  expect(url.hash).toBe('#token=classroom-token-0123456789');

  const page = await fetch(`${url.origin}/`);
  expect(await page.text()).toContain('<div id="root">');
  const call = (token: string): Promise<Response> =>
    fetch(`${url.origin}/api/app.info`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: '{}',
    });
  expect((await call('classroom-token-0123456789')).status).toBe(200);
  expect((await call('classroom-token-0123456780')).status).toBe(401);

  child.kill('SIGINT');
  expect(await exited).toBe(0);
});

it('refuses a token file with too short a token', async () => {
  const home = tempDir();
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, 'short\n');
  const child = spawn(process.execPath, [LAB, 'serve', '--port', '0', '--token-file', tokenFile], {
    env: { ...process.env, BLAZER_LAB_HOME: home },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code).toBe(2);
  expect(err).toMatch(/at least 16 characters/);
});
