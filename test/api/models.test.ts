// The Models screen's calls: register the tiny model, keep a remote endpoint by name, and test both
// with a prompt (the endpoint is the app's own OpenAI-compatible server serving the tiny model).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessLab } from '../../api/in-process.ts';
import { disposeResources } from '../../api/resources.ts';
import { LocalModel } from '../../core/llm/local-model.ts';
import { startModelServer, type RunningModelServer } from '../../core/llm/openai-server.ts';
import { tinyModelFile } from '../core/llm/helpers.ts';
import { tempDir } from '../helpers.ts';

let local: LocalModel;
let server: RunningModelServer;

beforeAll(async () => {
  process.env.BLAZER_LAB_HOME = tempDir();
  local = await LocalModel.load(tinyModelFile({ noExponents: true }), { threads: 1 });
  server = await startModelServer({
    model: local,
    modelName: 'tiny-remote',
    token: 'endpoint-token-0123456789',
  });
  process.env.BLAZER_API_KEY = 'endpoint-token-0123456789';
});
afterAll(async () => {
  await disposeResources();
  await server?.close();
  await local?.dispose();
});

const lab = inProcessLab();

describe('models calls', () => {
  it('adds the tiny test model once and reports its speed on a prompt', async () => {
    await lab.call('models.addTiny', {});
    await lab.call('models.addTiny', {}); // a second click changes nothing
    const listing = await lab.call('models.list', {});
    expect(listing.models.map((m) => [m.name, m.info.type])).toEqual([['tiny-test', 'model']]);
    const result = await lab.call('models.test', {
      model: 'tiny-test',
      prompt: 'hello',
      maxTokens: 16,
      threads: 1,
    });
    expect(result.tokens).toBeGreaterThan(0);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
    expect(result.model.kind).toBe('local');
    // A model that cannot be opened says why, and the next call opens a good one again.
    await expect(
      lab.call('models.test', { model: '/no/such/model.gguf', prompt: 'hi', threads: 1 }),
    ).rejects.toThrow(/model\.gguf/);
    const again = await lab.call('models.test', {
      model: 'tiny-test',
      prompt: 'hi',
      maxTokens: 4,
      threads: 1,
    });
    expect(again.tokens).toBeGreaterThan(0);
  });

  it('keeps a remote endpoint by name and tests it through the OpenAI-compatible API', async () => {
    const spec = `openai:tiny-remote@${server.url}`; // the url ends in /v1
    await lab.call('models.addEndpoint', { name: 'lab-gpu', spec });
    await expect(lab.call('models.addEndpoint', { name: 'broken', spec: 'gpu-box:8000' })).rejects.toThrow(
      /not an endpoint/,
    );
    const listing = await lab.call('models.list', {});
    expect(listing.endpoints).toEqual([expect.objectContaining({ name: 'lab-gpu', spec })]);
    const events: unknown[] = [];
    const result = await lab.call(
      'models.test',
      { model: 'lab-gpu', prompt: 'hello', maxTokens: 16 },
      { onEvent: (e) => events.push(e) },
    );
    expect(result.model).toMatchObject({ kind: 'openai', id: spec });
    expect(result.tokens).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThan(0); // the answer streamed
    await lab.call('models.remove', { name: 'lab-gpu' });
    expect((await lab.call('models.list', {})).endpoints).toEqual([]);
  });
});
