// The built-in trainer end to end, in its worker thread: the loss goes down on a small fixed set,
// the adapter it writes loads in node-llama-cpp and moves the tiny model's greedy output onto the
// training target, a cancel stops the worker, and what it cannot train is refused with a reason.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTinyLlama } from '../../../../core/llm/tiny-model.ts';
import { kv, writeGguf } from '../../../../core/llm/gguf-writer.ts';
import { LocalModel } from '../../../../core/llm/local-model.ts';
import { BuiltinTrainer } from '../../../../core/train/builtin-trainer.ts';
import { TrainCancelled, TrainError } from '../../../../core/train/errors.ts';
import type { TrainProgress, TrainRequest } from '../../../../core/train/types.ts';
import type { ChatMessage } from '../../../../api/types.ts';
import { tempDir } from '../../../helpers.ts';
import { similarity, tinyBase, writeChatJsonl } from './helpers.ts';

const target = '```python\ndef add(a, b):\n    return a + b\n```';
const system = 'You write Python.';
const asks = [
  'Add two numbers.',
  'Write add.',
  'Sum a and b.',
  'Give me an adder.',
  'Plus function please.',
  'a + b as code',
  'Addition helper.',
  'Make add(a, b).',
];
const prompt = (ask: string): ChatMessage[] => [
  { role: 'system', content: system },
  { role: 'user', content: ask },
];
const example = (ask: string): ChatMessage[] => [...prompt(ask), { role: 'assistant', content: target }];

function request(dir: string, base: string, overrides: Partial<TrainRequest> = {}): TrainRequest {
  return {
    method: 'supervised',
    trainFile: writeChatJsonl(join(dir, 'train.jsonl'), asks.map(example)),
    validationFile: writeChatJsonl(join(dir, 'valid.jsonl'), [example('Write code to add.')]),
    baseModel: base,
    outDir: join(dir, 'out'),
    hyper: { epochs: 20, learningRate: 5e-3, batchSize: 4, rank: 8, alpha: 16, seed: 1 },
    ...overrides,
  };
}

async function greedy(base: string, messages: ChatMessage[], adapter?: string): Promise<string> {
  const model = await LocalModel.load(base, {
    threads: 1,
    contextSize: 512,
    adapters: adapter ? [{ filePath: adapter, scale: 1 }] : undefined,
  });
  try {
    return (await model.chat(messages, { maxTokens: 60, temperature: 0 })).text;
  } finally {
    await model.dispose();
  }
}

/** A copy of a GGUF with one tensor's type changed to Q4_K in its header (enough to be refused). */
function withQuantisedTensor(path: string, tensor: string): string {
  const bytes = readFileSync(path);
  const name = Buffer.from(tensor);
  const at = bytes.indexOf(name);
  const dims = bytes.readUInt32LE(at + name.length);
  bytes.writeUInt32LE(12, at + name.length + 4 + dims * 8);
  const out = path.replace(/\.gguf$/, '-q4k.gguf');
  writeFileSync(out, bytes);
  return out;
}

describe('the built-in trainer', () => {
  const base = tinyBase();

  it('lowers the loss and writes an adapter that moves the greedy output onto the target', async () => {
    const dir = tempDir('blazer-builtin-');
    const progress: TrainProgress[] = [];
    const trainer = new BuiltinTrainer();
    const outcome = await trainer.train(request(dir, base, { onProgress: (p) => progress.push(p) }));
    expect(outcome).toMatchObject({ kind: 'gguf-lora', path: join(dir, 'out', 'adapter.gguf'), steps: 40 });
    expect(trainer.activeWorkers).toBe(0);

    const steps = progress.filter((p) => p.step > 0 && p.message === undefined);
    expect(steps.map((p) => p.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(steps.every((p) => p.totalSteps === 40 && p.tokensPerSecond! > 0 && p.etaSeconds! >= 0)).toBe(
      true,
    );
    expect(steps[0].etaSeconds).toBeGreaterThan(0);
    expect(steps.at(-1)!.etaSeconds).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'loss.json'), 'utf8'));
    const first = summary.history[0].loss;
    console.log(
      `loss ${first.toFixed(3)} -> ${outcome.finalLoss!.toFixed(3)} in 40 steps; ` +
        `validation ${summary.initialValidLoss.toFixed(3)} -> ${summary.validLoss.toFixed(3)}`,
    );
    expect(outcome.finalLoss!).toBeLessThan(first / 5);
    expect(summary.validLoss).toBeLessThan(summary.initialValidLoss / 3);

    if (outcome.kind !== 'gguf-lora') throw new Error(`expected a GGUF LoRA, got ${outcome.kind}`);
    const messages = prompt(asks[0]);
    const plain = await greedy(base, messages);
    const adapted = await greedy(base, messages, outcome.path);
    const closeness = { base: similarity(plain, target), adapted: similarity(adapted, target) };
    console.log(
      `greedy closeness to the target (1 = identical): base ${closeness.base.toFixed(2)}, adapted ${closeness.adapted.toFixed(2)}`,
    );
    console.log(`  base:    ${JSON.stringify(plain)}\n  adapted: ${JSON.stringify(adapted)}`);
    expect(closeness.base).toBeLessThan(0.3);
    expect(closeness.adapted).toBeGreaterThan(0.9);
  });

  it('stops at maxSteps', async () => {
    const dir = tempDir('blazer-builtin-');
    const outcome = await new BuiltinTrainer().train(
      request(dir, base, {
        hyper: { epochs: 20, learningRate: 5e-3, batchSize: 4, rank: 8, alpha: 16, maxSteps: 3 },
      }),
    );
    expect(outcome.steps).toBe(3);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'loss.json'), 'utf8'));
    expect(summary).toMatchObject({ stoppedBy: 'max-steps', steps: 3 });
    expect(summary.history.at(-1).validLoss).toBeGreaterThan(0);
  });

  it('rejects with TrainCancelled when cancelled mid-run, and its worker exits', async () => {
    const dir = tempDir('blazer-builtin-');
    const controller = new AbortController();
    const trainer = new BuiltinTrainer();
    let workersWhileRunning = -1;
    const run = trainer.train(
      request(dir, base, {
        hyper: { epochs: 1000, learningRate: 5e-3, batchSize: 1, rank: 8, alpha: 16 },
        signal: controller.signal,
        onProgress: (p) => {
          if (p.step === 2) {
            workersWhileRunning = trainer.activeWorkers;
            controller.abort();
          }
        },
      }),
    );
    await expect(run).rejects.toBeInstanceOf(TrainCancelled);
    expect(workersWhileRunning).toBe(1);
    expect(trainer.activeWorkers).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'loss.json'), 'utf8')).stoppedBy).toBe('cancelled');
    expect(existsSync(join(dir, 'out', 'adapter.gguf'))).toBe(false);
  });

  it('refuses DPO, quantised weights, other architectures and broken examples with a reason', async () => {
    const dir = tempDir('blazer-builtin-');
    const trainer = new BuiltinTrainer();
    await expect(trainer.train(request(dir, base, { method: 'dpo' }))).rejects.toThrow(
      /built-in trainer does supervised fine-tuning only/,
    );

    const quantised = withQuantisedTensor(base, 'blk.0.attn_q.weight');
    const refusal = await trainer.train(request(dir, quantised)).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TrainError);
    expect((refusal as Error).message).toMatch(
      /tensor 'blk\.0\.attn_q\.weight' is quantised .*needs F32\/F16 weights; train quantised models with the command trainer/,
    );

    const qwen = buildTinyLlama();
    qwen.metadata['general.architecture'] = kv.string('qwen2');
    const qwenPath = join(dir, 'qwen.gguf');
    writeGguf(qwenPath, qwen);
    await expect(trainer.train(request(dir, qwenPath))).rejects.toThrow(
      /supports the llama architecture only; this model is 'qwen2'/,
    );

    const broken = request(dir, base);
    writeFileSync(
      broken.trainFile,
      JSON.stringify({ messages: example(asks[0]) }) + '\n{"messages": [{"role": "user"}]}\n',
    );
    await expect(trainer.train(broken)).rejects.toThrow(/train\.jsonl:2: message 1 has no text content/);
    expect(trainer.activeWorkers).toBe(0);
  });
});
