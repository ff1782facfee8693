// bench/server: how `lab serve` answers one client while another attacks it, against the same
// client's latencies on an idle server measured in the same run. The attacker (its own address,
// 127.0.0.2) keeps sending a 10,000-body model (about half a minute to compile), programs that
// never end, and floods of scenes; the measured client (127.0.0.1) calls app.info (answered on the
// server's event loop), dataset.stats and scene.view (both on the worker threads).
// Run: npm run bench:server [-- --seconds N]  (default 40 s under attack)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLabServer } from '../../server/lab-server.ts';
import { generate } from '../../core/generate/generate.ts';
import { disposeResources } from '../../api/resources.ts';
import { postFrom } from '../../test/server/post-from.ts';
import { numberFlag } from '../flags.ts';
import { writeSlowModel } from '../../test/fixtures/slow-model.ts';

const seconds = numberFlag('seconds', 40);
const TOKEN = 'bench-token-0123456789abcdef';
const home = mkdtempSync(join(tmpdir(), 'blazer-bench-server-'));
process.env.BLAZER_LAB_HOME = home;
writeSlowModel(join(home, 'slow.xml'));
await generate({
  db: join(home, 'class.sqlite'),
  tasks: ['reach_target'],
  teacher: 'scripted',
  scenes: 20,
  samples: 1,
});
mkdirSync(join(home, 'ui'));
writeFileSync(join(home, 'ui', 'index.html'), '<!doctype html>');
const lab = await startLabServer({ uiDir: join(home, 'ui'), token: TOKEN });

const call = async (from: string, name: string, input: unknown): Promise<number> =>
  (await postFrom(lab, from, name, input)).status;

const PROBES: [string, unknown][] = [
  ['app.info', {}],
  ['dataset.stats', { db: 'class.sqlite' }],
  ['scene.view', { task: 'pick_and_lift', seed: 3 }],
];

/** Latencies (ms) and failures of the measured client's calls, round after round, until `until`. */
async function probe(until: () => boolean): Promise<Map<string, { ms: number[]; failed: number }>> {
  const seen = new Map(PROBES.map(([name]) => [name, { ms: [] as number[], failed: 0 }]));
  while (!until()) {
    for (const [name, input] of PROBES) {
      const start = performance.now();
      const status = await call('127.0.0.1', name, input);
      const entry = seen.get(name)!;
      entry.ms.push(performance.now() - start);
      if (status !== 200) entry.failed++;
    }
  }
  return seen;
}

const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

// Warm both workers, then the idle anchor.
await probe(
  (
    (n) => () =>
      n-- <= 0
  )(3),
);
const idleEnd = performance.now() + 10_000;
const idle = await probe(() => performance.now() > idleEnd);

let attacking = true;
const attacker = async (name: string, input: unknown): Promise<void> => {
  while (attacking) await call('127.0.0.2', name, input).catch(() => 0);
};
const attacks = [
  attacker('sim.info', { model: 'slow.xml' }),
  attacker('episode.run', {
    task: 'reach_target',
    seed: 0,
    solver: { kind: 'program', source: 'while True:\n    pass' },
  }),
  ...Array.from({ length: 6 }, (_, i) => attacker('scene.view', { task: 'pick_and_lift', seed: i })),
];
const attackEnd = performance.now() + seconds * 1000;
const loaded = await probe(() => performance.now() > attackEnd);
attacking = false;

console.log(`bench/server: one client measured, idle (10 s) and while another attacks (${seconds} s); ms`);
console.log(
  `${'call'.padEnd(14)} ${'idle p50'.padStart(9)} ${'p95'.padStart(7)} ${'attacked p50'.padStart(13)} ${'p95'.padStart(7)} ${'max'.padStart(7)} ${'p95 ratio'.padStart(10)} failed`,
);
for (const [name] of PROBES) {
  const a = idle.get(name)!;
  const b = loaded.get(name)!;
  console.log(
    `${name.padEnd(14)} ${quantile(a.ms, 0.5).toFixed(0).padStart(9)} ${quantile(a.ms, 0.95).toFixed(0).padStart(7)} ${quantile(b.ms, 0.5).toFixed(0).padStart(13)} ${quantile(b.ms, 0.95).toFixed(0).padStart(7)} ${Math.max(
      ...b.ms,
    )
      .toFixed(0)
      .padStart(
        7,
      )} ${(quantile(b.ms, 0.95) / quantile(a.ms, 0.95)).toFixed(1).padStart(9)}x ${b.failed}/${b.ms.length}`,
  );
}
await lab.close(); // ends the attackers' calls in flight
await Promise.allSettled(attacks);
await disposeResources();
rmSync(home, { recursive: true, force: true });
