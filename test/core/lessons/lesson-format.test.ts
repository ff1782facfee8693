// A teacher adding a lesson file: a good one is read step by step; each kind of mistake is refused
// with the file, the line and the field to fix.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers.ts';
import { loadCourse } from '../../../core/lessons/course.ts';

const FRONT = `---
title: Meet the robot
minutes: 20
goals:
  - Run a task
needs: []
---
`;

const GOOD = `${FRONT}Intro text.

## Run the scripted solution

Press **Run**.

\`\`\`open
screen: simulator
task: pick_and_lift
seed: 3
solver: scripted
\`\`\`

\`\`\`check
kind: run
task: pick_and_lift
seed: 3
solver: scripted
\`\`\`

## Your turn

\`\`\`python starter
open_gripper()
\`\`\`

\`\`\`python
print("shown, not read")
\`\`\`

\`\`\`check
kind: choice
question: Which primitive closes the jaws?
options: [open_gripper, close_gripper]
answer: close_gripper
\`\`\`

\`\`\`hint wrong-answer
Read the names again.
\`\`\`
`;

async function courseOf(files: Record<string, string>) {
  const dir = tempDir('lessons-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return loadCourse([{ dir, shown: (name) => `lessons/${name}` }]);
}

async function problemOf(text: string, name = '05-broken.md') {
  const { lessons, problems } = await courseOf({ [name]: text });
  expect(lessons).toEqual([]);
  expect(problems).toHaveLength(1);
  return problems[0];
}

describe('a lesson file', () => {
  it('is read into its steps, with the screen to open, the starter program, the check and the hints', async () => {
    const { lessons, problems } = await courseOf({ '01-meet.md': GOOD });
    expect(problems).toEqual([]);
    const [lesson] = lessons;
    expect(lesson.summary).toMatchObject({
      id: 'meet',
      order: 1,
      title: 'Meet the robot',
      minutes: 20,
      steps: 2,
      checks: 2,
    });
    expect(lesson.intro).toBe('Intro text.');
    const [run, turn] = lesson.steps;
    expect(run).toMatchObject({
      id: 'run-the-scripted-solution',
      markdown: 'Press **Run**.',
      open: { screen: 'simulator', task: 'pick_and_lift', seed: 3, solver: 'scripted' },
      check: { kind: 'run', task: 'pick_and_lift', seed: 3, solver: 'scripted', expect: 'success' },
    });
    expect(turn.starter).toBe('open_gripper()\n');
    expect(turn.markdown).toContain('print("shown, not read")'); // an ordinary code block stays in the text
    expect(turn.check).toMatchObject({ kind: 'choice', answer: 'close_gripper' });
    expect(turn.hints).toEqual([{ failure: 'wrong-answer', text: 'Read the names again.' }]);
  });

  it.each([
    ['no front matter', '## Step\n', 1, undefined, 'front matter'],
    ['a field out of range', FRONT.replace('minutes: 20', 'minutes: 2') + '## A\n', 3, 'minutes', '>=5'],
    [
      'an unknown front-matter field',
      FRONT.replace('needs: []', 'time: 20') + '## A\n',
      6,
      'time',
      'not a field',
    ],
    ['a missing title', FRONT.replace('title: Meet the robot\n', '') + '## A\n', 1, 'title', 'required'],
    ['no steps', FRONT + 'Only an intro.\n', 8, 'step', 'at least one step'],
    [
      'an unknown check kind',
      FRONT + '## A\n```check\nkind: quiz\n```\n',
      10,
      'kind',
      "'quiz' is not a check kind",
    ],
    [
      'a seed that is not a number',
      FRONT + '## A\n```check\nkind: run\ntask: pick_and_lift\nseed: three\n```\n',
      12,
      'seed',
      'expected number',
    ],
    [
      'a task that does not exist',
      FRONT + '## A\n```check\nkind: run\ntask: pick_and_lfit\nseed: 1\n```\n',
      9,
      'task',
      "no task 'pick_and_lfit'",
    ],
    [
      'a choice whose answer is not an option',
      FRONT + '## A\n```check\nkind: choice\nquestion: Q?\noptions: [a, b]\nanswer: c\n```\n',
      13,
      'answer',
      'one of the options',
    ],
    ['a block never closed', FRONT + '## A\n```check\nkind: choice\n', 9, undefined, 'never closed'],
    [
      'two steps with one name',
      FRONT + '## Step one\n\n## Step One\n',
      10,
      'step',
      "two steps are called 'step-one'",
    ],
    [
      'a second check in a step',
      FRONT +
        '## A\n```check\nkind: choice\nquestion: Q\noptions: [a, b]\nanswer: a\n```\n```check\nkind: choice\nquestion: Q\noptions: [a, b]\nanswer: a\n```\n',
      15,
      'check',
      'second check',
    ],
    [
      'a figure that is missing',
      FRONT + '## A\n![the arm](figures/arm.svg)\n',
      8,
      'figure',
      'does not exist',
    ],
    ['a check before any step', FRONT + '```check\nkind: choice\n```\n', 8, 'check', 'belongs in a step'],
    [
      'a hint for a failure kind that does not exist',
      FRONT + '## A\n```hint blokced\nMove up.\n```\n',
      9,
      'hint',
      "'blokced' is not a failure kind",
    ],
    [
      'a line that is not key: value',
      FRONT + '## A\n```open\nscreen simulator\n```\n',
      10,
      undefined,
      "expected 'key: value'",
    ],
  ])('with %s is refused naming the line and field', async (_what, text, line, field, words) => {
    const problem = await problemOf(text);
    expect(problem.file).toBe('lessons/05-broken.md');
    expect(problem.line).toBe(line);
    expect(problem.field).toBe(field);
    expect(problem.message).toContain(words);
  });

  it('named other than NN-<id>.md is refused by its name', async () => {
    const problem = await problemOf(GOOD, 'meet.md');
    expect(problem).toMatchObject({ file: 'lessons/meet.md', field: 'file name' });
  });

  it('refused does not stop the others from being read', async () => {
    const { lessons, problems } = await courseOf({ '01-meet.md': GOOD, '02-broken.md': FRONT });
    expect(lessons.map((l) => l.summary.id)).toEqual(['meet']);
    expect(problems.map((p) => p.file)).toEqual(['lessons/02-broken.md']);
  });

  it("in the teacher's folder may show the lab's own figures (a copy of a shipped lesson)", async () => {
    const lab = tempDir('lessons-lab-');
    const teacher = tempDir('lessons-teacher-');
    mkdirSync(join(lab, 'figures'));
    writeFileSync(join(lab, 'figures', 'arm.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(teacher, '01-meet.md'), GOOD.replace('Press **Run**.', '![the arm](figures/arm.svg)'));
    const { lessons, problems } = await loadCourse([{ dir: teacher, shown: (n) => n }], [lab]);
    expect(problems).toEqual([]);
    expect(lessons[0].figures).toEqual({ 'figures/arm.svg': join(lab, 'figures', 'arm.svg') });
  });

  it("in the teacher's folder replaces the lab's lesson of the same id", async () => {
    const lab = tempDir('lessons-lab-');
    const teacher = tempDir('lessons-teacher-');
    writeFileSync(join(lab, '01-meet.md'), GOOD);
    writeFileSync(
      join(teacher, '01-meet.md'),
      GOOD.replace('title: Meet the robot', 'title: Our own first lesson'),
    );
    const { lessons, problems } = await loadCourse([
      { dir: lab, shown: (n) => `lessons/${n}` },
      { dir: teacher, shown: (n) => join(teacher, n) },
    ]);
    expect(problems).toEqual([]);
    expect(lessons.map((l) => l.summary.title)).toEqual(['Our own first lesson']);
  });
});
