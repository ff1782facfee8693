// bench/cli: how long `lab` takes to start, against starting Node itself (`node -e 0`) measured in
// the same run: `lab --help`, `lab tasks --json` (informational: the goal is under 0.5 s here) and
// `lab run --task reach_target` (one short episode). It runs the command as a user would
// (bin/lab.js: the built JavaScript when it is fresh, else the TypeScript sources through tsx).
// Run: npm run bench:cli [-- --runs N]  (add --sources to time the tsx path)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { numberFlag } from '../flags.ts';

const runs = numberFlag('runs', 7);
const LAB = fileURLToPath(new URL('../../bin/lab.js', import.meta.url));
const env = { ...process.env, ...(process.argv.includes('--sources') ? { BLAZER_LAB_SOURCES: '1' } : {}) };

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function time(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const run = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    times.push(performance.now() - start);
    if (run.status !== 0 && run.status !== 3) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  }
  return median(times);
}

const anchor = time(['-e', '0']);
console.log(`bench/cli: median of ${runs} runs each; anchor node -e 0: ${anchor.toFixed(0)} ms`);
for (const args of [['--help'], ['tasks', '--json'], ['run', '--task', 'reach_target']]) {
  const ms = time([LAB, ...args]);
  console.log(
    `lab ${args.join(' ').padEnd(24)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${(ms / anchor).toFixed(1).padStart(5)}x node -e 0`,
  );
}
