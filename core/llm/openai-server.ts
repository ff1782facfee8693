// The app as an OpenAI-compatible server: one model (e.g. a local GGUF with its LoRA adapter)
// shared on 127.0.0.1 behind a token, with /v1/models and /v1/chat/completions (streaming too).
// Requests are validated; generations run one at a time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { ChatModel, GenerationOptions } from './types.ts';

export interface ModelServerOptions {
  model: ChatModel;
  /** The name clients use for the model. */
  modelName: string;
  host?: string;
  port?: number;
  /** Required on every request as "Authorization: Bearer <token>"; generated when not given. */
  token?: string;
}

export interface RunningModelServer {
  url: string; // base URL for clients, ending in /v1
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

const requestSchema = z.object({
  model: z.string().min(1),
  messages: z
    .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
    .min(1, 'at least one message is needed'),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  seed: z.number().int().optional(),
  max_tokens: z.number().int().positive().max(32768).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
  response_format: z
    .union([
      z.object({ type: z.literal('text') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({ name: z.string().optional(), schema: z.record(z.string(), z.unknown()) }),
      }),
    ])
    .optional(),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }
}

export async function startModelServer(options: ModelServerOptions): Promise<RunningModelServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const host = options.host ?? '127.0.0.1';
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => {});
    return run;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const error =
        err instanceof HttpError
          ? err
          : new HttpError(500, `the model failed: ${(err as Error).message}`, 'server_error');
      if (!res.headersSent)
        sendJson(res, error.status, { error: { message: error.message, type: error.type } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Browsers on other pages must not drive the lab's model.
    if (req.headers.origin)
      throw new HttpError(403, `requests from web pages (origin ${req.headers.origin}) are not accepted`);
    if (!authorised(req.headers.authorization, token))
      throw new HttpError(
        401,
        'a valid "Authorization: Bearer <token>" header is required',
        'authentication_error',
      );
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: options.modelName, object: 'model', created: 0, owned_by: 'blazer-lab' }],
      });
      return;
    }
    if (path !== '/v1/chat/completions') throw new HttpError(404, `no route ${req.method} ${path}`);
    if (req.method !== 'POST') throw new HttpError(405, 'use POST for /v1/chat/completions');
    const parsed = requestSchema.safeParse(await readJson(req));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const body = parsed.data;
    if (body.model !== options.modelName)
      throw new HttpError(
        404,
        `model '${body.model}' is not served here; use '${options.modelName}'`,
        'not_found_error',
      );

    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const generation: GenerationOptions = {
      temperature: body.temperature,
      topP: body.top_p,
      seed: body.seed,
      maxTokens: body.max_tokens,
      jsonSchema:
        body.response_format?.type === 'json_schema' ? body.response_format.json_schema.schema : undefined,
      signal: abort.signal,
    };
    const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: options.modelName, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

    if (body.stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(chunk({ role: 'assistant', content: '' }, null));
      const result = await oneAtATime(() =>
        options.model.chat(body.messages, {
          ...generation,
          onText: (text) => res.write(chunk({ content: text }, null)),
        }),
      );
      res.write(chunk({}, result.finishReason === 'length' ? 'length' : 'stop'));
      if (body.stream_options?.include_usage) {
        const usage = { prompt_tokens: 0, completion_tokens: result.tokens, total_tokens: result.tokens };
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: options.modelName, choices: [], usage })}\n\n`,
        );
      }
      res.end('data: [DONE]\n\n');
      return;
    }
    const result = await oneAtATime(() => options.model.chat(body.messages, generation));
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: options.modelName,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: result.text },
          finish_reason: result.finishReason === 'length' ? 'length' : 'stop',
        },
      ],
      usage: { prompt_tokens: 0, completion_tokens: result.tokens, total_tokens: result.tokens },
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/v1`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function authorised(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
