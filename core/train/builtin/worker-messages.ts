// What the built-in trainer's parent and its worker thread say to each other.
import type { TrainOutcome, TrainProgress, TrainRequestData } from '../types.ts';
import type { BuiltinTrainerOptions } from './train-loop.ts';

/** The worker's workerData: the request without its callbacks, and the shared cancel flag. */
export interface WorkerInput {
  request: TrainRequestData;
  options: BuiltinTrainerOptions;
  /** Int32 slot 0 becomes 1 to cancel; the loop reads it between examples without yielding. */
  cancelFlag: SharedArrayBuffer;
}

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'done'; outcome: TrainOutcome }
  | { type: 'cancelled' }
  /** expected: a TrainError (bad file, unsupported model); otherwise a bug, reported with its stack. */
  | { type: 'failed'; message: string; expected: boolean; stack?: string };
