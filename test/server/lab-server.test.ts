// The web server as a browser or a script meets it: static files with a CSP, the api over HTTP and
// over a WebSocket, and every refusal (no token, wrong token, foreign origin, bad input, too big).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { request } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { startLabServer, type LabServer } from '../../server/lab-server.ts';
import { tempDir } from '../helpers.ts';

let server: LabServer;
const TOKEN = 'test-token-0123456789abcdef';

beforeAll(async () => {
  const root = tempDir();
  const rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>BLAZER Lab</title>');
  writeFileSync(join(root, 'secret.txt'), 'not for the web'); // beside the renderer folder
  process.env.BLAZER_LAB_HOME = tempDir();
  server = await startLabServer({ uiDir: rendererDir, token: TOKEN });
});
afterAll(() => server?.close());

function post(call: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/${call}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Open a socket and collect what happens: the upgrade's refusal status, or the open socket. */
function connect(
  token: string,
  origin?: string,
  protocols = ['blazer-lab', `blazer-token.${Buffer.from(token).toString('hex')}`],
  path = '/ws',
): Promise<{ socket?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}${path}`, protocols, {
      headers: origin ? { Origin: origin } : {},
    });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    socket.once('error', () => resolve({}));
  });
}

function callOverSocket(
  socket: WebSocket,
  message: unknown,
): Promise<{ events: unknown[]; reply: Record<string, unknown> }> {
  const id = (message as { id?: number }).id;
  const events: unknown[] = [];
  return new Promise((resolve) => {
    const listen = (data: Buffer): void => {
      const parsed = JSON.parse(data.toString()) as Record<string, unknown>;
      if (parsed.id !== id) return;
      if ('event' in parsed) events.push(parsed.event);
      else {
        socket.off('message', listen);
        resolve({ events, reply: parsed });
      }
    };
    socket.on('message', listen);
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

describe('lab server over HTTP', () => {
  it('binds to 127.0.0.1 and prints a URL that carries the token in the fragment', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.openUrl).toBe(`${server.url}/#token=${TOKEN}`);
  });

  it('serves the renderer with a strict content security policy', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('BLAZER Lab');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of [
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
      '/%E0%A4%A',
      '/nothing.js',
    ]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('not for the web');
    }
  });

  it('answers an api call with the right token', async () => {
    const res = await post('app.info', {});
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { name: string; arms: string[] } };
    expect(body.result.name).toBe('BLAZER Lab');
    expect(body.result.arms).toContain('panda');
  });

  it('refuses a missing or wrong token', async () => {
    const missing = await fetch(`${server.url}/api/app.info`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    const wrong = await post('app.info', {}, { Authorization: 'Bearer wrong-token-0123456789abcdef' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/token/);
  });

  it('refuses requests from a foreign origin even with the token', async () => {
    const res = await post('app.info', {}, { Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it('accepts its own page reached by another name (a classroom opening http://lab-box:port)', async () => {
    const { port } = new URL(server.url);
    const status = (origin: string): Promise<number | undefined> =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/app.info',
            method: 'POST',
            headers: { Host: `lab-box:${port}`, Origin: origin, Authorization: `Bearer ${TOKEN}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
    expect(await status(`http://lab-box:${port}`)).toBe(200);
    expect(await status(`http://evil.example:${port}`)).toBe(403);
  });

  it('names the field at fault in bad input, and refuses unknown calls, non-JSON and huge bodies', async () => {
    const bad = await post('scene.view', { task: 'put_block_in_bin', seed: -1 });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { message: string } };
    expect(badBody.error.message).toMatch(/seed/);

    const unknown = await post('rm.everything', {});
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /unknown api call/,
    );

    const notJson = await post('app.info', '{not json');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not JSON/);

    const huge = await post('app.info', JSON.stringify({ pad: 'x'.repeat(1_100_000) }));
    expect(huge.status).toBe(413);
  });

  it('reports a user error (a missing dataset) as its message, not a stack', async () => {
    const res = await post('dataset.stats', { db: 'none.sqlite' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { kind: string; message: string } };
    expect(body.error).toEqual({ kind: 'no-dataset', message: expect.stringMatching(/^no dataset at /) });
  });
});

describe('lab server over WebSocket', () => {
  it('refuses the upgrade without the right token or from a foreign origin', async () => {
    expect((await connect('wrong-token-0123456789abcdef')).status).toBe(401);
    expect((await connect('')).status).toBe(401);
    expect((await connect(TOKEN, 'https://evil.example')).status).toBe(403);
  });

  it('takes the token from the socket protocol only, never from the URL, which servers and proxies log', async () => {
    const inQuery = await connect(TOKEN, undefined, ['blazer-lab'], `/ws?token=${encodeURIComponent(TOKEN)}`);
    expect(inQuery.status).toBe(401);
    const { socket } = await connect(TOKEN);
    expect(socket?.protocol).toBe('blazer-lab');
    socket?.close();
  });

  it('runs calls, streams their events, and reports errors per call', async () => {
    const { socket } = await connect(TOKEN, server.url);
    expect(socket).toBeDefined();
    const tasks = await callOverSocket(socket!, { id: 1, call: 'tasks.list', input: {} });
    expect((tasks.reply.result as { id: string }[]).map((t) => t.id)).toContain('put_block_in_bin');

    const db = 'ws.sqlite';
    const generation = await callOverSocket(socket!, {
      id: 2,
      call: 'generate.run',
      input: { db, tasks: ['reach_target'], teacher: 'scripted', scenes: 2 },
    });
    expect(generation.reply.result).toMatchObject({ done: 2, total: 2, stopped: false });
    const done = generation.events.map((e) => (e as { progress: { done: number } }).progress.done);
    expect(done[0]).toBe(0);
    expect(done.at(-1)).toBe(2);

    const bad = await callOverSocket(socket!, {
      id: 3,
      call: 'episode.view',
      input: { task: 'no_such_task', seed: 0 },
    });
    expect((bad.reply.error as { message: string }).message).toMatch(/no_such_task/);
    socket!.close();
  });

  it('survives hostile clients: a bad upgrade path, a reset connection, an oversized frame', async () => {
    const { port } = new URL(server.url);
    const raw = (text: string, reset = false): Promise<string> =>
      new Promise((resolve) => {
        const socket = connectTcp(Number(port), '127.0.0.1', () => {
          socket.write(text);
          if (reset) socket.resetAndDestroy();
        });
        let reply = '';
        socket.on('data', (d) => (reply += d.toString()));
        socket.on('close', () => resolve(reply));
        socket.on('error', () => resolve(reply));
      });
    const upgrade = (path: string): string =>
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    expect(await raw(upgrade('//['))).toMatch(/^HTTP\/1.1 400/);
    for (let i = 0; i < 20; i++) await raw(upgrade('/ws?token=wrong'), true);
    const { socket } = await connect(TOKEN);
    const closed = new Promise((resolve) => socket!.once('close', resolve));
    socket!.send('x'.repeat(1_100_000));
    await closed;
    // Still serving.
    expect((await post('app.info', {})).status).toBe(200);
  });

  it('answers malformed messages without closing the connection', async () => {
    const { socket } = await connect(TOKEN);
    const reply = await new Promise<Record<string, unknown>>((resolve) => {
      socket!.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
      socket!.send('not json at all');
    });
    expect((reply.error as { message: string }).message).toMatch(/not JSON/);
    const noId = await new Promise<Record<string, unknown>>((resolve) => {
      socket!.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
      socket!.send(JSON.stringify({ call: 'app.info' }));
    });
    expect((noId.error as { message: string }).message).toMatch(/numeric id/);
    const still = await callOverSocket(socket!, { id: 9, call: 'app.info', input: {} });
    expect(still.reply.result).toMatchObject({ name: 'BLAZER Lab' });
    socket!.close();
  });

  it('stops a running generation when the client cancels it', async () => {
    const { socket } = await connect(TOKEN);
    const db = 'cancel.sqlite';
    const pending = callOverSocket(socket!, {
      id: 4,
      call: 'generate.run',
      input: { db, tasks: ['reach_target', 'pick_and_lift'], teacher: 'scripted', scenes: 200 },
    });
    await new Promise((r) => setTimeout(r, 4000));
    socket!.send(JSON.stringify({ cancel: 4 }));
    const { reply } = await pending;
    const summary = reply.result as { done: number; total: number; stopped: boolean };
    expect(summary.stopped).toBe(true);
    expect(summary.done).toBeLessThan(summary.total);
    socket!.close();
  });
});
