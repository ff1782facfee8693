// The frozen layers' work, done once per example and kept across epochs.
//
// Layers below the first adapted one never change, so their output for an example is computed
// once (no gradients) and cached. Training prompts share a long prefix (the system prompt is
// thousands of tokens and the same for every example), and by causality a row depends only on the
// rows before it, so a shared prefix is computed once too: a SharedPrefix keeps the frozen
// layers' keys/values and output for one example's tokens (and the first adapted layer's frozen
// projections of that output), and a later example that starts with the same tokens only computes
// its own rows. Each example then stores just those rows.
//
// Memory is capped: when the cache is full, further examples are recomputed from their shared
// prefix on every visit instead of stored.
import type { LlamaHyperparameters } from './gguf-weights.ts';
import {
  allocateLayerInput,
  allocateLayerKv,
  copyKvRows,
  type LayerInput,
  type LayerKv,
  type LlamaBlocks,
} from './llama-block.ts';

export interface FrozenStatesOptions {
  /** Bytes the cache may hold (shared prefixes and per-example rows). */
  maxBytes: number;
  /** How many shared prefixes to keep (e.g. one per system prompt). */
  maxPrefixes: number;
}

export interface FrozenStatesStats {
  cachedExamples: number;
  prefixes: number;
  bytes: number;
  /** Rows run through the frozen layers so far (prompt rows shared with a prefix are not counted). */
  rowsComputed: number;
  /** Examples that did not fit in the cache and are recomputed on every visit. */
  uncached: number;
}

class SharedPrefix {
  constructor(
    readonly tokens: Int32Array,
    readonly kv: LayerKv[],
    /** The frozen layers' output, [tokens][embd], and the first adapted layer's frozen projections of it. */
    readonly projections: LayerInput,
  ) {}

  bytes(): number {
    let bytes = this.tokens.byteLength + layerInputBytes(this.projections);
    for (const kv of this.kv) bytes += kv.k.byteLength + kv.v.byteLength;
    return bytes;
  }
}

interface CachedRows {
  prefix?: SharedPrefix;
  /** Rows 0..shared-1 come from the prefix. */
  shared: number;
  /** The frozen layers' output for rows shared..length-1. */
  rows: Float32Array;
}

function commonPrefixLength(a: Int32Array, b: ArrayLike<number>, length: number): number {
  const limit = Math.min(a.length, length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}

export class FrozenStates {
  private readonly prefixes: SharedPrefix[] = [];
  private readonly cache = new Map<number, CachedRows>();
  private bytes = 0;
  private rowsComputed = 0;
  private readonly uncached = new Set<number>();
  private readonly hp: LlamaHyperparameters;

  constructor(
    private readonly blocks: LlamaBlocks,
    /** Layers 0..frozenLayers-1 are frozen; layer frozenLayers is the first adapted one. */
    private readonly frozenLayers: number,
    private readonly options: FrozenStatesOptions,
  ) {
    this.hp = blocks.hp;
  }

  stats(): FrozenStatesStats {
    return {
      cachedExamples: this.cache.size,
      prefixes: this.prefixes.length,
      bytes: this.bytes,
      rowsComputed: this.rowsComputed,
      uncached: this.uncached.size,
    };
  }

  /**
   * The first adapted layer's input for the first `length` tokens of an example: its residual
   * stream and frozen projections at every position. `key` identifies the example across visits.
   */
  layerInput(key: number, tokens: ArrayLike<number>, length: number): LayerInput {
    const cached = this.cache.get(key) ?? this.compute(key, tokens, length);
    const { embd } = this.hp;
    const input = allocateLayerInput(this.hp, length);
    const { prefix, shared } = cached;
    if (prefix && shared > 0) {
      const kvDim = this.hp.headsKv * this.hp.headDim;
      const from = prefix.projections;
      input.x.set(from.x.subarray(0, shared * embd));
      input.xn.set(from.xn.subarray(0, shared * embd));
      input.invRms.set(from.invRms.subarray(0, shared));
      input.kBase.set(from.kBase.subarray(0, shared * kvDim));
      input.vBase.set(from.vBase.subarray(0, shared * kvDim));
    }
    input.x.set(cached.rows, shared * embd);
    if (shared < length) this.blocks.baseProjections(this.frozenLayers, input, shared);
    return input;
  }

  private compute(key: number, tokens: ArrayLike<number>, length: number): CachedRows {
    let best: SharedPrefix | undefined;
    let shared = 0;
    for (const prefix of this.prefixes) {
      const common = commonPrefixLength(prefix.tokens, tokens, length);
      if (common > shared) {
        shared = common;
        best = prefix;
      }
    }
    // A prefix covering less than half of the example is a poor match: start a new one if allowed.
    const wantsNewPrefix = shared < length / 2 && this.prefixes.length < this.options.maxPrefixes;
    if (wantsNewPrefix || !best) {
      best = undefined;
      shared = 0;
    }

    const kv = Array.from({ length: this.frozenLayers }, () => allocateLayerKv(this.hp, length));
    if (best) for (let l = 0; l < this.frozenLayers; l++) copyKvRows(best.kv[l], kv[l], shared, this.hp);
    const rows = this.blocks.frozenForward(tokens, length, shared, this.frozenLayers, kv);
    this.rowsComputed += length - shared;

    let entry: CachedRows = { prefix: best, shared, rows };
    if (wantsNewPrefix) {
      const projections = allocateLayerInput(this.hp, length);
      projections.x.set(rows);
      this.blocks.baseProjections(this.frozenLayers, projections, 0);
      const prefix = new SharedPrefix(
        Int32Array.from({ length }, (_, i) => tokens[i]),
        kv,
        projections,
      );
      if (this.bytes + prefix.bytes() <= this.options.maxBytes) {
        this.prefixes.push(prefix);
        this.bytes += prefix.bytes();
        entry = { prefix, shared: length, rows: new Float32Array(0) };
      }
    }
    if (this.bytes + entry.rows.byteLength <= this.options.maxBytes) {
      this.cache.set(key, entry);
      this.bytes += entry.rows.byteLength;
      this.uncached.delete(key);
    } else {
      this.uncached.add(key);
    }
    return entry;
  }
}

function layerInputBytes(input: LayerInput): number {
  return (
    input.x.byteLength +
    input.xn.byteLength +
    input.invRms.byteLength +
    input.kBase.byteLength +
    input.vBase.byteLength
  );
}
