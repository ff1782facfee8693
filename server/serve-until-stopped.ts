// Serve the lab to browsers until Ctrl-C or SIGTERM, then close cleanly: what `lab serve` and
// `npm start`'s browser fallback both do.
import { startLabServer, type LabServerOptions } from './lab-server.ts';
import { disposeResources } from '../api/resources.ts';
import { ApiError } from '../api/errors.ts';

export async function serveUntilStopped(options: LabServerOptions): Promise<number> {
  const server = await startLabServer(options).catch((err: NodeJS.ErrnoException) => {
    throw listenProblem(err, options.host ?? '127.0.0.1', options.port ?? 0) ?? err;
  });
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host))
    process.stderr.write(`serving on ${host}: anyone who can reach it and has the token can drive the lab\n`);
  process.stdout.write(
    `BLAZER Lab is serving at ${server.url}\nopen: ${server.openUrl}\n` +
      `class: ${server.classUrl}\n  (the class link: each student gives a name and gets their own progress and files)\n`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
  await disposeResources();
  return 0;
}

/** Why the server could not listen, in words (the port taken, the address not this machine's). */
function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): ApiError | undefined {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new ApiError('bad-request', `port ${port} is in use: choose another port (--port)`);
    case 'EACCES':
      return new ApiError(
        'bad-request',
        `not allowed to listen on ${where}: ports below 1024 need privileges (--port)`,
      );
    case 'EADDRNOTAVAIL':
      return new ApiError('bad-request', `${host} is not an address of this machine (--host)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ApiError('bad-request', `--host ${host} is not a known host name or address`);
    default:
      return undefined;
  }
}
