// One interface for every model the planner talks to: a local GGUF through node-llama-cpp or an
// OpenAI-compatible endpoint. Plain data in, plain data out.
import type { ChatMessage, ModelDescription, SamplingOptions } from '../../api/types.ts';

export interface GenerationOptions extends SamplingOptions {
  /** Constrain the output to JSON matching this JSON schema (a grammar for local models). */
  jsonSchema?: Record<string, unknown>;
  /** Called with each piece of text as it is generated. */
  onText?: (text: string) => void;
  signal?: AbortSignal;
}

export interface GenerationResult {
  text: string;
  /** Tokens generated. */
  tokens: number;
  seconds: number;
  finishReason: 'stop' | 'length' | 'abort';
}

export interface ChatModel {
  describe(): ModelDescription;
  chat(messages: ChatMessage[], options?: GenerationOptions): Promise<GenerationResult>;
  dispose(): Promise<void>;
}
