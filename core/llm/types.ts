// One interface for every model the planner talks to: a local GGUF through node-llama-cpp or an
// OpenAI-compatible endpoint. Plain data in, plain data out.

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  seed?: number;
  maxTokens?: number;
}

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

/** What is known about a model, for the registry and for every stored attempt. */
export interface ModelDescription {
  /** 'local:<file name>' or 'openai:<model>@<base URL>'. */
  id: string;
  kind: 'local' | 'openai';
  architecture?: string;
  parameters?: number;
  contextLength?: number;
  chatTemplate?: string;
  quantisation?: string;
  adapters?: { file: string; scale: number }[];
}

export interface ChatModel {
  describe(): ModelDescription;
  chat(messages: ChatMessage[], options?: GenerationOptions): Promise<GenerationResult>;
  dispose(): Promise<void>;
}
