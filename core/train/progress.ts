// The running numbers of a training run, so that a message (a remote job's event, a line the
// trainer printed) goes out with the latest step and loss, and the outcome can name the final ones.
import type { TrainProgress } from './types.ts';

export class ProgressReporter {
  // The loss is NaN until the trainer reports one: a made-up 0 would read as a perfect fit.
  private current: TrainProgress = { step: 0, totalSteps: 0, epoch: 0, loss: Number.NaN };

  constructor(private readonly listener?: (progress: TrainProgress) => void) {}

  get latest(): TrainProgress {
    return { ...this.current };
  }

  /** The last loss a trainer reported, if any. */
  get finalLoss(): number | undefined {
    return Number.isFinite(this.current.loss) ? this.current.loss : undefined;
  }

  /** Merges new numbers (without the last message) and tells the listener, with the message if any. */
  report(update: Partial<Omit<TrainProgress, 'message'>>, message?: string): void {
    this.current = { ...this.current, ...definedOnly(update) };
    this.listener?.(message === undefined ? { ...this.current } : { ...this.current, message });
  }

  /** A line worth showing, with the numbers as they stand. */
  message(text: string): void {
    this.report({}, text);
  }
}

function definedOnly<T extends object>(update: T): Partial<T> {
  return Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined)) as Partial<T>;
}
