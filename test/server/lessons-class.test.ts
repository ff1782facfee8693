// A class under `lab serve`: students open the class link with a name (no account) and each gets
// their own progress and their own files; none sees or overwrites another's; the teacher's link
// reads the whole class's table (and its CSV). Students cannot reach the teacher's calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startLabServer, SOCKET_PROTOCOL, type LabServer } from '../../server/lab-server.ts';
import { disposeResources } from '../../api/resources.ts';
import type { CallName, CallResult } from '../../api/contract.ts';
import { useTempLabHome } from '../helpers.ts';
import { addTeacherLesson, teacherLesson } from '../fixtures/teacher-lesson.ts';

const home = useTempLabHome('blazer-class-');
let lab: LabServer;

beforeAll(async () => {
  addTeacherLesson(home, '90-class-test.md', teacherLesson('Class test'));
  const uiDir = join(home, 'ui');
  mkdirSync(uiDir);
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html>');
  lab = await startLabServer({ uiDir, workers: { size: 1 } });
});

afterAll(async () => {
  await lab?.close();
  await disposeResources();
});

type Reply<K extends CallName> = {
  status: number;
  /** Undefined when the call failed (then `error` says why). */
  result: CallResult<K>;
  error?: { kind: string; message: string };
};

async function as<K extends CallName>(
  student: string | undefined,
  name: K,
  input: unknown = {},
): Promise<Reply<K>> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (student === undefined) headers.Authorization = `Bearer ${lab.token}`;
  else {
    headers.Authorization = `Bearer ${lab.classToken}`;
    headers['X-Lab-Student'] = encodeURIComponent(student);
  }
  const res = await fetch(`${lab.url}/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input) });
  const body = (await res.json()) as {
    result?: CallResult<K>;
    error?: { kind: string; message: string } | string;
  };
  return {
    status: res.status,
    result: body.result as CallResult<K>,
    ...(body.error !== undefined
      ? { error: typeof body.error === 'string' ? { kind: 'http', message: body.error } : body.error }
      : {}),
  };
}
const teacher = <K extends CallName>(name: K, input: unknown = {}) => as(undefined, name, input);
const generate = (student: string, scenes: number) =>
  as(student, 'generate.run', { db: 'mine.sqlite', tasks: ['reach_target'], teacher: 'scripted', scenes });

describe('a class under lab serve', () => {
  it('gives the class link and the teacher link different tokens', () => {
    expect(lab.classUrl).toBe(`${lab.url}/#class=${lab.classToken}`);
    expect(lab.openUrl).toBe(`${lab.url}/#token=${lab.token}`);
    expect(lab.classToken).not.toBe(lab.token);
  });

  it('knows a student by the name they give, and refuses the class link without a usable name', async () => {
    const info = await as('Ada Lovelace', 'app.info');
    expect(info.result).toMatchObject({ student: 'Ada Lovelace', teacher: false, local: false });
    for (const bad of ['', '   ', '../bo', 'x'.repeat(41), '<script>'])
      expect((await as(bad, 'app.info')).status, bad).toBe(401);
    const noName = await fetch(`${lab.url}/api/app.info`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${lab.classToken}` },
    });
    expect(noName.status).toBe(401);
    expect(await noName.json()).toMatchObject({
      kind: 'bad-student',
      error: expect.stringContaining('needs your name'),
    });
    const badToken = await fetch(`${lab.url}/api/app.info`, {
      method: 'POST',
      headers: { Authorization: 'Bearer not-the-class-token', 'X-Lab-Student': 'Ada' },
    });
    expect(badToken.status).toBe(401);
    expect(await badToken.json()).toMatchObject({ kind: 'bad-token' });
  });

  it("keeps each student's progress their own: a check met by one is not met for the other", async () => {
    const wrong = await as('Ada', 'lessons.check', {
      lesson: 'class-test',
      step: 'answer-the-question',
      answer: 'open_gripper',
    });
    expect(wrong.result).toMatchObject({
      met: false,
      failure: { kind: 'wrong-answer' },
      hints: ['It is in the name.'],
    });
    const right = await as('Ada', 'lessons.check', {
      lesson: 'class-test',
      step: 'answer-the-question',
      answer: 'close_gripper',
    });
    expect(right.result).toMatchObject({ met: true, progress: { done: 1, total: 2 } });
    // "ada" is Ada, however she types it; Bo has done nothing.
    expect((await as('ada', 'lessons.list')).result.progress['class-test']).toMatchObject({ done: 1 });
    expect((await as('Bo', 'lessons.list')).result.progress['class-test']).toMatchObject({ done: 0 });
    const bo = await as('Bo', 'lessons.check', {
      lesson: 'class-test',
      step: 'answer-the-question',
      answer: 'open_gripper',
    });
    expect(bo.result).toMatchObject({ met: false, progress: { done: 0 } });
  });

  it("shows a student a step's question, never its answer nor its hints before they fail", async () => {
    const { result } = await as('Bo', 'lessons.get', { lesson: 'class-test' });
    const [question] = result.lesson.steps;
    expect(question.check).toMatchObject({ submit: 'choice', options: ['open_gripper', 'close_gripper'] });
    expect(JSON.stringify(result)).not.toMatch(/"answer"|It is in the name/);
    expect(question.hints).toBe(1);
  });

  it("runs a student's program for a run check on the server's worker thread, as that student", async () => {
    addTeacherLesson(
      home,
      '91-reach.md',
      '---\ntitle: Reach\nminutes: 15\ngoals: [Reach]\n---\n## Reach the ball\n\n```check\nkind: run\ntask: reach_target\nseed: 0\n```\n',
    );
    const wrong = await as('Bo', 'lessons.check', {
      lesson: 'reach',
      step: 'reach-the-ball',
      program: 'open_gripper()\n',
    });
    expect(wrong.result).toMatchObject({ met: false, failure: { kind: 'task-failed' } });
    const right = await as('Bo', 'lessons.check', {
      lesson: 'reach',
      step: 'reach-the-ball',
      program: 'move_gripper(objects["target"].position, 0)\n',
    });
    expect(right.result).toMatchObject({ met: true, episode: { success: true } });
    expect(right.result.episode?.trace.map((r) => r.primitive)).toEqual(['move_gripper']);
    expect((await as('Ada', 'lessons.get', { lesson: 'reach' })).result.progress).toMatchObject({ done: 0 });
  });

  it("refuses a student who asks about another student's progress", async () => {
    const peek = await as('Bo', 'lessons.get', { lesson: 'class-test', student: 'Ada' });
    expect(peek.error).toMatchObject({ kind: 'forbidden' });
    const cheat = await as('Bo', 'lessons.check', {
      lesson: 'class-test',
      step: 'answer-the-question',
      answer: 'close_gripper',
      student: 'Ada',
    });
    expect(cheat.error).toMatchObject({ kind: 'forbidden' });
  });

  it("keeps each student's files apart: the same file name is two files, and one cannot name the other's", async () => {
    expect((await generate('Ada', 1)).result).toMatchObject({ done: 1 });
    expect((await generate('Bo', 2)).result).toMatchObject({ done: 2 });
    // Bo's run wrote his own mine.sqlite; Ada's still holds her one episode.
    const adaStats = await as('Ada', 'dataset.stats', { db: 'mine.sqlite' });
    const boStats = await as('Bo', 'dataset.stats', { db: 'mine.sqlite' });
    expect(adaStats.result.map((r: { episodes: number }) => r.episodes)).toEqual([1]);
    expect(boStats.result.map((r: { episodes: number }) => r.episodes)).toEqual([2]);
    expect(existsSync(join(home, 'students', 'ada', 'mine.sqlite'))).toBe(true);
    expect(existsSync(join(home, 'students', 'bo', 'mine.sqlite'))).toBe(true);
    for (const db of [
      '../ada/mine.sqlite',
      join(home, 'students', 'ada', 'mine.sqlite'),
      '../../dataset.sqlite',
    ]) {
      const reply = await as('Bo', 'dataset.list', { db });
      expect(reply.error, db).toMatchObject({ kind: 'forbidden' });
    }
  });

  it("checks a student's dataset step against their own default dataset", async () => {
    const before = await as('Cy', 'lessons.check', { lesson: 'class-test', step: 'make-a-dataset' });
    expect(before.result).toMatchObject({ met: false, failure: { kind: 'not-yet' } });
    await as('Cy', 'generate.run', {
      db: 'dataset.sqlite',
      tasks: ['reach_target'],
      teacher: 'scripted',
      scenes: 2,
    });
    const after = await as('Cy', 'lessons.check', { lesson: 'class-test', step: 'make-a-dataset' });
    expect(after.result).toMatchObject({ met: true });
    // Ada's episode is in mine.sqlite, not her default dataset: her step is not met.
    const ada = await as('Ada', 'lessons.check', { lesson: 'class-test', step: 'make-a-dataset' });
    expect(ada.result).toMatchObject({ met: false, failure: { kind: 'not-yet' } });
    const named = await as('Ada', 'lessons.check', {
      lesson: 'class-test',
      step: 'make-a-dataset',
      db: 'mine.sqlite',
    });
    expect(named.result).toMatchObject({ met: true });
  });

  it("keeps a student's progress where no file of theirs can land, and one broken progress file from breaking the class's table", async () => {
    const exported = await as('Ada', 'dataset.export', {
      db: 'mine.sqlite',
      format: 'csv',
      out: 'progress.json',
    });
    expect(exported.result).toMatchObject({ files: ['progress.json'] });
    expect((await as('Ada', 'lessons.list')).result.progress['class-test']).toMatchObject({ done: 2 });
    writeFileSync(join(home, 'progress', 'eve.json'), '{ not json');
    const { result } = await teacher('lessons.classroom');
    expect(result.students.find((s) => s.student === 'eve')?.problem).toContain('is not a progress file');
    expect(result.students.find((s) => s.student === 'Ada')?.lessons['class-test']).toMatchObject({
      done: 2,
    });
    rmSync(join(home, 'progress', 'eve.json'));
  });

  it("keeps the class's table and the shared model registry from students", async () => {
    expect((await as('Ada', 'lessons.classroom')).error).toMatchObject({ kind: 'forbidden' });
    expect((await as('Ada', 'models.remove', { name: 'tiny-test' })).error).toMatchObject({
      kind: 'forbidden',
    });
    expect((await as('Ada', 'models.add', { path: 'mine.sqlite' })).error).toMatchObject({
      kind: 'forbidden',
    });
  });

  it("shows the teacher every student's progress and last failure, and the same as CSV", async () => {
    const { result } = await teacher('lessons.classroom');
    const names = result.students.map((s: { student: string }) => s.student);
    expect(names).toEqual(['Ada', 'Ada Lovelace', 'Bo', 'Cy']); // in name order; Ada Lovelace only joined
    const row = (name: string) => result.students.find((s) => s.student === name)!;
    const ada = row('Ada');
    expect(ada.lessons['class-test']).toEqual({ done: 2, total: 2, complete: true });
    const bo = row('Bo');
    expect(bo.lessons['class-test']).toMatchObject({ done: 0 });
    expect(bo.lastFailure).toMatchObject({ lesson: 'reach', step: 'reach-the-ball', kind: 'task-failed' });
    // Zoë has joined (below, over the socket) or not yet: a student who joined and did nothing is listed.
    const dee = await as('Dee', 'app.info');
    expect(dee.status).toBe(200);
    const again = await teacher('lessons.classroom');
    expect(again.result.students.find((s: { student: string }) => s.student === 'Dee')).toMatchObject({
      lessons: { 'class-test': { done: 0, total: 2, complete: false } },
    });
    const rows = (result.csv as string).trim().split('\r\n');
    const header = rows[0].split(',');
    expect(header[0]).toBe('student');
    const column = header.indexOf('class-test');
    expect(rows.find((r) => r.startsWith('Ada,'))!.split(',')[column]).toBe('2/2');
    expect(rows.find((r) => r.startsWith('Cy,'))!.split(',')[column]).toBe('1/2');
  });

  it('lets a student in over the WebSocket with the class token and their name', async () => {
    const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
    const ws = new WebSocket(`${lab.url.replace('http', 'ws')}/ws`, [
      SOCKET_PROTOCOL,
      `blazer-class.${hex(lab.classToken)}`,
      `blazer-student.${hex('Zoë')}`,
    ]);
    const reply = await new Promise<{ result?: { student?: string } }>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, call: 'app.info', input: {} })));
      ws.on('message', (data) => resolve(JSON.parse(data.toString()) as { result?: { student?: string } }));
      ws.on('error', reject);
    });
    ws.close();
    expect(reply.result).toMatchObject({ student: 'Zoë', teacher: false });
    // Without a name the class token opens nothing.
    const nameless = new WebSocket(`${lab.url.replace('http', 'ws')}/ws`, [
      SOCKET_PROTOCOL,
      `blazer-class.${hex(lab.classToken)}`,
    ]);
    const refused = await new Promise<string>((resolve) => {
      nameless.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      nameless.on('open', () => resolve('opened'));
      nameless.on('error', () => resolve('error'));
    });
    expect(refused).toBe('401');
  });
});
