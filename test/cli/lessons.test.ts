// The teacher at a terminal: lab lessons list shows the course and names a broken lesson file;
// lab lessons check says what a student has done and what not (looking at their dataset now);
// lab lessons class writes the class's table as CSV.
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { addTeacherLesson, teacherLesson } from '../fixtures/teacher-lesson.ts';
import { join } from 'node:path';
import { lab, useTempLabHome } from '../helpers.ts';

const home = useTempLabHome('blazer-lessons-cli-');

const LESSON = teacherLesson('Terminal test');

beforeAll(() => {
  addTeacherLesson(home, '91-terminal-test.md', LESSON);
});

describe('lab lessons', () => {
  it('list shows every lesson with its minutes and checks', () => {
    const run = lab('lessons', 'list');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/91 terminal-test\s+15 min {2}2 checks/);
    expect(run.stdout).toContain('Terminal test');
  });

  it('list names a broken lesson file by its line and field, and exits 1', () => {
    writeFileSync(join(home, 'lessons', '92-broken.md'), LESSON.replace('minutes: 15', 'minutes: lots'));
    try {
      const run = lab('lessons', 'list');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`refused ${join(home, 'lessons', '92-broken.md')}:3: minutes:`);
      expect(run.stdout).toContain('terminal-test'); // the others are still listed
    } finally {
      writeFileSync(join(home, 'lessons', '92-broken.md'), LESSON.replace('terminal', 'other'));
    }
  });

  it("check says what a student has done and what not, looking at the student's dataset now", () => {
    const before = lab('lessons', 'check', 'Ada', 'terminal-test');
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('Terminal test: 0 of 2 checks done');
    expect(before.stdout).toMatch(/todo Make a dataset: .*\(last: not-yet: there is no dataset at/);
    const generated = lab(
      'generate',
      '--db',
      join(home, 'dataset.sqlite'),
      '--tasks',
      'reach_target',
      '--teacher',
      'scripted',
      '--scenes',
      '1',
    );
    expect(generated.code, generated.stderr).toBe(0);
    const after = lab('lessons', 'check', 'Ada', 'terminal-test');
    expect(after.stdout).toContain('Terminal test: 1 of 2 checks done');
    expect(after.stdout).toMatch(/done Make a dataset after 2 tries/);
    expect(after.stdout).toMatch(/todo Answer the question: Which primitive closes the jaws\?/);
  });

  it('check refuses a lesson that does not exist, naming the course', () => {
    const run = lab('lessons', 'check', 'Ada', 'no-such-lesson');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("no lesson 'no-such-lesson'");
    expect(run.stderr).toContain('terminal-test');
  });

  it('class writes every student × every lesson as CSV', () => {
    const out = join(home, 'class.csv');
    const run = lab('lessons', 'class', '--csv', out);
    expect(run.code, run.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\r\n');
    const header = rows[0].split(',');
    const ada = rows.find((r) => r.startsWith('Ada,'))!.split(',');
    expect(ada[header.indexOf('terminal-test')]).toBe('1/2');
  });
});
