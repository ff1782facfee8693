// How fast the built-in trainer runs on a batch: the one-off frozen-layer pass per example (the
// first visit), then a forward-only pass and a forward+backward pass over the same cached batch.
// For benchmarks (bench/train.ts) and for sizing runs; it trains nothing (the gradients are dropped).
import { seededRandom } from '../../random.ts';
import { inputLength, lossTokenCount, type TokenizedExample } from './example.ts';
import { FrozenStates } from './frozen-states.ts';
import type { LlamaWeights } from './gguf-weights.ts';
import { LORA_TARGETS } from './lora-adapter.ts';
import { zeroLoraGradients } from './lora-adapter.ts';
import { LoraLlama } from './lora-model.ts';

export interface SpeedOptions {
  adaptedLayers?: number;
  targets?: readonly string[];
  rank?: number;
  /** Timed repetitions of the forward and forward+backward passes; the fastest counts. Default 3. */
  repeats?: number;
}

export interface SpeedReport {
  examples: number;
  /** Tokens the model reads per batch (prompt + answer, all examples). */
  tokens: number;
  /** Loss (answer + end) tokens per batch. */
  lossTokens: number;
  /** All first visits together (the sum of firstVisitSeconds). */
  frozenSeconds: number;
  /**
   * First visit of each example: its frozen-layer rows, once. The first example runs its whole
   * sequence; later ones only the rows past the prompt prefix they share with it.
   */
  firstVisitSeconds: number[];
  /** Rows the frozen layers ran on the first visits (all examples). */
  frozenRows: number;
  forwardSeconds: number;
  forwardBackwardSeconds: number;
  /** Tokens read per second in a training step once the frozen rows are cached. */
  trainingTokensPerSecond: number;
}

/** A random example of the given sizes, sharing its first `sharedPrompt` tokens with others of the same seed. */
export function syntheticExample(
  vocab: number,
  promptTokens: number,
  answerTokens: number,
  seed: number,
  sharedPrompt = 0,
): TokenizedExample {
  const shared = seededRandom(1);
  const own = seededRandom(seed);
  const tokens = Int32Array.from({ length: promptTokens + answerTokens }, (_, i) =>
    Math.floor((i < sharedPrompt ? shared() : own()) * vocab),
  );
  return { tokens, promptLength: promptTokens };
}

export function measureStepSpeed(
  weights: LlamaWeights,
  batch: TokenizedExample[],
  options: SpeedOptions = {},
): SpeedReport {
  const model = new LoraLlama(weights, {
    adaptedLayers: options.adaptedLayers ?? 1,
    targets: options.targets ?? LORA_TARGETS.filter((t) => t !== 'output' || !weights.outputTied),
    rank: options.rank ?? 8,
    alpha: 16,
    seed: 1,
  });
  // Non-zero B, so every LoRA term costs what it costs in training.
  for (const f of model.lora.factors.values()) f.b.fill(0.01);
  const frozen = new FrozenStates(model.blocks, model.firstAdapted, { maxBytes: 2 ** 31, maxPrefixes: 4 });
  const repeats = options.repeats ?? 3;
  const time = (run: () => void): number => {
    const start = performance.now();
    run();
    return (performance.now() - start) / 1000;
  };
  const firstVisitSeconds = batch.map((e, i) => time(() => frozen.layerInput(i, e.tokens, inputLength(e))));
  const forward = (withBackward: boolean): void => {
    zeroLoraGradients(model.lora);
    batch.forEach((e, i) => {
      const result = model.forward(e, frozen.layerInput(i, e.tokens, inputLength(e)));
      if (withBackward) model.backward(result, 1);
    });
  };
  let forwardSeconds = Infinity;
  let forwardBackwardSeconds = Infinity;
  for (let r = 0; r < repeats; r++) {
    forwardSeconds = Math.min(
      forwardSeconds,
      time(() => forward(false)),
    );
    forwardBackwardSeconds = Math.min(
      forwardBackwardSeconds,
      time(() => forward(true)),
    );
  }
  const tokens = batch.reduce((sum, e) => sum + inputLength(e), 0);
  return {
    examples: batch.length,
    tokens,
    lossTokens: batch.reduce((sum, e) => sum + lossTokenCount(e), 0),
    frozenSeconds: firstVisitSeconds.reduce((sum, t) => sum + t, 0),
    firstVisitSeconds,
    frozenRows: frozen.stats().rowsComputed,
    forwardSeconds,
    forwardBackwardSeconds,
    trainingTokensPerSecond: tokens / forwardBackwardSeconds,
  };
}
