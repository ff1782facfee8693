// bench/sim: how fast the simulation core is, as ratios against anchors measured in this run.
//  1. mj_step speed in WASM vs native MuJoCo (Debian's libmujoco-dev) on the same Panda table scene.
//  2. move_gripper calls per second (IK + simulated motion), and IK alone.
//  3. the share of a scripted pick-and-place episode's wall time spent inside mj_step, i.e. what
//     the project's own code costs on top of the physics.
// Run: npm run bench:sim  (add --quick for a short run)
import { measureEngineRatio } from './engine-ratio.ts';
import { loadScene } from '../../core/sim/scene.ts';
import { Arm } from '../../core/sim/arm.ts';
import { BUILTIN_SCENES } from '../../core/sim/builtin-scenes.ts';
import { openScene } from '../../core/sim/open-scene.ts';
import { pickAndPlace } from '../../core/sim/pick-and-place.ts';
import { randomTargets } from '../../test/core/sim/arm-workspace.ts';

const quick = process.argv.includes('--quick');
const fmt = (v: number, digits = 0): string =>
  v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function engineRatio(): Promise<void> {
  const r = await measureEngineRatio({ steps: quick ? 5_000 : 20_000, reps: quick ? 3 : 5 });
  console.log(
    '1. mj_step, Panda table scene with a 4 cm cube (same MJCF in both engines, rewritten for MuJoCo 2.2.2)',
  );
  console.log(
    `   WASM   ${r.wasm.engine.padEnd(6)} ${fmt(r.wasm.stepsPerSecond).padStart(8)} steps/s  (${fmt(r.wasm.usPerStep, 1)} us/step)`,
  );
  if (r.native) {
    console.log(
      `   native ${r.native.engine.padEnd(6)} ${fmt(r.native.stepsPerSecond).padStart(8)} steps/s  (${fmt(r.native.usPerStep, 1)} us/step)`,
    );
    console.log(`   WASM/native speed ratio: ${r.ratio!.toFixed(2)}`);
  } else {
    console.log(`   native: skipped (${r.nativeSkipped})`);
  }
  console.log(
    `   WASM on the app's own scene (gravcomp, implicitfast): ${fmt(r.wasmRealScene.stepsPerSecond)} steps/s`,
  );
}

async function moveRate(): Promise<void> {
  console.log('2. move_gripper (IK + min-jerk motion simulated until settled), 100 random targets each');
  for (const armName of ['panda', 'so100'] as const) {
    const sim = await loadScene({ arm: armName });
    const arm = Arm.attach(sim);
    arm.goHome();
    const targets = randomTargets(armName, 100, 11);
    let start = performance.now();
    for (const t of targets) arm.solve(t.position, t.yaw);
    const ikSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    const simStart = sim.time;
    for (const t of targets) arm.moveGripper(t.position, t.yaw);
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `   ${armName.padEnd(6)} ${fmt(targets.length / seconds, 1).padStart(6)} calls/s (${fmt((sim.time - simStart) / targets.length, 2)} s simulated each, ${fmt((sim.time - simStart) / seconds)}x real time); IK alone ${fmt(targets.length / ikSeconds)} solves/s`,
    );
    arm.dispose();
    sim.dispose();
  }
}

async function stepShare(): Promise<void> {
  console.log('3. scripted pick-and-place episodes: share of wall time inside mj_step');
  for (const armName of ['panda', 'so100'] as const) {
    const episodes = quick ? 3 : 20;
    let wall = 0;
    let inStep = 0;
    let steps = 0;
    let load = 0;
    for (let e = 0; e < episodes; e++) {
      const loadStart = performance.now();
      const scene = await openScene(`${armName}-cube`);
      load += (performance.now() - loadStart) / 1000;
      const cube = BUILTIN_SCENES[`${armName}-cube`].objects![0];
      scene.sim.stepSeconds = 0;
      scene.sim.stepCount = 0;
      const start = performance.now();
      pickAndPlace(
        scene.sim,
        scene.arm!,
        cube.name,
        armName === 'panda' ? [0.6, -0.05, 0.002] : [0.16, -0.1, 0],
      );
      wall += (performance.now() - start) / 1000;
      inStep += scene.sim.stepSeconds;
      steps += scene.sim.stepCount;
      scene.dispose();
    }
    console.log(
      `   ${armName.padEnd(6)} ${fmt((100 * inStep) / wall, 1)}% in mj_step (${fmt(steps / episodes)} steps, ${fmt((wall / episodes) * 1000, 1)} ms per episode; scene load ${fmt((load / episodes) * 1000, 1)} ms, not counted)`,
    );
  }
}

await engineRatio();
await moveRate();
await stepShare();
