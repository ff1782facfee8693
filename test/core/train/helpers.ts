// Training data and requests shared by the trainer tests: small chat and DPO JSONL files in the
// format core/dataset/export.ts writes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers.ts';
import type { Hyperparameters, TrainMethod, TrainProgress, TrainRequest } from '../../../core/train/types.ts';

export const HYPER: Hyperparameters = {
  epochs: 2,
  learningRate: 1.8,
  batchSize: 2,
  rank: 4,
  alpha: 8,
  seed: 7,
};

const chatExample = (i: number) => ({
  messages: [
    { role: 'system', content: 'You write robot plans as JSON.' },
    { role: 'user', content: `Put block ${i} in the bin.` },
    { role: 'assistant', content: `{"steps": [{"primitive": "open_gripper", "block": ${i}}]}` },
  ],
});

const dpoExample = (i: number) => ({
  input: { messages: [{ role: 'user', content: `Put block ${i} in the bin.` }] },
  preferred_output: [{ role: 'assistant', content: `{"steps": [{"primitive": "open_gripper"}]}` }],
  non_preferred_output: [{ role: 'assistant', content: 'I cannot do that.' }],
});

/** A JSONL file of `count` examples (chat, or DPO pairs) in a new temp folder; `lines` replaces them. */
export function jsonlFile(method: TrainMethod, count = 6, name = 'train.jsonl', lines?: string[]): string {
  const path = join(tempDir('blazer-train-'), name);
  const examples = Array.from({ length: count }, (_, i) =>
    JSON.stringify(method === 'dpo' ? dpoExample(i) : chatExample(i)),
  );
  writeFileSync(path, (lines ?? examples).join('\n') + '\n');
  return path;
}

/** A request plus the progress it reported. */
export function trainRequest(
  overrides: Partial<TrainRequest> & { trainFile: string },
): TrainRequest & { seen: TrainProgress[] } {
  const seen: TrainProgress[] = [];
  return {
    method: 'supervised',
    baseModel: 'gpt-4o-mini',
    outDir: tempDir('blazer-train-out-'),
    hyper: HYPER,
    onProgress: (progress) => seen.push(progress),
    seen,
    ...overrides,
  };
}
