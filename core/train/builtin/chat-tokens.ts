// Chat JSONL examples as token ids, exactly as the app feeds the model at inference.
//
// LocalModel runs LlamaChat with chatWrapper 'auto'; LlamaChat renders the history plus an empty
// model turn through that wrapper and tokenizes the text (node-llama-cpp LlamaChat.js,
// getContextWindow). The prompt here is built the same way, with the model's own tokenizer (a
// vocab-only load: no weights). The answer is the rest of the rendering with the answer filled in,
// and the end token is the one the template writes after a finished turn (<|im_end|> for ChatML).
import { readFile } from 'node:fs/promises';
import {
  getLlama,
  LlamaLogLevel,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { TrainError } from '../errors.ts';
import type { TokenizedExample } from './example.ts';

export interface ChatMessageLike {
  role: string;
  content: string;
}

export interface ChatExamples {
  examples: TokenizedExample[];
  /** Lines left out because prompt and answer do not fit in the model's context. */
  tooLong: number;
}

function toHistory(messages: ChatMessageLike[]): ChatHistoryItem[] {
  return messages.map((m) =>
    m.role === 'system'
      ? { type: 'system', text: m.content }
      : m.role === 'user'
        ? { type: 'user', text: m.content }
        : { type: 'model', response: [m.content] },
  );
}

const startsWith = (tokens: Token[], prefix: Token[]): boolean =>
  prefix.length <= tokens.length && prefix.every((t, i) => tokens[i] === t);

export class ChatTokenizer {
  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly wrapper: ChatWrapper,
  ) {}

  /** Loads the model's vocabulary only (no weights) and resolves its chat wrapper as LlamaChat does. */
  static async open(modelPath: string): Promise<ChatTokenizer> {
    const llama = await getLlama({
      gpu: false,
      build: 'never',
      maxThreads: 1,
      logLevel: LlamaLogLevel.error,
    });
    try {
      const model = await llama.loadModel({ modelPath, vocabOnly: true });
      return new ChatTokenizer(llama, model, resolveChatWrapper(model));
    } catch (err) {
      await llama.dispose();
      throw new TrainError(`${modelPath}: cannot load the model's vocabulary (${(err as Error).message})`, {
        cause: err,
      });
    }
  }

  /** The wrapper's name, e.g. 'ChatML'. */
  get chatWrapperName(): string {
    return this.wrapper.wrapperName;
  }

  private render(history: ChatHistoryItem[]): Token[] {
    return this.wrapper
      .generateContextState({ chatHistory: history })
      .contextText.tokenize(this.model.tokenizer);
  }

  /** The prompt LlamaChat would evaluate for these messages (the model's turn left open). */
  promptTokens(messages: ChatMessageLike[]): Token[] {
    return this.render([...toHistory(messages), { type: 'model', response: [] }]);
  }

  /** Prompt, answer and end-of-turn token; messages end with the assistant's answer. */
  tokenize(messages: ChatMessageLike[]): TokenizedExample {
    const last = messages[messages.length - 1];
    if (last?.role !== 'assistant') throw new TrainError('the last message must be the assistant’s answer');
    const context = messages.slice(0, -1);
    const prompt = this.promptTokens(context);
    const answered = this.render([...toHistory(context), { type: 'model', response: [last.content] }]);
    const answer = startsWith(answered, prompt)
      ? answered.slice(prompt.length)
      : this.model.tokenize(last.content, false, 'trimLeadingSpace');
    const tokens = [
      ...prompt,
      ...answer,
      this.endOfTurn(context, last.content, prompt.length + answer.length),
    ];
    return { tokens: Int32Array.from(tokens), promptLength: prompt.length };
  }

  /** The token the template puts after a finished answer, if it ends generation; else EOT or EOS. */
  private endOfTurn(context: ChatMessageLike[], answer: string, at: number): Token {
    const next = this.render([
      ...toHistory(context),
      { type: 'model', response: [answer] },
      { type: 'user', text: '' },
    ]);
    const candidate = next[at];
    if (candidate !== undefined && this.model.isEogToken(candidate)) return candidate;
    const fallback = this.model.tokens.eot ?? this.model.tokens.eos;
    if (fallback === null) throw new TrainError('the model has no end-of-turn or end-of-sequence token');
    return fallback;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
    await this.llama.dispose();
  }
}

function parseMessages(line: string, where: string): ChatMessageLike[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new TrainError(`${where}: not JSON (${(err as Error).message})`);
  }
  const messages = (parsed as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    throw new TrainError(`${where}: expected {"messages": [...]} with at least the assistant's answer`);
  return messages.map((m: unknown, i) => {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      throw new TrainError(
        `${where}: message ${i + 1} has role ${JSON.stringify(role)} (system, user or assistant)`,
      );
    if (typeof content !== 'string') throw new TrainError(`${where}: message ${i + 1} has no text content`);
    return { role, content };
  });
}

/**
 * Reads an OpenAI chat JSONL file ({"messages": [...]} per line, the last message the assistant's
 * answer; earlier assistant turns are prompt, not trained). Examples longer than maxTokens are
 * left out and counted.
 */
export async function readChatExamples(
  path: string,
  tokenizer: ChatTokenizer,
  maxTokens: number,
): Promise<ChatExamples> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TrainError(
      `${path}: cannot read the training file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      {
        cause: err,
      },
    );
  }
  const examples: TokenizedExample[] = [];
  let tooLong = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const where = `${path}:${i + 1}`;
    const messages = parseMessages(line, where);
    let example: TokenizedExample;
    try {
      example = tokenizer.tokenize(messages);
    } catch (err) {
      if (err instanceof TrainError) throw new TrainError(`${where}: ${err.message}`);
      throw err;
    }
    if (example.tokens.length > maxTokens) tooLong++;
    else examples.push(example);
  }
  return { examples, tooLong };
}
