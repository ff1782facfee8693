// lab serve [--host 127.0.0.1] [--port 8080] [--token-file F] [--db lab.sqlite] [--robot]: the lab UI and api
// for a browser, on machines without a display or for a classroom.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, noPositionals, numeric, text, type ParsedArgs } from './args.ts';
import { serveUntilStopped } from '../server/serve-until-stopped.ts';
import { UI_DIR } from '../api/shell-files.ts';

export async function serveCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  noPositionals('lab serve', positionals);
  const port = numeric(flags.port) ?? 8080;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, not ${String(flags.port)}`);
  const host = text(flags, 'host') ?? '127.0.0.1';
  const tokenFile = text(flags, 'token-file');
  let token: string | undefined;
  if (tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new UsageError(
        `cannot read --token-file ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    if (token.length < 16) throw new UsageError(`the token in ${tokenFile} must be at least 16 characters`);
  }
  if (!existsSync(join(UI_DIR, 'index.html')))
    throw new UsageError(`the lab's UI is not built (no ${UI_DIR}/index.html): run npm run build:ui`);
  const db = text(flags, 'db');
  return serveUntilStopped({
    host,
    port,
    token,
    uiDir: UI_DIR,
    ...(db ? { defaultDb: resolve(db) } : {}),
    ...(flags.robot === true ? { robot: true } : {}),
  });
}
