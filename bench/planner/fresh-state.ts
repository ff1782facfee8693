// bench/planner section 3: what a fresh interpreter per program costs, against an anchor measured in
// the same run: the same trivial program on one reused interpreter (what the sandbox did before
// every program got its own). Also end to end through PythonSandbox, back to back (each program
// waits for its interpreter) and with a pause between programs (the runner prepares the next
// interpreter meanwhile, as it does while the parent simulates an episode), and next to what one
// simulated episode (put_block_in_bin, its scripted solver) takes in this run.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadPyodide } from 'pyodide';
import { createInterpreterSource } from '../../core/sandbox/interpreters.mjs';
import { PythonSandbox } from '../../core/sandbox/python-sandbox.ts';
import { runEpisode } from '../../core/episode/session.ts';
import { findTask } from '../../core/tasks/registry.ts';

const TRIVIAL = 'x = 1';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (v: number): string => `${v.toFixed(1).padStart(7)} ms`;

async function timed(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Per program, in this process: preparing a fresh interpreter, running on it, and the reused anchor. */
async function inProcess(reps: number): Promise<{ fresh: number; run: number; reused: number }> {
  setFlagsFromString('--expose-gc'); // as the runner is started: it frees each finished interpreter
  const gc = runInNewContext('gc') as () => void;
  const api = readFileSync(new URL('../../core/sandbox/robot_api.py', import.meta.url), 'utf8');
  const source = await createInterpreterSource(api);
  const fresh: number[] = [];
  const run: number[] = [];
  let interpreter: Awaited<ReturnType<typeof source.fresh>> | undefined;
  for (let r = 0; r < reps; r++) {
    // As the runner does between programs: wipe the last interpreter, free it, restore a new one.
    fresh.push(
      await timed(async () => {
        interpreter?.discard();
        interpreter = undefined;
        gc();
        interpreter = await source.fresh();
      }),
    );
    run.push(
      await timed(() =>
        interpreter!.run({ program: TRIVIAL, state: { version: 1, objects: [] } }, () => ({})),
      ),
    );
  }
  const reusedInterpreter = await loadPyodide({ jsglobals: {} });
  const code = `exec(compile(${JSON.stringify(TRIVIAL)}, "<program>", "exec"), {})`;
  const reused: number[] = [];
  for (let r = 0; r < reps * 10; r++) reused.push(await timed(() => reusedInterpreter.runPython(code)));
  return { fresh: median(fresh), run: median(run), reused: median(reused) };
}

/** Per program through the sandbox: back to back, and after a pause that lets the runner prepare. */
async function endToEnd(
  reps: number,
): Promise<{ startup: number; backToBack: number; afterPause: number; prepare: number }> {
  const sandbox = new PythonSandbox();
  const state = { version: 1, objects: [] };
  const noop = () => ({ result: null });
  await sandbox.warm();
  const startup = sandbox.lastStartupMs;
  const backToBack: number[] = [];
  const afterPause: number[] = [];
  const prepare: number[] = [];
  for (let r = 0; r < reps; r++) {
    backToBack.push(await timed(() => sandbox.run(TRIVIAL, state, noop)));
    await sleep(1000); // an episode's worth of simulation in the parent
    afterPause.push(await timed(() => sandbox.run(TRIVIAL, state, noop)));
    prepare.push(sandbox.lastPrepareMs);
  }
  sandbox.dispose();
  return {
    startup,
    backToBack: median(backToBack),
    afterPause: median(afterPause),
    prepare: median(prepare),
  };
}

/** One simulated episode, ms: the simulation a fresh interpreter is prepared alongside. */
async function episode(): Promise<number> {
  const task = await findTask('put_block_in_bin');
  const times: number[] = [];
  for (const seed of [0, 1, 2]) times.push(await timed(() => runEpisode(task, seed)));
  return median(times);
}

export async function freshStateCost(reps: number): Promise<void> {
  const local = await inProcess(reps);
  const e2e = await endToEnd(reps);
  const episodeMs = await episode();
  console.log(`3. fresh interpreter per program, trivial program \`${TRIVIAL}\`, median of ${reps}`);
  console.log(`   anchor: the program on one reused interpreter   ${ms(local.reused)}`);
  console.log(
    `   preparing a fresh interpreter from the snapshot ${ms(local.fresh)}   ratio ${(local.fresh / local.reused).toFixed(0)} x the anchor`,
  );
  console.log(
    `   running the program on it                       ${ms(local.run)}   ratio ${(local.run / local.reused).toFixed(1)} x the anchor`,
  );
  console.log(
    `   per program through PythonSandbox: back to back ${ms(e2e.backToBack)}; after a 1 s pause ${ms(e2e.afterPause)} (runner's own preparation ${e2e.prepare} ms, start-up ${(e2e.startup / 1000).toFixed(1)} s once)`,
  );
  console.log(
    `   one simulated episode (put_block_in_bin) takes ${ms(episodeMs)}: a fresh interpreter adds ${((100 * local.fresh) / episodeMs).toFixed(0)}% to its CPU, beside it rather than after it`,
  );
}
