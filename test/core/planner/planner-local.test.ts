// The planner with real models and no downloads: the tiny random-weight GGUF through
// node-llama-cpp in JSON-plan mode, and the same model behind the app's own OpenAI-compatible
// server reached with the openai SDK, streaming. Success is not expected from random weights;
// that a grammar-constrained plan comes back, runs in simulation and is recorded is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalModel } from '../../../core/llm/local-model.ts';
import { OpenAIModel } from '../../../core/llm/openai-model.ts';
import { startModelServer, type RunningModelServer } from '../../../core/llm/openai-server.ts';
import { solveTask } from '../../../core/planner/solve.ts';
import type { ChatModel } from '../../../core/llm/types.ts';
import type { SamplingOptions } from '../../../api/types.ts';
import { PROMPT_TEMPLATE_VERSION } from '../../../core/planner/prompt.ts';
import { findTask } from '../../../core/tasks/registry.ts';
import { tinyModelFile } from '../llm/helpers.ts';
import { tempDir } from '../../helpers.ts';

let modelPath: string;
let local: LocalModel;
let server: RunningModelServer;
beforeAll(async () => {
  modelPath = tinyModelFile({ noExponents: true });
  local = await LocalModel.load(modelPath, { threads: 1 });
  server = await startModelServer({ model: local, modelName: 'tiny' });
});
afterAll(async () => {
  await server.close();
  await local.dispose();
});

/** A model's JSON-plan attempt through the one way the lab solves an episode, its episode beside it. */
async function runAttempt(
  task: Awaited<ReturnType<typeof findTask>>,
  seed: number,
  options: { model: ChatModel; format: 'json'; sampling: SamplingOptions; onText?: (text: string) => void },
) {
  const { model, format, sampling, onText } = options;
  const { result, attempt } = await solveTask(
    task,
    seed,
    { kind: 'model', model, format, sampling },
    { onText },
  );
  return { ...attempt!, episode: result };
}

describe('planner with the tiny local model', () => {
  it('gets a JSON plan through the grammar, runs it in simulation and records the attempt', async () => {
    const task = await findTask('pick_and_lift');
    const attempt = await runAttempt(task, 4, {
      model: local,
      format: 'json',
      sampling: { temperature: 0.8, seed: 11, maxTokens: 200 },
    });
    expect(attempt.templateVersion).toBe(PROMPT_TEMPLATE_VERSION);
    expect(attempt.model).toMatchObject({ id: 'local:tiny.gguf', kind: 'local', architecture: 'llama' });
    expect(attempt.sampling).toEqual({ temperature: 0.8, seed: 11, maxTokens: 200 });
    expect(attempt.prompt.at(-1)!.content).toContain(attempt.instruction);
    expect(attempt.generation.tokens).toBeGreaterThan(0);
    // A well-formed plan of at least one step ran: every step reached the simulation or was refused by validation.
    expect(attempt.failure?.kind).not.toBe('no-program');
    expect(attempt.program).toMatch(/^(open_gripper|close_gripper|move_gripper)\(/);
    const steps = attempt.program!.trim().split('\n').length;
    const executed = attempt.episode.trace.length;
    expect(executed + (attempt.episode.program?.kind === 'stopped' ? 1 : 0)).toBeGreaterThanOrEqual(
      Math.min(steps, 1),
    );
    expect(attempt.episode.finalState.objects.length).toBe(2);
    expect(attempt.success).toBe(false);
  });

  it('gives the same plan for the same seed', async () => {
    const task = await findTask('reach_target');
    const options = {
      model: local,
      format: 'json' as const,
      sampling: { temperature: 0.8, seed: 3, maxTokens: 120 },
    };
    const a = await runAttempt(task, 0, options);
    const b = await runAttempt(task, 0, options);
    expect(b.answer).toBe(a.answer);
  });
});

describe('planner through the app as an OpenAI-compatible server', () => {
  it('streams the tiny model to the openai SDK and runs the plan', async () => {
    const remote = new OpenAIModel({ baseURL: server.url, model: 'tiny', apiKey: server.token });
    const pieces: string[] = [];
    const task = await findTask('reach_target');
    const attempt = await runAttempt(task, 2, {
      model: remote,
      format: 'json',
      sampling: { temperature: 0.5, seed: 9, maxTokens: 120 },
      onText: (t) => pieces.push(t),
    });
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(attempt.answer);
    expect(attempt.model.id).toBe(`openai:tiny@${server.url}`);
    expect(JSON.stringify(attempt)).not.toContain(server.token);
    expect(attempt.failure?.kind).not.toBe('no-program');
    expect(attempt.program).toBeDefined();
  });
});

describe('bad model files', () => {
  it('names a corrupt or truncated GGUF clearly and exits with an error, not a crash', () => {
    const dir = tempDir();
    const corrupt = join(dir, 'corrupt.gguf');
    writeFileSync(corrupt, Buffer.from('GGUF\x03\x00\x00\x00' + 'garbage'.repeat(20)));
    const lab = (model: string) =>
      spawnSync(
        process.execPath,
        [
          new URL('../../../bin/lab.js', import.meta.url).pathname,
          'attempt',
          '--task',
          'reach_target',
          '--model',
          model,
          '--format',
          'json',
        ],
        {
          encoding: 'utf8',
        },
      );
    const run = lab(corrupt);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/corrupt\.gguf/);
    expect(run.stderr).not.toMatch(/unexpected error|at .*\.ts:\d+/);
    const missing = lab(join(dir, 'nope.gguf'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.gguf/);
  });
});
