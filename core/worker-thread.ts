// Start a worker thread on one of the lab's modules, from the compiled JavaScript or, when running
// from the TypeScript sources (tsx, vitest), with tsx registered in the worker first.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `tsUrl` is the module's URL beside its caller (new URL('./x.ts', import.meta.url)). */
export function startModuleWorker(tsUrl: URL, options: WorkerOptions = {}): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = fromSource ? tsUrl : new URL(tsUrl.href.replace(/\.ts$/, '.js'));
  if (!fromSource) return new Worker(url, options);
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
