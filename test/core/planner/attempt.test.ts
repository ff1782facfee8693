// An attempt end to end with a model whose answers are scripted: prompt built from the task and
// state, the answer parsed (Python or JSON plan), run in simulation, verified, failures named.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { solveTask } from '../../../core/planner/solve.ts';
import { PROMPT_TEMPLATE_VERSION } from '../../../core/planner/prompt.ts';
import {
  AnswerError,
  extractPythonProgram,
  parseJsonPlan,
  planToPython,
} from '../../../core/planner/parse.ts';
import { PythonSandbox } from '../../../core/sandbox/python-sandbox.ts';
import { findTask } from '../../../core/tasks/registry.ts';
import type { ChatModel, GenerationOptions, GenerationResult } from '../../../core/llm/types.ts';
import type { ChatMessage, SamplingOptions } from '../../../api/types.ts';

class AnswerModel implements ChatModel {
  seen: { messages: ChatMessage[]; options: GenerationOptions }[] = [];
  constructor(
    private readonly answer: (messages: ChatMessage[]) => string,
    private readonly finishReason: GenerationResult['finishReason'] = 'stop',
  ) {}
  describe() {
    return { id: 'local:answers', kind: 'local' as const };
  }
  async chat(messages: ChatMessage[], options: GenerationOptions = {}): Promise<GenerationResult> {
    this.seen.push({ messages, options });
    return { text: this.answer(messages), tokens: 10, seconds: 0.01, finishReason: this.finishReason };
  }
  async dispose() {}
}

const sandbox = new PythonSandbox();
afterAll(() => sandbox.dispose());

/** A model's attempt through the one way the lab solves an episode, with its episode beside it. */
async function runAttempt(
  task: Awaited<ReturnType<typeof findTask>>,
  seed: number,
  options: { model: ChatModel; format: 'code' | 'json'; sampling?: SamplingOptions },
) {
  const { result, attempt } = await solveTask(task, seed, { kind: 'model', ...options }, { sandbox });
  return { ...attempt!, episode: result };
}
const binProgram = readFileSync(
  new URL('../../fixtures/programs/bin_pick_place.py', import.meta.url),
  'utf8',
);

describe('parsing answers', () => {
  it('takes the last python block of a code answer', () => {
    expect(
      extractPythonProgram(
        'The block is left of the bin.\n```python\nopen_gripper()\n```\nthen\n```python\nclose_gripper()\n```',
      ),
    ).toBe('close_gripper()\n');
    expect(() => extractPythonProgram('I would open the gripper.')).toThrow(AnswerError);
  });

  it('validates a JSON plan and shows it as Python', () => {
    const plan = parseJsonPlan(
      'Here: {"steps": [{"primitive": "open_gripper"}, {"primitive": "move_gripper", "position": [0.5, 0, 0.1], "yaw": 0.3}]}',
    );
    expect(planToPython(plan)).toBe('open_gripper()\nmove_gripper([0.5, 0, 0.1], 0.3)\n');
    expect(() => parseJsonPlan('{"steps": [{"primitive": "jump"}]}')).toThrow(
      /does not fit the schema at steps\.0\.primitive/,
    );
    expect(() => parseJsonPlan('{"steps": [{"primitive": "move_gripper", "position": [1, 2]}]}')).toThrow(
      /steps\.0\.position/,
    );
    expect(() => parseJsonPlan('{"steps": [')).toThrow(/no JSON object|not valid JSON/);
  });
});

describe('an attempt', () => {
  it('prompts with the instruction and the scene state, runs the Python answer and verifies it', async () => {
    const task = await findTask('put_block_in_bin');
    const model = new AnswerModel(
      () => `The block is beside the bin.\nPlan: pick it, drop it in.\n\`\`\`python\n${binProgram}\`\`\``,
    );
    const attempt = await runAttempt(task, 3, {
      model,
      format: 'code',
      sampling: { temperature: 0.7, seed: 5 },
    });
    expect(attempt.success).toBe(true);
    expect(attempt.failure).toBeUndefined();
    expect(attempt.templateVersion).toBe(PROMPT_TEMPLATE_VERSION);
    expect(attempt.program).toBe(binProgram);
    expect(attempt.sampling).toEqual({ temperature: 0.7, seed: 5, maxTokens: 2048 });
    const [system, user] = attempt.prompt;
    expect(system.content).toMatch(/move_gripper\(position, yaw\)/);
    expect(user.content).toContain(`Task: ${attempt.instruction}`);
    expect(user.content).toMatch(
      /- bin: position \[[\d., -]+\], yaw 0\.000, size \[0\.140, 0\.140, 0\.050\]/,
    );
    expect(model.seen[0].options.jsonSchema).toBeUndefined();
  });

  it('runs a JSON plan with the plan schema requested', async () => {
    const task = await findTask('reach_target');
    const model = new AnswerModel((messages) => {
      const [x, y, z] = /- target: position \[([^\]]+)\]/
        .exec(messages.at(-1)!.content)![1]
        .split(', ')
        .map(Number);
      return JSON.stringify({
        steps: [{ primitive: 'close_gripper' }, { primitive: 'move_gripper', position: [x, y, z], yaw: 0 }],
      });
    });
    const attempt = await runAttempt(task, 2, { model, format: 'json' });
    expect(model.seen[0].options.jsonSchema).toMatchObject({ required: ['steps'] });
    expect(attempt.episode.trace.map((r) => r.primitive)).toEqual(['close_gripper', 'move_gripper']);
    expect(attempt.success).toBe(true);
  });

  it('names the failure: no program, a syntax error with its line, an unreachable pose', async () => {
    const task = await findTask('pick_and_lift');
    const noCode = await runAttempt(task, 0, {
      model: new AnswerModel(() => 'I cannot do that.'),
      format: 'code',
    });
    expect(noCode.failure).toEqual({ kind: 'no-program', message: 'the answer has no ```python code block' });
    const syntax = await runAttempt(task, 0, {
      model: new AnswerModel(() => '```python\nopen_gripper()\nmove_gripper([0.5, 0, 0.1]\n```'),
      format: 'code',
    });
    expect(syntax.failure).toMatchObject({ kind: 'syntax', line: 2 });
    const far = await runAttempt(task, 0, {
      model: new AnswerModel(
        () => '{"steps": [{"primitive": "move_gripper", "position": [0.9, 0.6, 0.7], "yaw": 0}]}',
      ),
      format: 'json',
    });
    expect(far.failure).toMatchObject({ kind: 'unreachable' });
    const nan = await runAttempt(task, 0, {
      model: new AnswerModel(
        () => '{"steps": [{"primitive": "move_gripper", "position": [5, 0, 0.1], "yaw": 0}]}',
      ),
      format: 'json',
    });
    expect(nan.failure).toMatchObject({ kind: 'stopped', message: /step 1: .*outside the panda workspace/ });
    expect(nan.episode.trace).toEqual([]);
  });

  it('names an answer cut off at the token limit "truncated", whatever broke after the cut', async () => {
    const task = await findTask('pick_and_lift');
    const cut = (text: string) => new AnswerModel(() => text, 'length');
    const noBlockEnd = await runAttempt(task, 0, {
      model: cut('The block is ahead.\n```python\nopen_gripper()\nmove_gripper([0.5, 0'),
      format: 'code',
    });
    expect(noBlockEnd.failure).toMatchObject({ kind: 'truncated', message: /cut off at the token limit/ });
    const halfPlan = await runAttempt(task, 0, {
      model: cut('{"steps": [{"primitive": "open_gri'),
      format: 'json',
    });
    expect(halfPlan.failure?.kind).toBe('truncated');
    // The same broken answer, ended by the model itself, keeps its own reason.
    const ended = await runAttempt(task, 0, {
      model: new AnswerModel(() => '{"steps": [{"primitive": "open_gri'),
      format: 'json',
    });
    expect(ended.failure?.kind).toBe('no-program');
  });

  it('asks for the answer length of the prompt template, and names the template it used', async () => {
    const task = await findTask('reach_target');
    const model = new AnswerModel(() => 'no');
    const attempt = await runAttempt(task, 0, { model, format: 'code' });
    expect(attempt.templateVersion).toBe('blazer-prompt-v2');
    expect(model.seen[0].options.maxTokens).toBe(2048);
    expect(model.seen[0].messages[1].content).toContain('# scene state v2');
  });
});
