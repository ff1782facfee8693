// Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LM Studio, a llama.cpp server, or this
// app's own `lab serve-model`) as a ChatModel. The key is used for requests only: it is never part
// of the model's description, logs or the dataset.
import OpenAI from 'openai';
import { LabError } from '../errors.ts';
import type { ChatModel, GenerationOptions, GenerationResult } from './types.ts';
import type { ChatMessage, ModelDescription } from '../../api/types.ts';

export interface OpenAIModelOptions {
  baseURL: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}

export class OpenAIModel implements ChatModel {
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIModelOptions) {
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? 'not-needed',
      timeout: options.timeoutMs ?? 120_000,
      maxRetries: 1,
    });
  }

  describe(): ModelDescription {
    return { id: `openai:${this.options.model}@${this.options.baseURL}`, kind: 'openai' };
  }

  async chat(messages: ChatMessage[], options: GenerationOptions = {}): Promise<GenerationResult> {
    try {
      return await this.stream(messages, options);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw endpointError(err, this.options.baseURL);
    }
  }

  private async stream(messages: ChatMessage[], options: GenerationOptions): Promise<GenerationResult> {
    const started = performance.now();
    const stream = await this.client.chat.completions.create(
      {
        model: this.options.model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.topP !== undefined ? { top_p: options.topP } : {}),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
        ...(options.jsonSchema
          ? {
              response_format: {
                type: 'json_schema' as const,
                json_schema: { name: 'plan', schema: options.jsonSchema },
              },
            }
          : {}),
      },
      { signal: options.signal },
    );
    let text = '';
    let tokens = 0;
    let finishReason: GenerationResult['finishReason'] = 'stop';
    try {
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta?.content ?? '';
        if (piece) {
          text += piece;
          options.onText?.(piece);
        }
        if (chunk.choices[0]?.finish_reason === 'length') finishReason = 'length';
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
      }
    } catch (err) {
      if (options.signal?.aborted) finishReason = 'abort';
      else throw err;
    }
    return { text, tokens, seconds: (performance.now() - started) / 1000, finishReason };
  }

  async dispose(): Promise<void> {}
}

/**
 * What went wrong with an endpoint, without its body: an upstream's error text is not ours to pass
 * on (it can be anything the other server chose to say, echoed to whoever asked). The status and a
 * short error code are enough to act on.
 */
function endpointError(err: unknown, baseURL: string): LabError {
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const code = typeof err.code === 'string' && /^[\w.-]{1,40}$/.test(err.code) ? ` (${err.code})` : '';
    return new LabError('endpoint-error', `the endpoint ${baseURL} answered HTTP ${err.status}${code}`);
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return new LabError('endpoint-unreachable', `the endpoint ${baseURL} did not answer in time`);
  if (err instanceof OpenAI.APIConnectionError)
    return new LabError(
      'endpoint-unreachable',
      `cannot reach the endpoint ${baseURL} (is it running, and is the URL right?)`,
    );
  return new LabError(
    'endpoint-error',
    `the endpoint ${baseURL} failed: ${err instanceof Error ? err.name : 'unknown error'}`,
  );
}

/** Parse 'openai:MODEL@BASE_URL' (the CLI's model spelling). */
export function parseOpenAISpec(spec: string): { model: string; baseURL: string } | undefined {
  const match = /^openai:([^@]+)@(https?:\/\/.+)$/.exec(spec);
  return match ? { model: match[1], baseURL: match[2] } : undefined;
}
