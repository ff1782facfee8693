// The lab over HTTP + WebSocket: the built renderer as static files, and the api contract for it.
// Binds to 127.0.0.1 unless told otherwise; every api request needs the token (timing-safe
// compare); requests from a foreign Origin are refused, so a web page the operator happens to open
// cannot drive the lab.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatch, type Shell } from '../api/dispatch.ts';
import { reportError } from '../api/errors.ts';
import { CallSession } from '../api/call-session.ts';
import { remoteShell, studentShells } from '../api/access.ts';
import { studentName } from '../api/contract.ts';
import { CallWorkers, type CallWorkersOptions } from '../api/call-workers.ts';
import { CONTENT_SECURITY_POLICY_HEADER } from '../api/shell-files.ts';

export interface LabServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The teacher's (operator's) token: every file in the lab's data folder; generated when not given. */
  token?: string;
  /** The students' token (the class link): each student, by name, in their own folder; generated when not given. */
  classToken?: string;
  /** The built UI (index.html and its assets). */
  uiDir: string;
  /** The dataset the UI opens unless told otherwise. */
  defaultDb?: string;
  /**
   * The worker threads for simulations and dataset calls (size, cap on waiting calls, deadline), or
   * false to run every call on the server's event loop (one trusted user, or a test counting work).
   */
  workers?: CallWorkersOptions | false;
  /**
   * Let a browser on this machine itself (a loopback client) drive the real arm (`lab serve
   * --robot`). Clients on other machines never may: a classroom token must not move hardware.
   */
  robot?: boolean;
}

export interface LabServer {
  url: string;
  /** The URL to open in a browser: the token travels in the fragment, never in server logs. */
  openUrl: string;
  token: string;
  /** The class link for students: the page asks their name; each has their own progress and files. */
  classUrl: string;
  classToken: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const classToken = options.classToken ?? newToken();
  if (token.length < 16 || classToken.length < 16)
    throw new Error('the server tokens must be at least 16 characters');
  if (token === classToken) throw new Error("the class token must differ from the teacher's token");
  const matches = (expected: string, given: string | null | undefined): boolean => {
    if (!given) return false;
    const candidate = Buffer.from(given);
    const wanted = Buffer.from(expected);
    return candidate.length === wanted.length && timingSafeEqual(candidate, wanted);
  };

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: reportError(err) });
      else res.destroy();
    });
  });
  // Clients name files in the lab's data folder and models as the operator registered them; their
  // simulations and dataset calls run on worker threads, so none of them stalls the others.
  const clients = remoteShell({ defaultDb: options.defaultDb });
  const workers = options.workers === false ? undefined : new CallWorkers(options.defaultDb, options.workers);
  const shell: Shell = {
    ...clients,
    teacher: true,
    ...(workers ? { offThread: workers } : {}),
    ...(options.robot ? { robot: true } : {}),
  };
  // A student's shell: their own folder; never the arm, never the class's table.
  const shellOfStudent = studentShells(workers ? { offThread: workers } : {});
  /**
   * Who a request is, from its credentials: the teacher's token, or the class token with a
   * student's name. A bad name is a 401 with the reason, so the page can ask again.
   */
  const whoIs = (
    given: string | null | undefined,
    student: string | null | undefined,
  ): { shell: Shell } | { refused: string; kind: 'bad-token' | 'bad-student' } => {
    if (matches(token, given)) return { shell };
    if (!matches(classToken, given))
      return { refused: 'a valid token is required (Authorization: Bearer <token>)', kind: 'bad-token' };
    const name = studentName.safeParse(student ?? '');
    if (!name.success)
      return {
        refused: `the class link needs your name (X-Lab-Student): ${name.error.issues[0]?.message ?? 'invalid'}`,
        kind: 'bad-student',
      };
    return { shell: shellOfStudent(name.data) };
  };
  // The browser offers the token as a subprotocol (never in the URL, which servers and proxies log)
  // beside the lab's own protocol name, which is the one the server answers with.
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_BODY_BYTES,
    handleProtocols: (offered) => (offered.has(SOCKET_PROTOCOL) ? SOCKET_PROTOCOL : false),
  });
  let origin = '';

  // A page of the lab itself sends its own origin: the bound address, or the name the browser used
  // to reach it (a classroom opens http://lab-box:8080 when the server binds 0.0.0.0). Anything else
  // is another site's page. The token stays required either way.
  const foreignOrigin = (req: IncomingMessage): boolean =>
    req.headers.origin !== undefined &&
    req.headers.origin !== origin &&
    req.headers.origin !== `http://${req.headers.host ?? ''}`;

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      return sendJson(res, 400, { error: 'the request path is not a valid URL' });
    }
    if (url.pathname.startsWith('/api/')) return handleApiRequest(req, res, url.pathname.slice(5));
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method not allowed' });
    return serveStatic(res, url.pathname);
  }

  async function handleApiRequest(req: IncomingMessage, res: ServerResponse, call: string): Promise<void> {
    if (foreignOrigin(req))
      return sendJson(res, 403, { error: `requests from ${req.headers.origin} are refused` });
    const auth = req.headers.authorization ?? '';
    const who = whoIs(
      auth.startsWith('Bearer ') ? auth.slice(7) : null,
      decodedHeader(req.headers['x-lab-student']),
    );
    if ('refused' in who) return sendJson(res, 401, { error: who.refused, kind: who.kind });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'api calls are POST requests' });
    let body: unknown;
    try {
      const text = await readBody(req);
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch (err) {
      const tooBig = err instanceof BodyTooLarge;
      return sendJson(res, tooBig ? 413 : 400, {
        error: tooBig
          ? 'the request body is over 1 MB'
          : `the request body is not JSON: ${(err as Error).message}`,
      });
    }
    // A client that goes away stops its call.
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    try {
      const result = await dispatch(call, body, {
        emit: () => {},
        signal: controller.signal,
        shell: { ...who.shell, client: req.socket.remoteAddress },
      });
      sendJson(res, 200, { result });
    } catch (err) {
      const report = reportError(err);
      sendJson(res, report.kind === 'internal' ? 500 : 400, { error: report });
    }
  }

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    } catch {
      return sendText(res, 404, 'not found');
    }
    // An absolute path normalises every '..' away at the root, so the result stays inside the folder.
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    const file = join(options.uiDir, relative);
    if (relative.startsWith('..') || !file.startsWith(options.uiDir + sep))
      return sendText(res, 404, 'not found');
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return sendText(res, 404, 'not found');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    res.end(await readFile(file));
  }

  server.on('upgrade', (req, socket, head) => {
    // Node leaves an upgrade socket without an error listener: a client resetting it would crash us.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      return refuse(400, 'Bad Request');
    }
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (foreignOrigin(req)) return refuse(403, 'Forbidden');
    const offered = offeredCredentials(req.headers['sec-websocket-protocol']);
    const who = whoIs(offered.token, offered.student);
    if ('refused' in who) return refuse(401, 'Unauthorized');
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, who.shell, req.socket.remoteAddress));
  });

  function serveSocket(ws: WebSocket, caller: Shell, client: string | undefined): void {
    const session = new CallSession(
      (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      { ...caller, client },
    );
    ws.on('message', (data) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        ws.send(JSON.stringify({ error: { kind: 'bad-request', message: 'the message is not JSON' } }));
        return;
      }
      session.receive(message);
    });
    ws.on('error', () => ws.terminate()); // an oversized or malformed frame ends this client, not the server
    ws.on('close', () => session.abortAll());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  }).catch(async (err: unknown) => {
    await workers?.close();
    throw err;
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${shownHost}:${address.port}`;
  return {
    url: origin,
    openUrl: `${origin}/#token=${token}`,
    token,
    classUrl: `${origin}/#class=${classToken}`,
    classToken,
    close: async () => {
      for (const client of sockets.clients) client.terminate(); // close() waits for open clients otherwise
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await workers?.close();
    },
  };
}

/**
 * The WebSocket subprotocol of the lab's call framing; the credentials ride beside it, hex-encoded
 * (protocol names allow few characters): `blazer-token.<hex>` (the teacher's token), or
 * `blazer-class.<hex>` with `blazer-student.<hex of the UTF-8 name>` (a student of the class).
 */
export const SOCKET_PROTOCOL = 'blazer-lab';

function offeredCredentials(header: string | undefined): { token: string | null; student: string | null } {
  const offered = (header ?? '').split(',').map((p) => p.trim());
  const value = (prefix: string): string | null => {
    const hex = offered.find((p) => p.startsWith(prefix))?.slice(prefix.length);
    return hex && /^(?:[0-9a-f]{2})+$/.test(hex) ? Buffer.from(hex, 'hex').toString('utf8') : null;
  };
  return {
    token: value('blazer-token.') ?? value('blazer-class.'),
    student: value('blazer-student.'),
  };
}

/** A student's name from the X-Lab-Student header (URI-encoded: headers carry no UTF-8). */
function decodedHeader(value: string | string[] | undefined): string | null {
  if (typeof value !== 'string') return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk); // read the rest, so the 413 reply arrives
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
