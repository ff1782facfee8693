// A Simulation owns one MjModel and one MjData and frees both on dispose(). Views such as
// data.qpos are re-read on every access because wasm memory growth detaches cached ones.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadMujoco, discardMujoco, MJ_OBJ, type Mujoco, type MjModel, type MjData } from './mujoco.ts';
import { describeLoadError, SimError } from './errors.ts';
import { collectModelFiles } from './model-files.ts';

export type ObjKind = keyof typeof MJ_OBJ;

export interface LoadOptions {
  /** Files the MJCF references (includes, meshes), keyed by path relative to the model. */
  files?: Record<string, Uint8Array | string>;
  /** Shown in error messages: the file name or a scene name. */
  source?: string;
}

export class Simulation {
  private disposedFlag = false;
  /** Wall seconds spent inside mj_step, for the bench's overhead measurement. */
  stepSeconds = 0;
  stepCount = 0;
  private sampler?: { interval: number; next: number; sample: () => void };

  private constructor(
    readonly mj: Mujoco,
    readonly model: MjModel,
    readonly data: MjData,
    readonly source: string,
  ) {}

  static async fromXml(xml: string, options: LoadOptions = {}): Promise<Simulation> {
    if (typeof xml !== 'string' || xml.trim() === '') {
      throw new SimError('bad-input', `the MJCF ${options.source ?? ''} is empty`.replace('  ', ' '));
    }
    const source = options.source ?? '<string>';
    checkIncludeDepth(xml, options.files ?? {}, source);
    const mj = await loadMujoco();
    const vfs = new mj.MjVFS();
    let model: MjModel;
    try {
      const encoder = new TextEncoder();
      for (const [path, content] of Object.entries(options.files ?? {})) {
        vfs.addBuffer(path, typeof content === 'string' ? encoder.encode(content) : content);
      }
      model = mj.MjModel.from_xml_string(xml, vfs);
    } catch (err) {
      // A failed load may have left the shared engine damaged without saying so (a C++ exception
      // out of corrupted memory reads like any other message): start the next one afresh.
      discardMujoco();
      if (isEngineFault(err)) throw engineFault(err, `loading ${source}`);
      throw describeLoadError(err, source);
    } finally {
      vfs.delete();
    }
    let data: MjData;
    try {
      data = new mj.MjData(model);
    } catch (err) {
      model.delete();
      discardMujoco();
      throw new SimError('out-of-memory', `MuJoCo could not allocate data for ${source}: ${String(err)}`);
    }
    const sim = new Simulation(mj, model, data, source);
    sim.forward();
    return sim;
  }

  /** Load a model file with the includes and meshes that sit beside it. */
  static async fromFile(path: string): Promise<Simulation> {
    const full = resolve(path);
    if (statSync(full, { throwIfNoEntry: false })?.isDirectory())
      throw new SimError('bad-input', `'${path}' is a folder, not an MJCF model file`);
    let xml: string;
    try {
      xml = readFileSync(full, 'utf8');
    } catch {
      throw new SimError('missing-file', `model file '${path}' not found`);
    }
    return Simulation.fromXml(xml, { files: collectModelFiles(dirname(full)), source: basename(full) });
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  get time(): number {
    return this.data.time;
  }

  step(count = 1): void {
    try {
      this.stepUnguarded(count);
    } catch (err) {
      if (isEngineFault(err)) throw engineFault(err, `stepping ${this.source}`);
      throw err;
    }
  }

  private stepUnguarded(count: number): void {
    const { mj, model, data } = this;
    const start = performance.now();
    if (this.sampler) {
      for (let i = 0; i < count; i++) {
        mj.mj_step(model, data);
        if (data.time >= this.sampler.next - 1e-9) {
          this.sampler.next += this.sampler.interval;
          this.sampler.sample();
        }
      }
    } else {
      for (let i = 0; i < count; i++) mj.mj_step(model, data);
    }
    this.stepSeconds += (performance.now() - start) / 1000;
    this.stepCount += count;
  }

  /** Call `sample` every `interval` simulated seconds while stepping (recording), or stop with undefined. */
  sampleEvery(interval: number | undefined, sample?: () => void): void {
    this.sampler = interval && sample ? { interval, next: this.data.time + interval, sample } : undefined;
  }

  /** Recompute positions, contacts and sensors from qpos without advancing time. */
  forward(): void {
    try {
      this.mj.mj_forward(this.model, this.data);
    } catch (err) {
      if (isEngineFault(err)) throw engineFault(err, `computing ${this.source}`);
      throw err;
    }
  }

  reset(): void {
    this.mj.mj_resetData(this.model, this.data);
    this.mj.mj_forward(this.model, this.data);
  }

  id(kind: ObjKind, name: string): number {
    return this.mj.mj_name2id(this.model, MJ_OBJ[kind], name);
  }

  /** The object's name, or '' when it has none (the wasm build returns junk for unnamed objects). */
  name(kind: ObjKind, id: number): string {
    const name = this.mj.mj_id2name(this.model, MJ_OBJ[kind], id) ?? '';
    return name && this.id(kind, name) === id ? name : '';
  }

  names(kind: ObjKind): string[] {
    const { model } = this;
    const count = {
      body: model.nbody,
      joint: model.njnt,
      geom: model.ngeom,
      site: model.nsite,
      actuator: model.nu,
      key: model.nkey,
    }[kind];
    return Array.from({ length: count }, (_, i) => this.name(kind, i));
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.data.delete();
    this.model.delete();
  }
}

/**
 * A trap inside the WebAssembly engine (memory access out of bounds, an overflowed stack) leaves
 * the shared module's memory in an unknown state: it is dropped, and the next simulation starts a
 * fresh one rather than inheriting the damage.
 */
function isEngineFault(err: unknown): boolean {
  return err instanceof WebAssembly.RuntimeError || err instanceof RangeError;
}

function engineFault(err: unknown, doing: string): SimError {
  discardMujoco();
  return new SimError(
    'engine-fault',
    `MuJoCo failed inside its engine ${doing} (${(err as Error).message}); the engine was restarted for the next simulation`,
  );
}

/** Deeper include chains than this are refused before MuJoCo's parser (which recurses) sees them. */
export const MAX_INCLUDE_DEPTH = 16;

/** Follow <include file="..."/> through the model's files; a chain deeper than the limit is refused. */
function checkIncludeDepth(xml: string, files: Record<string, Uint8Array | string>, source: string): void {
  const decoder = new TextDecoder();
  const text = (name: string): string | undefined => {
    const content = files[name] ?? files[name.replace(/^\.\//, '')];
    return content === undefined
      ? undefined
      : typeof content === 'string'
        ? content
        : decoder.decode(content);
  };
  const includes = (body: string): string[] =>
    [...body.matchAll(/<include\b[^>]*\bfile\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]);
  let level = includes(xml);
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > MAX_INCLUDE_DEPTH)
      throw new SimError(
        'mjcf-schema',
        `invalid MJCF in ${source}: includes are nested more than ${MAX_INCLUDE_DEPTH} deep (${level[0]} and on)`,
      );
    level = [...new Set(level)].flatMap((name) => includes(text(name) ?? ''));
  }
}
