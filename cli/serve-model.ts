// lab serve-model <model.gguf> [--adapter a.gguf]: share one local model on 127.0.0.1 as an
// OpenAI-compatible endpoint, behind a token.
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { openModel } from '../core/llm/open-model.ts';
import { startModelServer } from '../core/llm/openai-server.ts';
import { basename } from 'node:path';

export async function serveModelCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError('lab serve-model needs one GGUF model file');
  const port = flags.port === undefined ? 8123 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, not '${String(flags.port)}'`);
  const threads = flags.threads === undefined ? undefined : Number(flags.threads);
  const model = await openModel(file, { adapter: flags.adapter as string | undefined, threads });
  const name = typeof flags.name === 'string' ? flags.name : basename(file).replace(/\.gguf$/i, '');
  const server = await startModelServer({
    model,
    modelName: name,
    host: typeof flags.host === 'string' ? flags.host : '127.0.0.1',
    port,
    token: typeof flags.token === 'string' ? flags.token : process.env.BLAZER_SERVE_TOKEN,
  });
  process.stdout.write(
    `serving ${name} at ${server.url}\ntoken: ${server.token}\nuse it as: --model openai:${name}@${server.url} (key: the token)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await model.dispose();
  return 0;
}
