// The frozen-layer cache is exact: an example computed from a shared prompt prefix gets the same
// first-adapted-layer input, bit for bit, as one computed alone; and it stays exact (recomputed on
// every visit) once the memory cap is reached.
import { describe, expect, it } from 'vitest';
import { FrozenStates } from '../../../../core/train/builtin/frozen-states.ts';
import { readLlamaWeights } from '../../../../core/train/builtin/gguf-weights.ts';
import { LlamaBlocks, type LayerInput } from '../../../../core/train/builtin/llama-block.ts';
import { syntheticExample } from '../../../../core/train/builtin/speed.ts';
import { tinyBase } from './helpers.ts';

const examples = [1, 2, 3].map((seed) => syntheticExample(366, 300, 40, seed, 240));
const length = (i: number): number => examples[i].tokens.length - 1;

function inputsOf(store: FrozenStates): LayerInput[] {
  return examples.map((e, i) => store.layerInput(i, e.tokens, length(i)));
}

describe('the frozen-layer cache', async () => {
  const blocks = new LlamaBlocks(await readLlamaWeights(tinyBase()));
  const alone = inputsOf(new FrozenStates(blocks, 1, { maxBytes: 2 ** 30, maxPrefixes: 0 }));

  it('gives the same layer input from a shared prefix as from the whole sequence', () => {
    const store = new FrozenStates(blocks, 1, { maxBytes: 2 ** 30, maxPrefixes: 1 });
    const shared = inputsOf(store);
    for (let i = 0; i < examples.length; i++)
      for (const part of ['x', 'xn', 'invRms', 'kBase', 'vBase'] as const)
        expect(shared[i][part], `example ${i} ${part}`).toEqual(alone[i][part]);
    // The first example is computed whole; the others only past the 240 shared tokens.
    expect(store.stats()).toMatchObject({ prefixes: 1, cachedExamples: 3, uncached: 0 });
    expect(store.stats().rowsComputed).toBe(length(0) + (length(1) - 240) + (length(2) - 240));
    // A second visit costs no frozen-layer work.
    inputsOf(store);
    expect(store.stats().rowsComputed).toBe(length(0) + (length(1) - 240) + (length(2) - 240));
  });

  it('recomputes what does not fit under the memory cap, with the same result', () => {
    // Room for the shared prefix and the second example's own rows, not for the third's.
    // The prefix: its 339 tokens; output, attn_norm, k and v projections (64 floats a row each) and
    // 1/rms; and one frozen layer's keys and values.
    const prefixBytes = 339 * 4 + 339 * 64 * 4 * 4 + 339 * 4 + 339 * 64 * 4 * 2;
    const store = new FrozenStates(blocks, 1, { maxBytes: prefixBytes + 100 * 64 * 4, maxPrefixes: 1 });
    const first = inputsOf(store);
    const again = inputsOf(store);
    expect(store.stats()).toMatchObject({ prefixes: 1, cachedExamples: 2, uncached: 1 });
    for (let i = 0; i < examples.length; i++) {
      expect(first[i].x).toEqual(alone[i].x);
      expect(again[i].kBase).toEqual(alone[i].kBase);
    }
  });
});
