// Ordinary mistakes, as people make them: each gets one line that names what is wrong (the flag, the
// file, the folder), an exit code that says it was the input, and never a stack trace; nothing is
// left behind by a command that was refused.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lab, tempDir } from '../helpers.ts';

const dir = tempDir();
mkdirSync(join(dir, 'a-folder'));
const missing = join(dir, 'no-such-folder');

/** [what a user typed, the exit code, what the one line must say] */
const MISTAKES: [string[], number, RegExp][] = [
  [
    ['run', '--task', 'reach_target', '--record', join(missing, 'x.json')],
    1,
    /the folder .*no-such-folder does not exist/,
  ],
  [
    ['run', '--task', 'reach_target', '--record', join(dir, 'a-folder')],
    1,
    /is a folder, not a regular file/,
  ],
  [
    [
      'generate',
      '--db',
      join(missing, 'x.sqlite'),
      '--tasks',
      'reach_target',
      '--teacher',
      'scripted',
      '--scenes',
      '1',
    ],
    1,
    /the folder .*no-such-folder does not exist/,
  ],
  [['dataset', 'list', '--db', join(dir, 'x.sqlite'), '--limit', 'abc'], 2, /^lab: --limit: expected number/],
  [['dataset', 'list', '--db', join(dir, 'x.sqlite'), '--limit', '-5'], 2, /^lab: --limit: Too small/],
  [
    ['dataset', 'stats', '--db', join(dir, 'x.sqlite'), '--success', 'maybe'],
    2,
    /^lab: --success must be yes or no, not 'maybe'/,
  ],
  [['dataset', 'stats', '--db', join(dir, 'a-folder')], 1, /a-folder is not a file|a-folder.*folder/],
  [
    ['attempt', '--task', 'reach_target', '--model', 'openai:x@http://127.0.0.1:9/v1', '--json'],
    1,
    /cannot reach the endpoint http:\/\/127\.0\.0\.1:9\/v1/,
  ],
  [
    ['attempt', '--task', 'reach_target', '--model', 'tiny', '--threads', 'abc'],
    2,
    /^lab: --threads: expected number, received string \(got "abc"\)/,
  ],
  [['attempt', '--task', 'reach_target', '--program', join(dir, 'a-folder')], 2, /is not a file/],
  [
    ['serve', '--host', '999.1.1.1', '--port', '0'],
    1,
    /--host 999\.1\.1\.1 is not a known host name or address/,
  ],
  [['serve', '--token-file', join(missing, 'token')], 2, /cannot read --token-file .*token: ENOENT/],
  [
    ['serve-model', join(dir, 'x.gguf'), '--token', 'a'],
    2,
    /^lab: --token: the token must be at least 16 characters/,
  ],
  [['sim', 'info', join(dir, 'a-folder')], 1, /is a folder, not an MJCF model file/],
  [
    [
      'generate',
      '--db',
      join(dir, 'g.sqlite'),
      '--tasks',
      'reach_target',
      '--teacher',
      'nope',
      '--scenes',
      '1',
    ],
    1,
    /no model or endpoint named 'nope' is registered/,
  ],
  [
    [
      'generate',
      '--db',
      join(dir, 'g.sqlite'),
      '--tasks',
      'reach_target',
      '--teacher',
      'scripted',
      '--scenes',
      '3000000',
    ],
    2,
    /^lab: --scenes: Too big/,
  ],
];

describe('ordinary mistakes', () => {
  it.each(MISTAKES)('lab %j: one line, no stack', (args, code, says) => {
    const run = lab(...args);
    expect(run.stderr).toMatch(says);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(code);
  });

  it.each(['run', 'dataset', 'serve'])("lab %s --help prints that command's usage and exits 0", (command) => {
    const run = lab(command, '--help');
    expect(run.code).toBe(0);
    const entries = run.stdout.split('\n').filter((line) => line.startsWith('  lab '));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry).toMatch(new RegExp(`^  lab ${command} `));
  });

  it('leaves no dataset behind for a generate command it refused', () => {
    expect(existsSync(join(dir, 'g.sqlite'))).toBe(false);
    expect(existsSync(missing)).toBe(false);
  });
});
