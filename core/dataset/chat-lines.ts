// The two line shapes fine-tuning files use, one place for both the exports and the training sets.
import type { ChatMessage } from '../../api/types.ts';

/** One supervised example in OpenAI chat JSONL: the prompt, then the answer as the assistant's turn. */
export function chatLine(prompt: ChatMessage[], answer: string): { messages: ChatMessage[] } {
  return { messages: [...prompt, { role: 'assistant', content: answer }] };
}

/** One preference pair in OpenAI DPO JSONL. */
export function preferenceLine(prompt: ChatMessage[], preferred: string, rejected: string) {
  return {
    input: { messages: prompt },
    preferred_output: [{ role: 'assistant' as const, content: preferred }],
    non_preferred_output: [{ role: 'assistant' as const, content: rejected }],
  };
}
