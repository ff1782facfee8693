// The built-in trainer: real LoRA training (forward, backward, AdamW) of a small llama GGUF on the
// CPU, in a worker thread, writing a GGUF LoRA that node-llama-cpp loads (builtin/ holds the
// parts). Meant for small models (the tiny test model up to a few tens of millions of parameters)
// with F32/F16 weights; quantised or larger models belong to the command or OpenAI trainers.
//
// Hyper-parameters are the caller's. For the tiny test model: learningRate 1e-3..5e-3, rank 8,
// alpha 16, batchSize 4 (see builtin/train-loop.ts).
import { mkdir } from 'node:fs/promises';
import { startModuleWorker } from '../worker-thread.ts';
import { TrainCancelled, TrainError } from './errors.ts';
import type { Trainer, TrainOutcome, TrainRequest } from './types.ts';
import { checkHyperparameters, type BuiltinTrainerOptions } from './builtin/train-loop.ts';
import type { FromWorker, ToWorker, WorkerInput } from './builtin/worker-messages.ts';

export type { BuiltinTrainerOptions } from './builtin/train-loop.ts';

/** How long a cancelled worker may take to stop at its next check before it is terminated. */
const CANCEL_GRACE_MS = 10_000;

export class BuiltinTrainer implements Trainer {
  readonly kind = 'builtin';
  private workers = 0;

  constructor(private readonly options: BuiltinTrainerOptions = {}) {}

  /** Worker threads of this trainer that have not exited yet (for diagnostics and tests). */
  get activeWorkers(): number {
    return this.workers;
  }

  async train(request: TrainRequest): Promise<TrainOutcome> {
    if (request.method !== 'supervised')
      throw new TrainError(
        `the built-in trainer does supervised fine-tuning only (asked for '${request.method}'); use the command or OpenAI trainer for DPO`,
      );
    checkHyperparameters(request.hyper);
    if (request.signal?.aborted) throw new TrainCancelled();
    try {
      await mkdir(request.outDir, { recursive: true });
    } catch (err) {
      throw new TrainError(
        `${request.outDir}: cannot create the output folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        { cause: err },
      );
    }

    const cancelFlag = new SharedArrayBuffer(4);
    const input: WorkerInput = {
      request: {
        method: request.method,
        trainFile: request.trainFile,
        validationFile: request.validationFile,
        baseModel: request.baseModel,
        outDir: request.outDir,
        hyper: request.hyper,
      },
      options: this.options,
      cancelFlag,
    };
    const worker = startModuleWorker(new URL('./builtin/worker.ts', import.meta.url), { workerData: input });
    this.workers++;

    return new Promise<TrainOutcome>((resolve, reject) => {
      let last: FromWorker | undefined;
      let crash: Error | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const cancel = (): void => {
        Atomics.store(new Int32Array(cancelFlag), 0, 1);
        worker.postMessage({ type: 'cancel' } satisfies ToWorker);
        killTimer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
      };
      request.signal?.addEventListener('abort', cancel, { once: true });

      worker.on('message', (message: FromWorker) => {
        if (message.type === 'progress') {
          try {
            request.onProgress?.(message.progress);
          } catch {
            // A failing progress listener must not stop the training.
          }
        } else {
          last = message;
        }
      });
      worker.on('error', (err) => {
        crash = err;
      });
      // Settle only once the thread is gone, so a settled promise means no worker is left running.
      worker.on('exit', (code) => {
        this.workers--;
        clearTimeout(killTimer);
        request.signal?.removeEventListener('abort', cancel);
        if (last?.type === 'done') resolve(last.outcome);
        else if (last?.type === 'cancelled' || (request.signal?.aborted && !last))
          reject(new TrainCancelled());
        else if (last?.type === 'failed')
          reject(
            last.expected
              ? new TrainError(last.message)
              : new TrainError(`the built-in trainer failed: ${last.message}`, { cause: last.stack }),
          );
        else
          reject(
            new TrainError(
              `the built-in trainer's worker stopped (exit code ${code}) before finishing` +
                (crash ? `: ${crash.message}` : ''),
              { cause: crash },
            ),
          );
      });
    });
  }
}
