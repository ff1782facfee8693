// Starting worker.ts as real processes: released together, run as another user, inside a mount
// namespace with a read-only or a tiny file system, or under a file size limit.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync } from 'node:fs';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const WORKER = new URL('./worker.ts', import.meta.url).pathname;

export interface Outcome {
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string; kind?: string; code?: string };
}

export interface Child {
  process: ChildProcess;
  /** Resolves when the child printed `line` (a prefix). */
  printed(line: string): Promise<string>;
  /** The outcome it printed, or a description of how it ended without one. */
  outcome: Promise<Outcome & { lines: string[]; stderr: string; signal: NodeJS.Signals | null }>;
}

export interface How {
  /** Run as this user and group (root can drop to nobody). */
  as?: { uid: number; gid: number };
  /** A shell prefix run before node inside `sh -c` (ulimit, unshare + mount). */
  wrap?: (command: string) => string[];
}

const running = new Set<ChildProcess>();

/** Kill every worker still running (for afterEach: a failed or timed-out test leaves none behind). */
export function stopWorkers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function startWorker(action: string, args: Record<string, unknown>, how: How = {}): Child {
  const node = [process.execPath, '--import', 'tsx/esm', WORKER, action, JSON.stringify(args)];
  const [command, ...rest] = how.wrap ? how.wrap(node.map(shellQuote).join(' ')) : node;
  const options: SpawnOptions = { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(how.as ?? {}) };
  const child = spawn(command, rest, options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  child.stdout!.on('data', (data: Buffer) => {
    buffered += data.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const w of waiting.filter((w) => line.startsWith(w.prefix))) w.resolve(line);
    }
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const outcome = new Promise<Outcome & { lines: string[]; stderr: string; signal: NodeJS.Signals | null }>(
    (resolve) =>
      child.once('close', (code, signal) => {
        const last = lines.find((l) => l.startsWith('RESULT '));
        const parsed: Outcome = last
          ? (JSON.parse(last.slice(7)) as Outcome)
          : { ok: false, error: { name: 'exit', message: `exited ${code ?? signal}: ${stderr}` } };
        resolve({ ...parsed, lines, stderr, signal });
      }),
  );
  return {
    process: child,
    printed: (prefix) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => l.startsWith(prefix));
        if (seen) return resolve(seen);
        waiting.push({ prefix, resolve });
        void outcome.then((o) =>
          reject(new Error(`the child ended before printing '${prefix}': ${JSON.stringify(o)}`)),
        );
      }),
    outcome,
  };
}

/** Start workers that wait at a barrier, then release them all at once; resolves to their outcomes. */
export async function together(children: Child[]): Promise<Awaited<Child['outcome']>[]> {
  await Promise.all(children.map((c) => c.printed('ready')));
  for (const c of children) c.process.kill('SIGUSR1');
  return Promise.all(children.map((c) => c.outcome));
}

/** Poll until `condition` holds; fail if the child ends first. */
export async function waitFor(child: Child, condition: () => boolean): Promise<void> {
  let ended = false;
  void child.outcome.then(() => (ended = true));
  while (!condition()) {
    if (ended) throw new Error(`the child ended first: ${JSON.stringify(await child.outcome)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const isRoot = process.getuid?.() === 0;

/** Root can run a child as nobody, for whom permissions hold; elsewhere the test's own user does. */
export const NOBODY = { uid: 65534, gid: 65534 };
export const canDropToNobody =
  isRoot && spawnSync(process.execPath, ['-e', ''], { ...NOBODY, stdio: 'ignore' }).status === 0;

/** Whether this machine lets the test make a private mount namespace (root with CAP_SYS_ADMIN). */
export const canMount =
  isRoot &&
  spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs /mnt'], { stdio: 'ignore' })
    .status === 0;

/** Run the command with `dir` mounted read-only (a bind mount of itself): EROFS even for root. */
export function readOnlyMount(dir: string): How['wrap'] {
  const q = shellQuote(dir);
  return (command) => [
    'unshare',
    '-m',
    'sh',
    '-c',
    `mount --bind ${q} ${q} && mount -o remount,bind,ro ${q} && exec ${command}`,
  ];
}

/** Run the command with a tiny empty file system mounted on `dir`: ENOSPC. */
export function tinyDisk(dir: string, size = '256k'): How['wrap'] {
  const q = shellQuote(dir);
  return (command) => [
    'unshare',
    '-m',
    'sh',
    '-c',
    `mount -t tmpfs -o size=${size} tmpfs ${q} && exec ${command}`,
  ];
}

/** Run the command with files limited to `kib` KiB (bash's ulimit -f counts KiB): EFBIG. */
export function fileSizeLimit(kib: number): How['wrap'] {
  return (command) => ['bash', '-c', `ulimit -f ${kib} && exec ${command}`];
}

/** Let other users reach `dir` (mkdtemp makes it 0700) without letting them write it. */
export function openToOthers(...dirs: string[]): void {
  for (const dir of dirs) chmodSync(dir, 0o755);
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
