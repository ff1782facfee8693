// A local GGUF model through node-llama-cpp, behind the ChatModel interface.
//
// - One Llama backend per process (per gpu setting), created lazily and shared by every LocalModel.
//   It outlives the models (re-initialising costs 0.5–1.5 s); disposeSharedLlama() frees it when
//   idle. A backend passed in as `llama` belongs to the caller and is never disposed here.
// - Files are checked with readGgufInfo first, so a missing, truncated or corrupt file gives a
//   ModelFileError instead of llama.cpp's bare "Failed to load model" (or an abort).
// - Each model owns one context with one sequence; chat() calls are serialised. Every call passes
//   the whole conversation and LlamaChat reuses the matching KV-cache prefix.
// - Threads are always explicit: llama.cpp's default thread count oversubscribes small machines
//   (4 threads on 2 cores generate ~4 tok/s instead of ~2,000).
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  type ChatHistoryItem,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import { LabError } from '../errors.ts';
import { readGgufInfo } from './gguf-info.ts';
import type { ChatModel, GenerationOptions, GenerationResult } from './types.ts';
import type { ChatMessage, ModelDescription } from '../../api/types.ts';
import type { GgufInfo } from '../../api/types.ts';

/** Tokens the chat template adds around the messages (role markers), at most, for the models here. */
const CHAT_TEMPLATE_MARGIN = 64;

export interface LoraAdapter {
  filePath: string;
  /** Multiplies the adapter's delta (which is already scaled by alpha / rank). */
  scale: number;
}

export interface LocalModelOptions {
  /** CPU threads for evaluation. Always set it (1 or 2 on small machines). */
  threads: number;
  /** Context window in tokens; default min(4096, the model's training context). */
  contextSize?: number;
  /** 'auto' uses a GPU when one is usable; default false (CPU). */
  gpu?: 'auto' | false;
  adapters?: LoraAdapter[];
  /** Use this backend instead of the shared one; it is never disposed by LocalModel. */
  llama?: Llama;
}

/** Loading or running a model failed in llama.cpp; the message carries its logged reason. */
export class LocalModelError extends LabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('model-failed', message, options);
  }
}

// ---- the shared backend -------------------------------------------------------------------------

interface SharedLlama {
  llama: Promise<Llama>;
  users: number;
}

const shared = new Map<string, SharedLlama>();
/** Recent llama.cpp warnings and errors, newest last; the thrown errors only say "Failed to …". */
const recentLog: string[] = [];

function logSink(level: LlamaLogLevel, message: string): void {
  if (level !== LlamaLogLevel.error && level !== LlamaLogLevel.warn) return;
  const line = message.trim();
  if (!line) return;
  recentLog.push(line);
  if (recentLog.length > 50) recentLog.shift();
}

/**
 * The last few llama.cpp warnings/errors logged since `since`, for error messages. The native log
 * callback is delivered asynchronously and can arrive after the failed call rejects, so wait a little.
 */
async function loggedReason(since: number): Promise<string> {
  for (let i = 0; i < 10 && recentLog.length <= since; i++) await new Promise((r) => setTimeout(r, 10));
  const lines = recentLog.slice(since).slice(-3);
  return lines.length ? ` (llama.cpp: ${lines.join('; ')})` : '';
}

async function acquireLlama(gpu: 'auto' | false): Promise<Llama> {
  const key = String(gpu);
  let entry = shared.get(key);
  if (!entry) {
    const llama = getLlama({
      gpu,
      build: 'never',
      maxThreads: availableParallelism(),
      logLevel: LlamaLogLevel.warn,
      logger: logSink,
    });
    entry = { llama, users: 0 };
    shared.set(key, entry);
    llama.catch(() => shared.delete(key));
  }
  entry.users++;
  return entry.llama;
}

function releaseLlama(gpu: 'auto' | false): void {
  const entry = shared.get(String(gpu));
  if (entry) entry.users--;
}

/**
 * Frees the shared backends that no loaded model uses. The backend stays alive between models
 * (re-initialising it costs 0.5–1.5 s), so call this on shutdown or in tests that check cleanup.
 */
export async function disposeSharedLlama(): Promise<void> {
  for (const [key, entry] of [...shared]) {
    if (entry.users > 0) continue;
    shared.delete(key);
    await (await entry.llama).dispose();
  }
}

/** How many shared backends are alive and how many models use them (for tests and diagnostics). */
export function sharedLlamaStats(): { backends: number; users: number } {
  let users = 0;
  for (const entry of shared.values()) users += entry.users;
  return { backends: shared.size, users };
}

// ---- the model ----------------------------------------------------------------------------------

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m) =>
    m.role === 'system'
      ? { type: 'system', text: m.content }
      : m.role === 'user'
        ? { type: 'user', text: m.content }
        : { type: 'model', response: [m.content] },
  );
  // The model writes the next assistant turn; a trailing assistant message is continued.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

export class LocalModel implements ChatModel {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    readonly info: GgufInfo,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly session: LlamaChat,
    private readonly adapters: LoraAdapter[],
    /** The shared backend key to release on dispose, or undefined when the caller owns it. */
    private readonly sharedGpu: 'auto' | false | undefined,
  ) {}

  static async load(path: string, options: LocalModelOptions): Promise<LocalModel> {
    if (!Number.isInteger(options.threads) || options.threads < 1)
      throw new RangeError(`LocalModel.load: threads must be a positive integer, got ${options.threads}`);
    const info = await readGgufInfo(path);
    if (info.type !== 'model')
      throw new LocalModelError(`${path}: is a GGUF ${info.type} (general.type), not a model`);
    const adapters = options.adapters ?? [];
    for (const adapter of adapters) {
      const a = await readGgufInfo(adapter.filePath);
      if (a.type !== 'adapter')
        throw new LocalModelError(`${adapter.filePath}: is not a LoRA adapter (general.type is '${a.type}')`);
      if (a.architecture !== info.architecture)
        throw new LocalModelError(
          `${adapter.filePath}: adapter architecture '${a.architecture}' does not match the model's '${info.architecture}'`,
        );
    }

    const gpu = options.gpu ?? false;
    const sharedGpu = options.llama ? undefined : gpu;
    const llama = options.llama ?? (await acquireLlama(gpu));
    let model: LlamaModel | undefined;
    let context: LlamaContext | undefined;
    try {
      let logMark = recentLog.length;
      try {
        model = await llama.loadModel({ modelPath: path, gpuLayers: gpu === false ? 0 : 'auto' });
      } catch (err) {
        const reason = await loggedReason(logMark);
        throw new LocalModelError(`${path}: llama.cpp could not load the model${reason}`, { cause: err });
      }
      // Room for the v2 prompt (about 1,100 tokens of a real model; 4,400 of the byte-level tiny one) and its answer.
      const contextSize = options.contextSize ?? Math.min(8192, info.contextLength ?? 4096);
      logMark = recentLog.length;
      try {
        context = await model.createContext({
          contextSize,
          sequences: 1,
          threads: options.threads,
          lora: adapters.length
            ? { adapters: adapters.map(({ filePath, scale }) => ({ filePath, scale })) }
            : undefined,
        });
      } catch (err) {
        const what = adapters.length ? 'create the context or load the LoRA adapters' : 'create the context';
        const reason = await loggedReason(logMark);
        throw new LocalModelError(`${path}: llama.cpp could not ${what}${reason}`, { cause: err });
      }
      const session = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: 'auto' });
      return new LocalModel(info, llama, model, context, session, adapters, sharedGpu);
    } catch (err) {
      await context?.dispose();
      await model?.dispose();
      if (sharedGpu !== undefined) releaseLlama(sharedGpu);
      throw err;
    }
  }

  describe(): ModelDescription {
    return {
      id: `local:${this.info.file}`,
      kind: 'local',
      architecture: this.info.architecture,
      parameters: this.info.parameters,
      contextLength: this.info.contextLength,
      chatTemplate: this.info.chatTemplate,
      quantisation: this.info.quantisation,
      adapters: this.adapters.map((a) => ({ file: basename(a.filePath), scale: a.scale })),
    };
  }

  /** The chat wrapper node-llama-cpp chose from the model's template (e.g. 'ChatML'). */
  get chatWrapperName(): string {
    return this.session.chatWrapper.wrapperName;
  }

  chat(messages: ChatMessage[], options: GenerationOptions = {}): Promise<GenerationResult> {
    const run = this.queue.then(() => this.generate(messages, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      // The schema is plain JSON from the caller; node-llama-cpp's generic type wants a literal.
      grammar = this.llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema as GbnfJsonSchema);
      this.grammars.set(key, grammar);
      grammar.catch(() => this.grammars.delete(key));
    }
    return grammar;
  }

  private async generate(messages: ChatMessage[], options: GenerationOptions): Promise<GenerationResult> {
    if (this.disposed) throw new LocalModelError(`local:${this.info.file}: the model has been disposed`);
    const start = performance.now();
    const seconds = (): number => (performance.now() - start) / 1000;
    const { signal } = options;
    if (signal?.aborted) return { text: '', tokens: 0, seconds: seconds(), finishReason: 'abort' };

    const grammar = options.jsonSchema ? await this.grammarFor(options.jsonSchema) : undefined;
    let text = '';
    let tokens = 0;
    try {
      const result = await this.session.generateResponse(toHistory(messages), {
        grammar,
        temperature: options.temperature,
        topP: options.topP,
        seed: options.seed,
        maxTokens: this.answerBudget(messages, options.maxTokens),
        signal,
        stopOnAbortSignal: true,
        onTextChunk: (chunk) => {
          text += chunk;
          options.onText?.(chunk);
        },
        onToken: (generated) => {
          tokens += generated.length;
        },
      });
      const reason = result.metadata.stopReason;
      return {
        text: result.response,
        tokens,
        seconds: seconds(),
        finishReason: reason === 'abort' ? 'abort' : reason === 'maxTokens' ? 'length' : 'stop',
      };
    } catch (err) {
      // An abort during prompt evaluation throws the signal's reason even with stopOnAbortSignal.
      if (signal?.aborted) return { text, tokens, seconds: seconds(), finishReason: 'abort' };
      throw err;
    }
  }

  /**
   * The tokens an answer may take: what was asked, but never more than the context has left after
   * the prompt (plus a margin for the chat template), so a long prompt ends the answer early as
   * 'length' instead of failing in llama.cpp's context shift.
   */
  private answerBudget(messages: ChatMessage[], wanted: number | undefined): number {
    const promptTokens = this.model.tokenize(messages.map((m) => m.content).join('\n')).length;
    const left = Math.max(16, this.context.contextSize - promptTokens - CHAT_TEMPLATE_MARGIN);
    return Math.min(wanted ?? left, left);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    this.session.dispose();
    await this.context.dispose();
    await this.model.dispose();
    if (this.sharedGpu !== undefined) releaseLlama(this.sharedGpu);
  }
}
