// lab serve [--host 127.0.0.1] [--port 8080] [--token-file F] [--class-token-file F] [--db lab.sqlite] [--robot]:
// the lab UI and api for a browser, on machines without a display or for a classroom (the class link).
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
  const token = tokenFrom(text(flags, 'token-file'), '--token-file');
  const classToken = tokenFrom(text(flags, 'class-token-file'), '--class-token-file');
  if (token !== undefined && token === classToken)
    throw new UsageError("--class-token-file must hold another token than --token-file (the teacher's)");
  if (!existsSync(join(UI_DIR, 'index.html')))
    throw new UsageError(`the lab's UI is not built (no ${UI_DIR}/index.html): run npm run build:ui`);
  const db = text(flags, 'db');
  return serveUntilStopped({
    host,
    port,
    token,
    ...(classToken ? { classToken } : {}),
    uiDir: UI_DIR,
    ...(db ? { defaultDb: resolve(db) } : {}),
    ...(flags.robot === true ? { robot: true } : {}),
  });
}

/** A token kept in a file (so links survive a restart), or undefined to make a new one. */
function tokenFrom(file: string | undefined, flag: string): string | undefined {
  if (file === undefined) return undefined;
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new UsageError(
      `cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (token.length < 16) throw new UsageError(`the token in ${file} must be at least 16 characters`);
  return token;
}
