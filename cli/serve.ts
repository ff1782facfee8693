// lab serve [--host 127.0.0.1] [--port 8080] [--token-file F] [--db lab.sqlite]: the lab UI and api
// for a browser, on machines without a display or for a classroom.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { serveUntilStopped } from '../server/serve-until-stopped.ts';
import { buildRenderer } from '../scripts/build-renderer.ts';
import { setDefaultDb } from '../api/app.ts';

export async function serveCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  if (positionals.length > 0) throw new UsageError('lab serve takes no positional arguments');
  const port = flags.port === undefined ? 8080 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, not ${flags.port}`);
  const host = typeof flags.host === 'string' ? flags.host : '127.0.0.1';
  let token: string | undefined;
  if (typeof flags['token-file'] === 'string') {
    token = readFileSync(flags['token-file'], 'utf8').trim();
    if (token.length < 16)
      throw new UsageError(`the token in ${flags['token-file']} must be at least 16 characters`);
  }
  if (typeof flags.db === 'string') setDefaultDb(resolve(flags.db));
  return serveUntilStopped({ host, port, token, rendererDir: await buildRenderer() });
}
