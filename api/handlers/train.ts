// Fine-tuning calls: training sets (snapshots of the dataset), training jobs with live progress, and
// the jobs' history. Only the lab's operator may start a command or a remote API trainer: those run a
// program on the host or spend the host's API key.
import { basename } from 'node:path';
import { studentFolder } from '../../core/lessons/students.ts';
import { labHome } from '../../core/paths.ts';
import { createTrainingSet, listTrainingSets } from '../../core/train/training-set.ts';
import { listTrainJobs, runTrainJob } from '../../core/train/train-job.ts';
import { ApiError } from '../errors.ts';
import type { Handlers } from '../dispatch.ts';
import { filePath, modelSpec } from '../access.ts';
import { withDataset } from './dataset.ts';

export const handlers: Handlers<'train'> = {
  'train.createSet': async ({ db, ...request }, context) =>
    withDataset(filePath(context, db, 'db'), (dataset) => createTrainingSet(dataset, request), {
      write: true,
    }),
  'train.sets': async ({ db }, context) => withDataset(filePath(context, db, 'db'), listTrainingSets),
  'train.jobs': async ({ db }, context) => withDataset(filePath(context, db, 'db'), listTrainJobs),
  'train.run': (input, context) => {
    if (!context.shell.local && input.trainer !== 'builtin')
      throw new ApiError(
        'forbidden',
        `trainer: a client of the lab server may use the built-in trainer only (the ${input.trainer} trainer runs on the operator's account)`,
      );
    return runTrainJob({
      ...input,
      db: filePath(context, input.db, 'db'),
      base: input.trainer === 'openai' ? input.base : modelSpec(context, input.base, 'base'),
      // A class's students train in their own datasets: job 1 of set 'mine' would be 'mine-1' for all.
      ...(context.shell.student
        ? { namePrefix: `${basename(studentFolder(labHome(), context.shell.student))}-` }
        : {}),
      signal: context.signal,
      onProgress: (jobId, progress) => context.emit({ type: 'train.progress', jobId, progress }),
    });
  },
};
