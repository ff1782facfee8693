// Shared set-up for the local-LLM tests: tiny random-weight GGUF files in a temp folder.
// Random weights test the plumbing (loading, templates, grammar, LoRA, abort), never plan quality.
import { join } from 'node:path';
import { tempDir } from '../../helpers.ts';
import {
  writeTinyLlama,
  writeTinyLora,
  type TinyLlamaOptions,
  type TinyLoraOptions,
} from '../../../core/llm/tiny-model.ts';
import type { ChatMessage } from '../../../api/types.ts';

/** Token ids of </s> and <|im_end|> in the tiny vocab. */
export const END_TOKENS = { eos: 2, imEnd: 365 };

export function tinyModelFile(options: TinyLlamaOptions = {}, name = 'tiny.gguf'): string {
  const path = join(tempDir('blazer-llm-'), name);
  writeTinyLlama(path, options);
  return path;
}

export function tinyLoraFile(options: TinyLoraOptions = {}, name = 'tiny-lora.gguf'): string {
  const path = join(tempDir('blazer-llm-'), name);
  writeTinyLora(path, options);
  return path;
}

export const planMessages: ChatMessage[] = [
  { role: 'system', content: 'You write robot plans as JSON.' },
  { role: 'user', content: 'Pick up the red cube and put it in the bin.' },
];

/** The plan shape the planner uses: an enum and an array of numbers. */
export const planSchema = {
  type: 'object',
  properties: {
    steps: {
      type: 'array',
      maxItems: 3,
      items: {
        type: 'object',
        properties: {
          primitive: { enum: ['move_gripper', 'open_gripper', 'close_gripper'] },
          position: { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 },
          yaw: { type: 'number' },
        },
      },
    },
  },
};
