// A student with the classroom token, trying every route to the host: files outside the lab's data
// folder (by path, by '..', through a link), the operator's calls, the host's API key sent to a URL
// of the student's choosing, and an upstream's error text echoed back. None of it may work; what a
// client may do (name files in the data folder, use the endpoints the operator registered) still does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startLabServer, type LabServer } from '../../server/lab-server.ts';
import { ModelRegistry } from '../../core/llm/model-registry.ts';
import Database from 'better-sqlite3';
import { disposeResources } from '../../api/resources.ts';
import { tempDir } from '../helpers.ts';

const TOKEN = 'classroom-token-0123456789';
const HOST_KEY = 'sk-host-secret-do-not-leak';
let lab: LabServer;
let home: string;
let outside: string;
/** A service on the host's network: it records every request and answers with a secret in its body. */
let internal: Server;
let internalUrl: string;
const seen: { url: string; authorization?: string }[] = [];

beforeAll(async () => {
  home = tempDir();
  outside = tempDir();
  process.env.BLAZER_LAB_HOME = home;
  process.env.BLAZER_API_KEY = HOST_KEY;
  writeFileSync(join(outside, 'private.txt'), 'the operator private notes');
  internal = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'INTERNAL-SECRET-BODY db password hunter2' } }));
  });
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', () => resolve()));
  internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/v1`;
  // The operator registered this endpoint; the key may go there, its error text may not come back.
  new ModelRegistry().addEndpoint('lab-gpu', `openai:big@${internalUrl}`);
  const uiDir = join(home, 'ui');
  mkdirSync(uiDir);
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html>');
  lab = await startLabServer({ uiDir, token: TOKEN });
});

afterAll(async () => {
  await lab?.close();
  await new Promise((resolve) => internal?.close(resolve));
  await disposeResources();
  delete process.env.BLAZER_API_KEY;
});

async function call(name: string, input: unknown): Promise<{ status: number; text: string; kind?: string }> {
  const res = await fetch(`${lab.url}/api/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const text = await res.text();
  const kind = (JSON.parse(text) as { error?: { kind: string } }).error?.kind;
  return { status: res.status, text, kind };
}

describe('a classroom client', () => {
  it('cannot name a file outside the data folder: by host path, by .., or through a link', async () => {
    symlinkSync(outside, join(home, 'escape'));
    const attempts: [string, unknown][] = [
      ['dataset.stats', { db: '/etc/passwd' }],
      ['dataset.stats', { db: join(outside, 'lab.sqlite') }],
      ['dataset.list', { db: '../lab.sqlite' }],
      ['dataset.stats', { db: 'escape/lab.sqlite' }],
      [
        'generate.run',
        { db: join(outside, 'new.sqlite'), tasks: ['reach_target'], teacher: 'scripted', scenes: 1 },
      ],
      ['generate.run', { db: 'escape/new.sqlite', tasks: ['reach_target'], teacher: 'scripted', scenes: 1 }],
      ['dataset.export', { db: 'dataset.sqlite', out: join(outside, 'stolen.jsonl') }],
      ['dataset.merge', { db: 'dataset.sqlite', sources: [join(outside, 'other.sqlite')] }],
      ['models.add', { path: join(outside, 'private.txt') }],
      ['models.add', { path: 'escape/private.txt' }],
      ['models.inspect', { path: '/etc/passwd' }],
      ['sim.info', { model: '/etc/passwd' }],
      ['sim.state', { scene: join(outside, 'private.txt') }],
      ['episode.run', { task: 'reach_target', seed: 0, recordTo: join(outside, 'rec.json') }],
      ['models.test', { model: join(outside, 'model.gguf'), prompt: 'hi' }],
    ];
    for (const [name, input] of attempts) {
      const { status, text, kind } = await call(name, input);
      expect({ name, input, status, kind }).toMatchObject({ status: 400, kind: 'forbidden' });
      expect(text).not.toContain('operator private notes');
      expect(text).not.toContain('root:');
    }
    expect(existsSync(join(outside, 'new.sqlite'))).toBe(false);
    expect(existsSync(join(outside, 'stolen.jsonl'))).toBe(false);
    expect(existsSync(join(outside, 'rec.json'))).toBe(false);
  });

  it("cannot make the host send its API key to a URL of the client's choosing", async () => {
    const raw = `openai:any@${internalUrl}`;
    for (const [name, input] of [
      ['models.test', { model: raw, prompt: 'hi' }],
      ['episode.view', { task: 'reach_target', seed: 0, solver: { kind: 'model', model: raw } }],
      ['episode.run', { task: 'reach_target', seed: 0, solver: { kind: 'model', model: raw } }],
      ['generate.run', { db: 'g.sqlite', tasks: ['reach_target'], teacher: raw, scenes: 1 }],
      ['models.addEndpoint', { name: 'mine', spec: raw }],
    ] as [string, unknown][]) {
      const { status, kind } = await call(name, input);
      expect({ name, status, kind }).toEqual({ name, status: 400, kind: 'forbidden' });
    }
    expect(seen).toEqual([]); // nothing reached the internal service
    expect(existsSync(join(home, 'g.sqlite'))).toBe(false);
  });

  it("uses an endpoint the operator registered, but never sees the upstream's error text", async () => {
    const { status, text, kind } = await call('models.test', { model: 'lab-gpu', prompt: 'hi' });
    expect(status).toBe(400);
    expect(kind).toBe('endpoint-error');
    expect(JSON.parse(text).error.message).toMatch(/answered HTTP 500/);
    expect(text).not.toContain('INTERNAL-SECRET-BODY');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(HOST_KEY);
    expect(seen.at(-1)).toMatchObject({ url: '/v1/chat/completions', authorization: `Bearer ${HOST_KEY}` });
  });

  it("cannot call the operator's own tools: writing models, serving a model", async () => {
    for (const [name, input] of [
      ['models.writeTiny', { out: 'x.gguf' }],
      ['models.serve', { model: 'lab-gpu' }],
    ] as [string, unknown][]) {
      const { kind, text } = await call(name, input);
      expect(kind).toBe('forbidden');
      expect(text).toMatch(/for the lab's operator only/);
    }
  });

  it("reads another application's SQLite file in the data folder only to refuse it, leaving it byte for byte", async () => {
    const foreign = join(home, 'notes.sqlite');
    const db = new Database(foreign);
    db.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine')",
    );
    db.close();
    const before = readFileSync(foreign);
    for (const name of ['dataset.stats', 'dataset.list', 'dataset.check', 'generate.run']) {
      const input =
        name === 'generate.run'
          ? { db: 'notes.sqlite', tasks: ['reach_target'], teacher: 'scripted', scenes: 1 }
          : { db: 'notes.sqlite' };
      const { status, kind } = await call(name, input);
      expect({ name, status, kind }).toEqual({ name, status: 400, kind: 'not-a-dataset' });
    }
    expect(readFileSync(foreign).equals(before)).toBe(true);
    expect(existsSync(`${foreign}-wal`)).toBe(false);
  });

  it('names files inside the data folder, relative to it, and is shown them that way', async () => {
    const generated = await call('generate.run', {
      db: 'class/run.sqlite',
      tasks: ['reach_target'],
      teacher: 'scripted',
      scenes: 1,
    });
    // The folder does not exist yet: the lab says so rather than creating folders for a client.
    expect(generated.status).toBe(400);
    mkdirSync(join(home, 'class'));
    const again = await call('generate.run', {
      db: 'class/run.sqlite',
      tasks: ['reach_target'],
      teacher: 'scripted',
      scenes: 1,
    });
    expect(again.status).toBe(200);
    expect(existsSync(join(home, 'class', 'run.sqlite'))).toBe(true);
    const exported = await call('dataset.export', {
      db: 'class/run.sqlite',
      format: 'csv',
      out: 'class/run.csv',
    });
    expect(JSON.parse(exported.text).result.files).toEqual(['class/run.csv']);
    expect(readFileSync(join(home, 'class', 'run.csv'), 'utf8')).toMatch(/^id,task/);
    const info = JSON.parse((await call('app.info', {})).text).result;
    expect(info).toMatchObject({ defaultDb: 'dataset.sqlite', local: false });
  });
});
