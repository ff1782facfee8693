// The app's OpenAI-compatible server, driven by the real openai SDK (OpenAIModel) and raw HTTP.
// The model behind it here answers from a script so the protocol is what is under test; the tiny
// GGUF model behind the same server is tested in planner-local.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type RunningModelServer } from '../../../core/llm/openai-server.ts';
import { OpenAIModel, parseOpenAISpec } from '../../../core/llm/openai-model.ts';
import type { ChatModel, GenerationOptions, GenerationResult } from '../../../core/llm/types.ts';
import type { ChatMessage } from '../../../api/types.ts';

class ScriptedModel implements ChatModel {
  calls: { messages: ChatMessage[]; options: GenerationOptions }[] = [];
  constructor(private readonly pieces: string[]) {}
  describe() {
    return { id: 'local:scripted', kind: 'local' as const };
  }
  async chat(messages: ChatMessage[], options: GenerationOptions = {}): Promise<GenerationResult> {
    this.calls.push({ messages, options });
    for (const piece of this.pieces) options.onText?.(piece);
    return { text: this.pieces.join(''), tokens: this.pieces.length, seconds: 0.01, finishReason: 'stop' };
  }
  async dispose() {}
}

const model = new ScriptedModel(['{"steps": ', '[{"primitive": ', '"open_gripper"}]}']);
let server: RunningModelServer;
beforeAll(async () => {
  server = await startModelServer({ model, modelName: 'tiny' });
});
afterAll(() => server.close());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('OpenAI-compatible model server', () => {
  it('binds to loopback and lists its model', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const res = await fetch(`${server.url}/models`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(await res.json()).toMatchObject({ object: 'list', data: [{ id: 'tiny', object: 'model' }] });
  });

  it('streams a chat completion to the openai SDK, passing sampling and the JSON schema through', async () => {
    const client = new OpenAIModel({ baseURL: server.url, model: 'tiny', apiKey: server.token });
    const pieces: string[] = [];
    const result = await client.chat([{ role: 'user', content: 'plan' }], {
      temperature: 0.2,
      topP: 0.9,
      seed: 7,
      maxTokens: 64,
      jsonSchema: { type: 'object' },
      onText: (t) => pieces.push(t),
    });
    expect(result.text).toBe('{"steps": [{"primitive": "open_gripper"}]}');
    expect(pieces).toEqual(['{"steps": ', '[{"primitive": ', '"open_gripper"}]}']);
    expect(result.tokens).toBe(3);
    expect(model.calls.at(-1)!.options).toMatchObject({
      temperature: 0.2,
      topP: 0.9,
      seed: 7,
      maxTokens: 64,
      jsonSchema: { type: 'object' },
    });
    expect(client.describe()).toEqual({ id: `openai:tiny@${server.url}`, kind: 'openai' });
    expect(JSON.stringify(client.describe())).not.toContain(server.token);
  });

  it('answers without streaming too', async () => {
    const res = await post({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }] });
    const body = await res.json();
    expect(body.choices[0]).toMatchObject({
      message: { role: 'assistant', content: '{"steps": [{"primitive": "open_gripper"}]}' },
      finish_reason: 'stop',
    });
  });

  it('refuses a missing or wrong token', async () => {
    const res = await fetch(`${server.url}/models`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect((await fetch(`${server.url}/models`)).status).toBe(401);
  });

  it('refuses requests from web pages', async () => {
    const res = await post(
      { model: 'tiny', messages: [{ role: 'user', content: 'hi' }] },
      { origin: 'http://evil.example' },
    );
    expect(res.status).toBe(403);
  });

  it('names what is wrong with a bad request', async () => {
    const bad = async (body: unknown) => {
      const res = await post(body);
      return { status: res.status, message: (await res.json()).error.message as string };
    };
    expect(await bad('{not json')).toEqual({ status: 400, message: 'the request body is not valid JSON' });
    expect(await bad({ model: 'tiny', messages: [] })).toMatchObject({
      status: 400,
      message: /messages: at least one message/,
    });
    expect(await bad({ model: 'tiny', messages: [{ role: 'robot', content: 'x' }] })).toMatchObject({
      status: 400,
      message: /messages\.0\.role/,
    });
    expect(
      await bad({ model: 'tiny', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }),
    ).toMatchObject({ status: 400, message: /temperature/ });
    expect(await bad({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })).toMatchObject({
      status: 404,
      message: /model 'gpt-9' is not served here/,
    });
    expect(await bad('x'.repeat(2 << 20))).toMatchObject({ status: 413 });
  });

  it('parses the CLI spelling of a remote model', () => {
    expect(parseOpenAISpec('openai:llama-70b@http://10.0.0.5:8000/v1')).toEqual({
      model: 'llama-70b',
      baseURL: 'http://10.0.0.5:8000/v1',
    });
    expect(parseOpenAISpec('models/tiny.gguf')).toBeUndefined();
  });
});
