// Serve the lab to browsers until Ctrl-C or SIGTERM, then close cleanly: what `lab serve` and
// `npm start`'s browser fallback both do.
import { startLabServer, type LabServerOptions } from './lab-server.ts';
import { disposeResources } from '../api/resources.ts';

export async function serveUntilStopped(options: LabServerOptions): Promise<number> {
  const server = await startLabServer(options).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new Error(`port ${options.port} is in use: choose another port`);
    throw err;
  });
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host))
    process.stderr.write(`serving on ${host}: anyone who can reach it and has the token can drive the lab\n`);
  process.stdout.write(`BLAZER Lab is serving at ${server.url}\nopen: ${server.openUrl}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
  await disposeResources();
  return 0;
}
