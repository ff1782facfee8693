// The built-in trainer's worker thread: reads the base model, tokenises the examples, runs the
// training loop and posts progress, the outcome or the failure to its parent (builtin-trainer.ts).
// The loop never yields to the event loop, so a cancel arrives through a shared flag it polls.
import { parentPort, workerData } from 'node:worker_threads';
import { TrainCancelled, TrainError } from '../errors.ts';
import type { TrainProgress } from '../types.ts';
import { ChatTokenizer, readChatExamples, type ChatExamples } from './chat-tokens.ts';
import { readLlamaWeights } from './gguf-weights.ts';
import { runTrainLoop } from './train-loop.ts';
import type { FromWorker, ToWorker, WorkerInput } from './worker-messages.ts';

if (!parentPort) throw new Error('the built-in trainer worker must run in a worker thread');
const port = parentPort;
const { request, options, cancelFlag } = workerData as WorkerInput;
const flag = new Int32Array(cancelFlag);
const signal = {
  get aborted(): boolean {
    return Atomics.load(flag, 0) === 1;
  },
};
const post = (message: FromWorker): void => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') Atomics.store(flag, 0, 1);
});

/** A stage message; the loss is NaN until the first step reports one (0 would read as a perfect fit). */
const stage = (message: string): void =>
  post({ type: 'progress', progress: { step: 0, totalSteps: 0, epoch: 0, loss: Number.NaN, message } });

/** The training and validation examples as token ids, with the model's own tokenizer (freed after). */
async function tokenisedExamples(
  maxTokens: number,
): Promise<{ train: ChatExamples; validation: ChatExamples }> {
  const tokenizer = await ChatTokenizer.open(request.baseModel);
  try {
    return {
      train: await readChatExamples(request.trainFile, tokenizer, maxTokens),
      validation: request.validationFile
        ? await readChatExamples(request.validationFile, tokenizer, maxTokens)
        : { examples: [], tooLong: 0 },
    };
  } finally {
    await tokenizer.dispose();
  }
}

async function train(): Promise<FromWorker> {
  stage('reading the base model');
  const weights = await readLlamaWeights(request.baseModel);
  stage('tokenising the examples');
  const { train, validation } = await tokenisedExamples(weights.hp.contextLength);
  if (signal.aborted) throw new TrainCancelled();
  if (train.examples.length === 0)
    throw new TrainError(
      `${request.trainFile}: no usable examples` +
        (train.tooLong
          ? ` (${train.tooLong} longer than the model's ${weights.hp.contextLength}-token context)`
          : ''),
    );
  stage(
    `training on ${train.examples.length} examples (the first epoch also runs the frozen layers once per example)`,
  );
  const result = runTrainLoop({
    weights,
    train: train.examples,
    validation: validation.examples,
    hyper: request.hyper,
    options,
    outDir: request.outDir,
    signal,
    onProgress: (progress: TrainProgress) => post({ type: 'progress', progress }),
    notes: { tooLong: { train: train.tooLong, validation: validation.tooLong } },
  });
  return {
    type: 'done',
    outcome: {
      kind: 'gguf-lora',
      path: result.adapterPath,
      steps: result.steps,
      finalLoss: result.finalLoss,
    },
  };
}

train()
  .catch((err: unknown): FromWorker => {
    if (err instanceof TrainCancelled) return { type: 'cancelled' };
    if (err instanceof TrainError) return { type: 'failed', message: err.message, expected: true };
    const e = err instanceof Error ? err : new Error(String(err));
    return { type: 'failed', message: e.message, expected: false, stack: e.stack };
  })
  .then((message) => {
    post(message);
    // Nothing else keeps the thread alive: it exits once the message is out.
    port.removeAllListeners('message');
    port.unref();
  });
