// The training loop of the built-in trainer: seeded shuffling into batches, one AdamW step per
// batch on the mean answer-token loss, validation loss after every epoch, progress after every
// step, and limits (epochs, maxSteps, maxSeconds, cancel). It ends by writing the adapter
// (outDir/adapter.gguf) and the loss history (outDir/loss.json); a cancelled run writes the
// history only.
//
// Sensible settings for the tiny test model (2 layers, 64 dims): learning rate 1e-3 to 5e-3, rank
// 8, alpha 16, batch 4, adaptedLayers 1 with every target. Larger models want a smaller rate
// (1e-4 to 5e-4).
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { seededRandom, shuffled } from '../../random.ts';
import { writeGguf } from '../../llm/gguf-writer.ts';
import { TrainCancelled, TrainError } from '../errors.ts';
import type { Hyperparameters, TrainProgress } from '../types.ts';
import { AdamW } from './adamw.ts';
import { inputLength, lossTokenCount, type TokenizedExample } from './example.ts';
import { FrozenStates, type FrozenStatesStats } from './frozen-states.ts';
import type { LlamaWeights } from './gguf-weights.ts';
import { LORA_TARGETS, loraParameters, loraToGguf, zeroLoraGradients } from './lora-adapter.ts';
import { LoraLlama } from './lora-model.ts';

export interface BuiltinTrainerOptions {
  /** How many of the last layers to adapt; the layers below are frozen and cached. Default 1. */
  adaptedLayers?: number;
  /** LoRA targets: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down, output. Default all (no output on tied models). */
  targets?: readonly string[];
  /** Memory for cached frozen-layer states, bytes. Default 1 GiB. */
  cacheBytes?: number;
  /** AdamW decoupled weight decay. Default 0. */
  weightDecay?: number;
  /** Clip the global gradient norm to this (0: off). Default 1. */
  maxGradNorm?: number;
}

export interface TrainLoopInput {
  weights: LlamaWeights;
  train: TokenizedExample[];
  validation: TokenizedExample[];
  hyper: Hyperparameters;
  options?: BuiltinTrainerOptions;
  outDir: string;
  /** Checked between examples; an AbortSignal fits, and so does a flag shared with another thread. */
  signal?: { readonly aborted: boolean };
  onProgress?: (progress: TrainProgress) => void;
  /** Facts for loss.json (e.g. how many examples were too long). */
  notes?: Record<string, unknown>;
}

export interface LossRecord {
  step: number;
  epoch: number;
  loss: number;
  validLoss?: number;
  seconds: number;
}

export type StopReason = 'epochs' | 'max-steps' | 'max-seconds' | 'cancelled';

export interface TrainLoopResult {
  adapterPath: string;
  steps: number;
  finalLoss?: number;
  /** Validation loss before the first step (the base model) and after the last. */
  initialValidLoss?: number;
  validLoss?: number;
  stoppedBy: StopReason;
  history: LossRecord[];
  cache: FrozenStatesStats;
}

const DEFAULT_CACHE_BYTES = 2 ** 30;

/** Throws TrainError naming the first hyper-parameter that cannot work. */
export function checkHyperparameters(hyper: Hyperparameters): void {
  const positiveInteger = (name: string, value: number | undefined): void => {
    if (!Number.isInteger(value) || (value as number) < 1)
      throw new TrainError(`${name} must be a positive integer, got ${value}`);
  };
  positiveInteger('epochs', hyper.epochs);
  positiveInteger('batchSize', hyper.batchSize);
  positiveInteger('rank', hyper.rank);
  if (!(hyper.learningRate > 0 && Number.isFinite(hyper.learningRate)))
    throw new TrainError(`learningRate must be a positive number, got ${hyper.learningRate}`);
  if (!(hyper.alpha > 0 && Number.isFinite(hyper.alpha)))
    throw new TrainError(`alpha must be a positive number, got ${hyper.alpha}`);
  if (hyper.maxSteps !== undefined && !(Number.isInteger(hyper.maxSteps) && hyper.maxSteps >= 0))
    throw new TrainError(`maxSteps must be a whole number (0: no limit), got ${hyper.maxSteps}`);
  if (hyper.maxSeconds !== undefined && !(hyper.maxSeconds >= 0))
    throw new TrainError(`maxSeconds must be a number of seconds (0: no limit), got ${hyper.maxSeconds}`);
  if (hyper.seed !== undefined && !Number.isInteger(hyper.seed))
    throw new TrainError(`seed must be an integer, got ${hyper.seed}`);
}

/** The targets used when none are given: every layer matrix, and output.weight unless tied. */
export function defaultTargets(weights: LlamaWeights): string[] {
  return LORA_TARGETS.filter((t) => t !== 'output' || !weights.outputTied);
}

/**
 * Time left from what visits cost so far: a first visit also runs the frozen layers (several times
 * a cached step on long prompts), so the first epoch alone would overstate the later ones.
 */
class TimeLeft {
  private readonly seen = new Set<number>();
  private firstVisitMs = 0;
  private firstVisits = 0;
  private stepMs = 0;
  private steps = 0;

  constructor(private readonly examples: number) {}

  /** An example's visit: the frozen-layer work (0 when cached) and the training step. */
  visited(example: number, frozenMs: number, stepMs: number): void {
    if (frozenMs > 0) {
      this.firstVisitMs += frozenMs;
      this.firstVisits++;
    }
    this.seen.add(example);
    this.stepMs += stepMs;
    this.steps++;
  }

  secondsLeft(visitsLeft: number): number {
    const unseen = Math.min(this.examples - this.seen.size, visitsLeft);
    const perStep = this.steps ? this.stepMs / this.steps : 0;
    const perFirstVisit = this.firstVisits ? this.firstVisitMs / this.firstVisits : 0;
    return (visitsLeft * perStep + unseen * perFirstVisit) / 1000;
  }
}

export function runTrainLoop(input: TrainLoopInput): TrainLoopResult {
  const { weights, train, validation, hyper, outDir, signal, onProgress } = input;
  const options = input.options ?? {};
  checkHyperparameters(hyper);
  if (train.length === 0) throw new TrainError('the training file has no usable examples');
  const seed = hyper.seed ?? 0;
  const model = new LoraLlama(weights, {
    adaptedLayers: options.adaptedLayers ?? 1,
    targets: options.targets ?? defaultTargets(weights),
    rank: hyper.rank,
    alpha: hyper.alpha,
    seed,
  });
  const frozen = new FrozenStates(model.blocks, model.firstAdapted, {
    maxBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
    maxPrefixes: 4,
  });
  const optimizer = new AdamW(loraParameters(model.lora), {
    learningRate: hyper.learningRate,
    weightDecay: options.weightDecay ?? 0,
    maxGradNorm: options.maxGradNorm ?? 1,
  });
  const stepsPerEpoch = Math.ceil(train.length / hyper.batchSize);
  const totalSteps = Math.min(hyper.epochs * stepsPerEpoch, hyper.maxSteps || Infinity);
  const random = seededRandom(seed + 1);
  const start = performance.now();
  const seconds = (): number => (performance.now() - start) / 1000;
  const history: LossRecord[] = [];
  let tokensRead = 0;
  const eta = new TimeLeft(train.length);

  const checkCancel = (): void => {
    if (signal?.aborted) {
      writeHistory('cancelled');
      throw new TrainCancelled();
    }
  };
  const validationKey = (i: number): number => train.length + i;
  /** Mean answer-token loss over the validation set (forward only). */
  const validate = (): number | undefined => {
    if (validation.length === 0) return undefined;
    let loss = 0;
    let tokens = 0;
    for (let i = 0; i < validation.length; i++) {
      checkCancel();
      const example = validation[i];
      loss += model.forward(
        example,
        frozen.layerInput(validationKey(i), example.tokens, inputLength(example)),
      ).loss;
      tokens += lossTokenCount(example);
    }
    return loss / tokens;
  };
  /** Validation losses so far: of the base model, and the latest. */
  const valid: { initial?: number; latest?: number } = {};
  const result = (stoppedBy: StopReason): TrainLoopResult => ({
    adapterPath: join(outDir, 'adapter.gguf'),
    steps: history.length,
    finalLoss: history.at(-1)?.loss,
    initialValidLoss: valid.initial,
    validLoss: valid.latest,
    stoppedBy,
    history,
    cache: frozen.stats(),
  });
  const writeHistory = (stoppedBy: StopReason): void => {
    const summary = {
      base: weights.path,
      examples: { train: train.length, validation: validation.length },
      hyper,
      options: { ...options, targets: options.targets ?? defaultTargets(weights) },
      ...input.notes,
      ...result(stoppedBy),
      seconds: seconds(),
    };
    writeFileSync(join(outDir, 'loss.json'), JSON.stringify(summary, null, 2) + '\n');
  };

  valid.initial = valid.latest = validate();
  let stoppedBy: StopReason = 'epochs';
  let step = 0;
  training: for (let epoch = 1; epoch <= hyper.epochs; epoch++) {
    const order = shuffled(
      random,
      train.map((_, i) => i),
    );
    for (let b = 0; b < order.length; b += hyper.batchSize) {
      if (step >= totalSteps) {
        stoppedBy = 'max-steps';
        break training;
      }
      if (hyper.maxSeconds && seconds() >= hyper.maxSeconds) {
        stoppedBy = 'max-seconds';
        break training;
      }
      const batch = order.slice(b, b + hyper.batchSize);
      const lossTokens = batch.reduce((sum, i) => sum + lossTokenCount(train[i]), 0);
      zeroLoraGradients(model.lora);
      let loss = 0;
      for (const i of batch) {
        checkCancel();
        const example = train[i];
        const visitStart = performance.now();
        const rowsBefore = frozen.stats().rowsComputed;
        const layerInput = frozen.layerInput(i, example.tokens, inputLength(example));
        const firstVisit = frozen.stats().rowsComputed > rowsBefore;
        const stepStart = performance.now();
        const forward = model.forward(example, layerInput);
        model.backward(forward, 1 / lossTokens);
        eta.visited(
          i,
          firstVisit ? stepStart - visitStart : 0,
          performance.now() - (firstVisit ? stepStart : visitStart),
        );
        loss += forward.loss;
        tokensRead += inputLength(example);
      }
      optimizer.step();
      step++;
      const elapsed = seconds();
      history.push({ step, epoch, loss: loss / lossTokens, seconds: elapsed });
      onProgress?.({
        step,
        totalSteps,
        epoch,
        loss: loss / lossTokens,
        validLoss: valid.latest,
        tokensPerSecond: tokensRead / elapsed,
        etaSeconds: eta.secondsLeft((totalSteps - step) * hyper.batchSize),
      });
    }
    if (validation.length > 0) {
      const validLoss = (valid.latest = validate());
      history[history.length - 1].validLoss = validLoss;
      onProgress?.({
        step,
        totalSteps,
        epoch,
        loss: history[history.length - 1].loss,
        validLoss,
        message: `epoch ${epoch}: validation loss ${validLoss?.toFixed(4)}`,
      });
    }
  }
  if (stoppedBy !== 'epochs' && validation.length > 0 && history.at(-1)?.validLoss === undefined) {
    valid.latest = validate();
    if (history.length) history[history.length - 1].validLoss = valid.latest;
  }
  const name = `${basename(weights.path).replace(/\.gguf$/i, '')} LoRA (built-in trainer)`;
  writeGguf(join(outDir, 'adapter.gguf'), loraToGguf(model.lora, name));
  writeHistory(stoppedBy);
  return result(stoppedBy);
}
