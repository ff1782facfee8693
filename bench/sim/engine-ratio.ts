// WASM vs native MuJoCo stepping speed on the same Panda table scene. Both engines load the SAME
// MJCF: the scene rewritten for MuJoCo 2.2.2 (legacy-mjcf.ts), written to
// bench/sim/build/panda_table_legacy.xml. The real scene (gravcomp, implicitfast) is measured in
// WASM as well, to show what the rewrite itself costs or saves.
// Caveat on the ratio: Debian's native MuJoCo is 2.2.2 built without AVX while WASM is 3.14, so it
// compares two engine versions as well as two runtimes (notes/mujoco.md §4, §9).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScene, type SceneObject, type SceneSpec } from '../../core/sim/scene.ts';
import { Simulation } from '../../core/sim/simulation.ts';
import { legacySceneXml } from './legacy-mjcf.ts';
import { buildDir, buildNative, runNative, type NativeResult } from './native.ts';

export const BENCH_CUBE: SceneObject = {
  name: 'cube',
  shape: 'box',
  size: [0.04, 0.04, 0.04],
  position: [0.5, 0, 0.02],
};
export const BENCH_SCENE: SceneSpec = { arm: 'panda', objects: [BENCH_CUBE] };

export interface WasmResult {
  /** mj_versionString() of the WASM module. */
  engine: string;
  /** Best rep. */
  stepsPerSecond: number;
  usPerStep: number;
  /** Contacts after the last step. */
  ncon: number;
  /** max |qpos - keyframe qpos| after the last rep: small if the arm held its home pose and the cube rested. */
  maxQposDrift: number;
}

export interface NativeRatioResult extends NativeResult {
  maxQposDrift: number;
}

export interface EngineRatio {
  steps: number;
  reps: number;
  /** The legacy MJCF both engines loaded. */
  legacyXmlPath: string;
  /** WASM on the legacy scene. */
  wasm: WasmResult;
  /** Native on the legacy scene; absent if it could not be built or run (see nativeSkipped). */
  native?: NativeRatioResult;
  nativeSkipped?: string;
  /** wasm.stepsPerSecond / native.stepsPerSecond (below 1: WASM is slower). */
  ratio?: number;
  /** WASM on the real scene (loadScene, gravcomp + implicitfast). */
  wasmRealScene: WasmResult;
}

export async function measureEngineRatio({
  steps = 20_000,
  reps = 5,
}: { steps?: number; reps?: number } = {}): Promise<EngineRatio> {
  if (!Number.isInteger(steps) || steps <= 0 || !Number.isInteger(reps) || reps <= 0) {
    throw new Error(`measureEngineRatio: steps and reps must be positive integers (got ${steps}, ${reps})`);
  }
  const xml = legacySceneXml(BENCH_SCENE);
  mkdirSync(buildDir, { recursive: true });
  const legacyXmlPath = join(buildDir, 'panda_table_legacy.xml');
  writeFileSync(legacyXmlPath, xml);

  const legacySim = await Simulation.fromXml(xml, { source: 'panda_table_legacy.xml' });
  let wasm: WasmResult;
  try {
    wasm = timeWasm(legacySim, steps, reps);
  } finally {
    legacySim.dispose();
  }

  let native: NativeRatioResult | undefined;
  let nativeSkipped: string | undefined;
  const bin = await buildNative();
  if (bin) {
    try {
      const result = await runNative(bin, legacyXmlPath, steps, reps);
      native = { ...result, maxQposDrift: await keyframeDrift(xml, result.qpos) };
    } catch (err) {
      nativeSkipped = (err as Error).message;
      console.error(nativeSkipped);
    }
  } else {
    nativeSkipped = 'native MuJoCo could not be built';
  }

  const realSim = await loadScene(BENCH_SCENE);
  let wasmRealScene: WasmResult;
  try {
    wasmRealScene = timeWasm(realSim, steps, reps);
  } finally {
    realSim.dispose();
  }

  return {
    steps,
    reps,
    legacyXmlPath,
    wasm,
    ...(native ? { native, ratio: wasm.stepsPerSecond / native.stepsPerSecond } : { nativeSkipped }),
    wasmRealScene,
  };
}

function timeWasm(sim: Simulation, steps: number, reps: number): WasmResult {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    resetToKeyframe(sim);
    const start = performance.now();
    sim.step(steps);
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return {
    engine: sim.mj.mj_versionString(),
    stepsPerSecond: steps / best,
    usPerStep: (best / steps) * 1e6,
    ncon: sim.data.ncon,
    maxQposDrift: drift(Array.from(sim.data.qpos as Float64Array), keyQpos(sim)),
  };
}

/** mj_resetDataKeyframe(0) with ctrl from the keyframe, as native.c does, then mj_forward. */
function resetToKeyframe(sim: Simulation): void {
  const { mj, model, data } = sim;
  if (model.nkey === 0) {
    sim.reset();
    return;
  }
  mj.mj_resetDataKeyframe(model, data, 0);
  (data.qpos as Float64Array).set(keyQpos(sim));
  (data.ctrl as Float64Array).set((model.key_ctrl as Float64Array).subarray(0, model.nu));
  mj.mj_forward(model, data);
}

/**
 * Keyframe 0's qpos (qpos0 without a keyframe). MuJoCo 3.x pads a keyframe shorter than nq with
 * zeros and an identity quaternion, not with qpos0, so the real scene's keyframe (written for the
 * arm alone) would drop the cube at the world origin, inside the robot base. Free joints padded
 * that way are put back at their qpos0, the body's own pose.
 */
function keyQpos(sim: Simulation): number[] {
  const { model } = sim;
  const qpos0 = model.qpos0 as Float64Array;
  if (model.nkey === 0) return Array.from(qpos0);
  const key = Array.from((model.key_qpos as Float64Array).subarray(0, model.nq));
  const jntType = model.jnt_type as Int32Array;
  const jntAdr = model.jnt_qposadr as Int32Array;
  const padded = [0, 0, 0, 1, 0, 0, 0];
  for (let j = 0; j < model.njnt; j++) {
    const a = jntAdr[j];
    if (jntType[j] === 0 /* mjJNT_FREE */ && padded.every((v, i) => key[a + i] === v)) {
      for (let i = 0; i < 7; i++) key[a + i] = qpos0[a + i];
    }
  }
  return key;
}

async function keyframeDrift(xml: string, qpos: number[]): Promise<number> {
  const sim = await Simulation.fromXml(xml, { source: 'panda_table_legacy.xml' });
  try {
    return drift(qpos, keyQpos(sim));
  } finally {
    sim.dispose();
  }
}

function drift(qpos: number[], key: number[]): number {
  if (qpos.length !== key.length) return NaN;
  return Math.max(...qpos.map((v, i) => Math.abs(v - key[i])));
}
