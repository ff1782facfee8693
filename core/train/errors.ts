import { LabError } from '../errors.ts';

/** A training run could not start or failed; the message names the file, setting or step at fault. */
export class TrainError extends LabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('train-failed', message, options);
  }
}

/** The run was cancelled; whatever it wrote so far stays in its output folder. */
export class TrainCancelled extends LabError {
  constructor(message = 'training was cancelled') {
    super('stopped', message);
  }
}

/** An adapter was refused (wrong base, DoRA, modules_to_save, lm_head on a tied base, ...). */
export class AdapterError extends LabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('adapter-refused', message, options);
  }
}
