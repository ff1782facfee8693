import { describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Simulation } from '../../../core/sim/simulation.ts';
import { SimError } from '../../../core/sim/errors.ts';
import { loadScene } from '../../../core/sim/scene.ts';
import { Arm } from '../../../core/sim/arm.ts';
import { tempDir, userArmModel } from '../../helpers.ts';

const BALL = `<mujoco><worldbody><geom type="plane" size="1 1 0.1"/>
  <body name="ball" pos="0 0 0.5"><freejoint/><geom size="0.05" mass="0.1"/></body></worldbody></mujoco>`;

async function loadError(xml: string, files?: Record<string, string>): Promise<SimError> {
  try {
    const sim = await Simulation.fromXml(xml, { files, source: 'model.xml' });
    sim.dispose();
  } catch (err) {
    expect(err).toBeInstanceOf(SimError);
    return err as SimError;
  }
  throw new Error('expected the model to fail to load');
}

describe('Simulation', () => {
  it('loads, steps (a dropped ball falls and lands) and frees', async () => {
    const sim = await Simulation.fromXml(BALL);
    const ball = sim.id('body', 'ball');
    expect(ball).toBeGreaterThan(0);
    sim.step(100);
    expect(sim.time).toBeCloseTo(0.2, 6);
    const falling = sim.data.xpos[3 * ball + 2];
    expect(falling).toBeLessThan(0.5 - 0.15); // ~g t^2 / 2 = 0.196 m
    sim.step(1000);
    expect(sim.data.xpos[3 * ball + 2]).toBeCloseTo(0.05, 2); // resting on the plane
    sim.dispose();
    expect(sim.disposed).toBe(true);
    expect(() => sim.data.qpos).toThrow(/deleted/);
    sim.dispose(); // a second dispose is harmless
  });

  it('names the line of an XML parse error', async () => {
    const err = await loadError('<mujoco>\n<worldbody>\n<body>\n</worldbody>\n</mujoco>');
    expect(err.kind).toBe('xml-parse');
    expect(err.message).toMatch(/XML parse error in model\.xml at line 3/);
  });

  it('names a missing include file', async () => {
    const err = await loadError('<mujoco>\n  <include file="scenery.xml"/>\n</mujoco>');
    expect(err.kind).toBe('missing-file');
    expect(err.message).toBe(
      "file 'scenery.xml' not found next to model.xml (referenced by <include> at line 2)",
    );
  });

  it('names a missing mesh file', async () => {
    const err = await loadError(
      '<mujoco><asset><mesh name="base" file="Base.stl"/></asset><worldbody><geom type="mesh" mesh="base"/></worldbody></mujoco>',
    );
    expect(err.kind).toBe('missing-file');
    expect(err.message).toMatch(/^file 'Base\.stl' not found next to model\.xml/);
  });

  it('names the element and attribute MuJoCo rejects', async () => {
    const err = await loadError(
      '<mujoco>\n<worldbody>\n<geom size="0.1" colour="red"/>\n</worldbody>\n</mujoco>',
    );
    expect(err.kind).toBe('mjcf-schema');
    expect(err.message).toMatch(/model\.xml at line 3, element <geom>: .*unrecognized attribute: 'colour'/);
  });

  it('names the line of a value the compiler rejects', async () => {
    const err = await loadError(
      '<mujoco>\n<worldbody>\n<geom name="slab" type="box" size="1 1"/>\n</worldbody>\n</mujoco>',
    );
    expect(err.kind).toBe('mjcf-schema');
    expect(err.message).toBe("invalid MJCF in model.xml at line 3: size 2 must be positive in geom ('slab')");
  });

  it('rejects an empty model with a clear message', async () => {
    await expect(Simulation.fromXml('  ')).rejects.toThrow(/empty/);
  });

  it('reports an arm without the gripper site', async () => {
    const sim = await Simulation.fromXml(BALL, { source: 'ball.xml' });
    try {
      expect(() => Arm.attach(sim)).toThrow(/ball\.xml has no site named 'gripper'/);
    } finally {
      sim.dispose();
    }
  });

  it('loads a file together with the include and mesh beside it', async () => {
    const path = userArmModel();
    const sim = await Simulation.fromFile(path);
    try {
      expect(sim.source).toBe('two_link_arm.xml');
      expect(sim.id('body', 'mug')).toBeGreaterThan(0); // from the include
      expect(sim.model.nmesh).toBe(1);
    } finally {
      sim.dispose();
    }
  });

  it('refuses an include chain too deep for the engine, and the next model loads', async () => {
    // 300 nested includes overflow MuJoCo's recursive parser inside WebAssembly and damage the
    // shared engine: they are refused before it sees them.
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`f${i}.xml`] = `<mujoco><include file="f${i + 1}.xml"/></mujoco>`;
    files['f300.xml'] = '<mujoco><worldbody><geom type="sphere" size="0.1"/></worldbody></mujoco>';
    await expect(
      Simulation.fromXml('<mujoco><include file="f0.xml"/></mujoco>', { files }),
    ).rejects.toMatchObject({
      kind: 'mjcf-schema',
      message: expect.stringMatching(/includes are nested more than 16 deep/),
    });
    const next = await Simulation.fromXml(
      '<mujoco><worldbody><geom type="sphere" size="0.1"/></worldbody></mujoco>',
    );
    expect(next.model.ngeom).toBe(1);
    next.dispose();
    // A shallow chain still loads.
    const shallow = { 'a.xml': '<mujoco><include file="b.xml"/></mujoco>', 'b.xml': files['f300.xml'] };
    const loaded = await Simulation.fromXml('<mujoco><include file="a.xml"/></mujoco>', { files: shallow });
    expect(loaded.model.ngeom).toBe(1);
    loaded.dispose();
  });

  it('reports a model file that does not exist', async () => {
    await expect(Simulation.fromFile('/nonexistent/arm.xml')).rejects.toThrow(
      "model file '/nonexistent/arm.xml' not found",
    );
  });

  it('reports a mesh missing from beside a model file by name', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'meshes'));
    writeFileSync(
      join(dir, 'arm.xml'),
      '<mujoco><compiler meshdir="meshes"/><asset><mesh file="Base.stl"/></asset><worldbody><geom type="mesh" mesh="Base"/></worldbody></mujoco>',
    );
    await expect(Simulation.fromFile(join(dir, 'arm.xml'))).rejects.toThrow(
      /file '.*Base\.stl' not found next to arm\.xml/,
    );
    rmSync(dir, { recursive: true });
  });

  it('does not leak wasm or JS memory over 10,000 load-step-free episodes', async () => {
    let heapAfterWarmup = 0;
    let wasmAfterWarmup = 0;
    let wasm = 0;
    for (let episode = 0; episode < 10_000; episode++) {
      const sim = await Simulation.fromXml(BALL);
      sim.step(20);
      wasm = sim.data.qpos.buffer.byteLength;
      sim.dispose();
      if (episode === 999) {
        global.gc?.();
        heapAfterWarmup = process.memoryUsage().heapUsed;
        wasmAfterWarmup = wasm;
      }
    }
    global.gc?.();
    expect(wasm).toBe(wasmAfterWarmup); // wasm memory never shrinks, so any leak would show as growth
    expect(process.memoryUsage().heapUsed - heapAfterWarmup).toBeLessThan(20 * 1024 * 1024);
  });

  it('does not leak over 1,000 table-scene episodes with an arm attached', async () => {
    let wasmAfterWarmup = 0;
    let wasm = 0;
    for (let episode = 0; episode < 1_000; episode++) {
      const sim = await loadScene({
        arm: 'panda',
        objects: [{ name: 'cube', shape: 'box', size: [0.04, 0.04, 0.04], position: [0.5, 0, 0.02] }],
      });
      const arm = Arm.attach(sim);
      sim.step(10);
      wasm = sim.data.qpos.buffer.byteLength;
      arm.dispose();
      sim.dispose();
      if (episode === 99) wasmAfterWarmup = wasm;
    }
    expect(wasm).toBe(wasmAfterWarmup);
  });
});
