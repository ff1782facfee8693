// lab eval as a user runs it: success per task on the evaluation seeds with 95% intervals, the
// runs listed, the paper-style table, and generation kept off the evaluation seeds.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { lab, tempDir } from '../helpers.ts';

describe('lab eval', () => {
  it('prints success per task with 95% intervals, train and held-out means, and compares runs', () => {
    const db = join(tempDir(), 'lab.sqlite');
    const first = lab(
      'eval',
      '--db',
      db,
      '--model',
      'scripted',
      '--tasks',
      'reach_target,put_block_in_side_bin',
      '--scenes',
      '2',
    );
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/\] 4\/4 episodes/); // the progress bar
    expect(first.stdout).toMatch(
      /^evaluation run 1: scripted, 2 scenes x 1 samples from seed 1,000,000,000 \(done\)/,
    );
    expect(first.stdout).toMatch(/reach_target +100% \(2\/2, 95% CI 34%-100%\)/);
    expect(first.stdout).toMatch(/put_block_in_side_bin \(held-out\) +100% \(2\/2/);
    expect(first.stdout).toMatch(/held-out mean +100%/);

    const second = lab(
      'eval',
      '--db',
      db,
      '--model',
      'scripted',
      '--tasks',
      'reach_target',
      '--scenes',
      '3',
      '--json',
    );
    expect(JSON.parse(second.stdout)).toMatchObject({
      runId: 2,
      label: 'scripted',
      train: { attempts: 3, successes: 3 },
    });

    const runs = lab('eval', 'list', '--db', db);
    expect(runs.stdout.trim().split('\n')).toEqual([
      'run 1: scripted, 2 tasks x 2 scenes, train 100%, held-out 100% (done)',
      'run 2: scripted, 1 tasks x 3 scenes, train 100% (done)',
    ]);
    const table = lab('eval', 'compare', '--db', db, '1', '2');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^model +reach_target +put_block_in_side_bin \(held-out\) +train mean +held-out mean$/m,
    );
    expect(table.stdout).toMatch(/^scripted +100% \[34%-100%\] n=2 +100% \[34%-100%\] n=2/m);
    expect(table.stdout).toContain('no difference lies outside the 95% intervals');
    expect(lab('eval', 'compare', '--db', db, '1', '9').stderr).toMatch(/has no evaluation run 9/);
  });

  it('refuses what it cannot do, naming the flag or the run', () => {
    const db = join(tempDir(), 'lab.sqlite');
    expect(
      lab('eval', '--db', db, '--model', 'scripted', '--tasks', 'train', '--scenes', '0').stderr,
    ).toMatch(/--scenes/);
    expect(
      lab('eval', '--db', db, '--model', 'scripted', '--tasks', 'no_such_task', '--scenes', '1').stderr,
    ).toMatch(/no task 'no_such_task'/);
    expect(lab('eval', 'compare', '--db', db, '7').stderr).toMatch(/no dataset at/);
    const generate = lab(
      'generate',
      '--db',
      db,
      '--tasks',
      'reach_target',
      '--teacher',
      'scripted',
      '--scenes',
      '5',
      '--first-scene',
      '999999998',
    );
    expect(generate.code).not.toBe(0);
    expect(generate.stderr).toMatch(/kept for evaluation/);
  });
});
