// The local trainer command contract, driven with test/fixtures/stand-in-trainer.mjs (plain Node, a
// real PEFT or GGUF LoRA adapter for the tiny llama, no learning) and a few one-line commands.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, tempDir } from '../../helpers.ts';
import {
  CommandTrainer,
  REQUEST_FILE,
  type CommandTrainerOptions,
} from '../../../core/train/command-trainer.ts';
import { parseTrainerLine } from '../../../core/train/command-protocol.ts';
import { TrainCancelled, TrainError } from '../../../core/train/errors.ts';
import { tinyMatrixShapes } from '../../../core/llm/tiny-model.ts';
import { readGgufHeader } from '../../../core/llm/gguf-info.ts';
import { HYPER, jsonlFile, trainRequest } from './helpers.ts';

const STAND_IN = join(fixturesDir, 'stand-in-trainer.mjs');

const standIn = (env: Record<string, string> = {}, options: Partial<CommandTrainerOptions> = {}) =>
  new CommandTrainer({ command: [process.execPath, STAND_IN], env, ...options });

/** A one-line Node program as the trainer command (the request path arrives as its first argument). */
const nodeScript = (source: string) => new CommandTrainer({ command: [process.execPath, '-e', source] });

/** PEFT module -> the tiny llama's GGUF tensor it adapts. */
const PEFT_TO_GGUF: Record<string, string> = {
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function readSafetensorsHeader(path: string): {
  header: Record<string, SafetensorsEntry> & { __metadata__?: Record<string, string> };
  dataBytes: number;
} {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  return {
    header: JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')),
    dataBytes: bytes.length - 8 - length,
  };
}

/** Alive, as opposed to gone or a zombie waiting for its parent. */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
  } catch {
    return false;
  }
}

describe('CommandTrainer with the stand-in trainer', () => {
  it('writes the request, passes progress and messages on, and returns the PEFT folder it checked', async () => {
    const request = trainRequest({
      baseModel: '/models/tiny-llama-hf',
      trainFile: jsonlFile('supervised', 6),
      validationFile: jsonlFile('supervised', 2, 'valid.jsonl'),
    });
    const outcome = await standIn().train(request);

    expect(JSON.parse(readFileSync(join(request.outDir, REQUEST_FILE), 'utf8'))).toEqual({
      method: 'supervised',
      trainFile: request.trainFile,
      validationFile: request.validationFile,
      baseModel: '/models/tiny-llama-hf',
      outDir: request.outDir,
      hyper: HYPER,
    });
    expect(outcome).toEqual({
      kind: 'peft',
      path: join(request.outDir, 'adapter'),
      steps: 6,
      finalLoss: expect.any(Number),
    });
    const steps = request.seen.filter((p) => p.message === undefined);
    expect(steps.map((p) => [p.step, p.epoch, p.totalSteps])).toEqual([
      [1, 1, 6],
      [2, 1, 6],
      [3, 1, 6],
      [4, 2, 6],
      [5, 2, 6],
      [6, 2, 6],
    ]);
    const losses = steps.map((p) => p.loss);
    expect(losses).toEqual([...losses].sort((a, b) => b - a));
    expect(outcome.finalLoss).toBe(losses.at(-1));
    expect(steps.every((p) => p.validLoss !== undefined)).toBe(true);
    // A plain stdout line arrives as a message.
    expect(request.seen.map((p) => p.message)).toContain('stand-in: 6 supervised examples from train.jsonl');
  });

  it('the PEFT folder is a real adapter for the tiny llama: config, names, shapes and F32 data', async () => {
    const request = trainRequest({ baseModel: 'tiny-llama', trainFile: jsonlFile('supervised', 4) });
    const { path } = (await standIn().train(request)) as { path: string };
    const config = JSON.parse(readFileSync(join(path, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      r: HYPER.rank,
      lora_alpha: HYPER.alpha,
      base_model_name_or_path: 'tiny-llama',
      target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
    });

    const { header, dataBytes } = readSafetensorsHeader(join(path, 'adapter_model.safetensors'));
    const shapes = tinyMatrixShapes();
    const expected: Record<string, number[]> = {};
    for (const layer of [0, 1])
      for (const [module, gguf] of Object.entries(PEFT_TO_GGUF)) {
        const [nIn, nOut] = shapes[`blk.${layer}.${gguf}.weight`];
        const prefix = `base_model.model.model.layers.${layer}.${module}`;
        expected[`${prefix}.lora_A.weight`] = [HYPER.rank, nIn];
        expected[`${prefix}.lora_B.weight`] = [nOut, HYPER.rank];
      }
    const { __metadata__, ...tensors } = header;
    expect(__metadata__).toEqual({ format: 'pt' });
    expect(Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.shape]))).toEqual(expected);
    let end = 0;
    for (const t of Object.values(tensors)) {
      expect(t.dtype).toBe('F32');
      expect(t.data_offsets).toEqual([end, end + 4 * t.shape[0] * t.shape[1]]);
      end = t.data_offsets[1];
    }
    expect(end).toBe(dataBytes);
  });

  it('returns a GGUF LoRA when the command writes one (dpo data)', async () => {
    const request = trainRequest({ method: 'dpo', trainFile: jsonlFile('dpo', 4) });
    const outcome = await standIn({ STAND_IN_FORMAT: 'gguf-lora' }).train(request);
    expect(outcome).toMatchObject({
      kind: 'gguf-lora',
      path: join(request.outDir, 'adapter.gguf'),
      steps: 4,
    });
    const gguf = await readGgufHeader((outcome as { path: string }).path);
    expect(gguf.metadata).toMatchObject({
      general: { type: 'adapter', architecture: 'llama' },
      adapter: { type: 'lora' },
    });
    const shapes = tinyMatrixShapes();
    for (const t of gguf.tensors) {
      const [, base, part] = /^(.*)\.(lora_a|lora_b)$/.exec(t.name)!;
      const [nIn, nOut] = shapes[base];
      expect(t.shape).toEqual(part === 'lora_a' ? [nIn, HYPER.rank] : [HYPER.rank, nOut]);
    }
    expect(gguf.tensors).toHaveLength(28);
  });

  it('a failing command gives its exit code and last stderr lines', async () => {
    const run = standIn({ STAND_IN_FAIL: '1' }).train(trainRequest({ trainFile: jsonlFile('supervised') }));
    await expect(run).rejects.toThrow(TrainError);
    await expect(run).rejects.toThrow(
      /exited with code 3; its last stderr lines:\nloading shard 1\/1\nstand-in trainer: CUDA out of memory \(pretend\)/,
    );
  });

  it('the stand-in names a malformed training line', async () => {
    const bad = jsonlFile('supervised', 0, 'train.jsonl', ['{"messages": []}', '{"messages": [']);
    await expect(standIn().train(trainRequest({ trainFile: bad }))).rejects.toThrow(
      /exited with code 2; its last stderr lines:\nstand-in trainer: train.jsonl line 2 is not JSON/,
    );
  });

  it('cancel stops the command and what it started, and leaves no zombie', async () => {
    const abort = new AbortController();
    const pids: number[] = [];
    const request = trainRequest({ trainFile: jsonlFile('supervised'), signal: abort.signal });
    request.onProgress = (p) => {
      const match = /^pids (\d+) (\d+)$/.exec(p.message ?? '');
      if (match) pids.push(Number(match[1]), Number(match[2]));
      if (p.message?.startsWith('hanging')) abort.abort();
    };
    await expect(standIn({ STAND_IN_HANG: '1', STAND_IN_CHILD: '1' }).train(request)).rejects.toThrow(
      'training was cancelled; the trainer command stopped',
    );
    expect(pids).toHaveLength(2);
    // The command itself was reaped (no zombie: the pid is gone), and its child is not running.
    expect(() => process.kill(pids[0], 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    // The child got the same SIGTERM; on a loaded machine it may take a moment to die.
    const deadline = Date.now() + 3000;
    while (isRunning(pids[1]) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isRunning(pids[1])).toBe(false);
    expect(existsSync(join(request.outDir, 'adapter'))).toBe(false);
  });

  it('a command that ignores SIGTERM is killed after the grace period', async () => {
    const abort = new AbortController();
    const request = trainRequest({ trainFile: jsonlFile('supervised'), signal: abort.signal });
    let abortedAt = 0;
    request.onProgress = (p) => {
      if (p.message?.startsWith('hanging')) {
        abortedAt = Date.now();
        abort.abort();
      }
    };
    const trainer = standIn({ STAND_IN_HANG: '1', STAND_IN_IGNORE_TERM: '1' }, { killAfterMs: 400 });
    await expect(trainer.train(request)).rejects.toThrow(
      'training was cancelled; the trainer command ignored SIGTERM and was killed',
    );
    expect(Date.now() - abortedAt).toBeGreaterThanOrEqual(400);
  }, 15_000);

  it("ends the run with the listener's error when onProgress throws", async () => {
    const request = trainRequest({ trainFile: jsonlFile('supervised') });
    request.onProgress = () => {
      throw new Error('the UI went away');
    };
    await expect(standIn({ STAND_IN_HANG: '1' }).train(request)).rejects.toThrow('the UI went away');
  });

  it('an exit without a done line is an error', async () => {
    await expect(
      standIn({ STAND_IN_NO_DONE: '1' }).train(trainRequest({ trainFile: jsonlFile('supervised') })),
    ).rejects.toThrow(/ended without a \{"type":"done",\.\.\.\} line on stdout; it wrote nothing to stderr/);
  });
});

describe('CommandTrainer with other commands', () => {
  it('names a command that does not exist, or cannot be run', async () => {
    const missing = new CommandTrainer({ command: ['/nonexistent/bin/train-lora', '--fast'] });
    await expect(missing.train(trainRequest({ trainFile: jsonlFile('supervised') }))).rejects.toThrow(
      "the trainer command '/nonexistent/bin/train-lora' was not found",
    );
    const script = join(tempDir(), 'train.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    await expect(
      new CommandTrainer({ command: [script] }).train(trainRequest({ trainFile: jsonlFile('supervised') })),
    ).rejects.toThrow(`the trainer command '${script}' cannot be run (permission denied)`);
  });

  it('checks that the output it names is there, and reports malformed lines as messages', async () => {
    const request = trainRequest({ trainFile: jsonlFile('supervised') });
    const trainer = nodeScript(
      'console.log(JSON.stringify({type:"progress",step:"one"}));' +
        'console.log(JSON.stringify({type:"done",output:"nothing-here",format:"peft"}))',
    );
    await expect(trainer.train(request)).rejects.toThrow(
      `the trainer said it wrote a PEFT adapter folder at ${join(request.outDir, 'nothing-here')}, but there is nothing there`,
    );
    expect(request.seen[0].message).toMatch(
      /^the trainer printed a malformed progress line \(step, totalSteps, epoch, loss must be numbers\)/,
    );
  });

  it('names a malformed done line when no valid one came', async () => {
    const trainer = nodeScript('console.log(JSON.stringify({type:"done",output:"a.bin",format:"bin"}))');
    await expect(trainer.train(trainRequest({ trainFile: jsonlFile('supervised') }))).rejects.toThrow(
      '(its done line was malformed: format must be "peft" or "gguf-lora")',
    );
  });

  it('refuses a PEFT folder without its weights', async () => {
    const trainer = nodeScript(
      'const fs=require("fs"),p=require("path"),r=JSON.parse(fs.readFileSync(process.argv[1]));' +
        'fs.mkdirSync(p.join(r.outDir,"adapter"));fs.writeFileSync(p.join(r.outDir,"adapter","adapter_config.json"),"{}");' +
        'console.log(JSON.stringify({type:"done",output:"adapter",format:"peft"}))',
    );
    await expect(trainer.train(trainRequest({ trainFile: jsonlFile('supervised') }))).rejects.toThrow(
      /adapter, but it has no adapter_model\.safetensors$/,
    );
  });

  it('refuses a .gguf output that is not GGUF', async () => {
    const trainer = nodeScript(
      'const fs=require("fs"),p=require("path"),r=JSON.parse(fs.readFileSync(process.argv[1]));' +
        'fs.writeFileSync(p.join(r.outDir,"a.gguf"),"not gguf");' +
        'console.log(JSON.stringify({type:"done",output:"a.gguf",format:"gguf-lora"}))',
    );
    await expect(trainer.train(trainRequest({ trainFile: jsonlFile('supervised') }))).rejects.toThrow(
      /a\.gguf, but it does not start with GGUF/,
    );
  });

  it('does not start when the data file is missing or the run is already cancelled', async () => {
    await expect(standIn().train(trainRequest({ trainFile: '/nowhere/train.jsonl' }))).rejects.toThrow(
      'the training data file /nowhere/train.jsonl does not exist',
    );
    const request = trainRequest({ trainFile: jsonlFile('supervised'), signal: AbortSignal.abort() });
    await expect(standIn().train(request)).rejects.toThrow(TrainCancelled);
    expect(existsSync(join(request.outDir, REQUEST_FILE))).toBe(false);
    expect(() => new CommandTrainer({ command: [] })).toThrow('the trainer command is empty');
  });
});

// The reference recipe needs torch and a GPU to train; its request and data checks run anywhere.
const RECIPE = join(fixturesDir, '../../scripts/train_lora_peft.py');
const HAS_PYTHON = spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!HAS_PYTHON)(
  'scripts/train_lora_peft.py as the command (checks that run before training)',
  () => {
    const recipe = new CommandTrainer({ command: ['python3', RECIPE] });

    it('names a malformed line of chat data', async () => {
      const good = JSON.stringify({
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: '{}' },
        ],
      });
      const bad = jsonlFile('supervised', 0, 'train.jsonl', [good, '{"messages": [']);
      await expect(recipe.train(trainRequest({ trainFile: bad }))).rejects.toThrow(
        /exited with code 2; its last stderr lines:\ntrain_lora_peft: train.jsonl line 2 is not JSON/,
      );
    });

    it('names what a DPO example lacks', async () => {
      const bad = jsonlFile('dpo', 0, 'pairs.jsonl', [
        JSON.stringify({ input: { messages: [{ role: 'user', content: 'go' }] }, preferred_output: [] }),
      ]);
      await expect(recipe.train(trainRequest({ method: 'dpo', trainFile: bad }))).rejects.toThrow(
        'train_lora_peft: pairs.jsonl line 1 preferred_output: expected a non-empty list of messages',
      );
    });
  },
);

describe('parseTrainerLine', () => {
  it('reads the contract lines and passes anything else on as a message', () => {
    expect(
      parseTrainerLine('{"type":"progress","step":3,"totalSteps":9,"epoch":1,"loss":1.5,"etaSeconds":12}'),
    ).toEqual({
      type: 'progress',
      progress: { step: 3, totalSteps: 9, epoch: 1, loss: 1.5, etaSeconds: 12 },
    });
    expect(parseTrainerLine('{"type":"message","text":"saving"}')).toEqual({
      type: 'message',
      text: 'saving',
    });
    expect(parseTrainerLine('{"type":"done","output":"adapter","format":"peft"}')).toEqual({
      type: 'done',
      output: 'adapter',
      format: 'peft',
    });
    expect(parseTrainerLine('Loading checkpoint shards: 100%')).toEqual({
      type: 'message',
      text: 'Loading checkpoint shards: 100%',
    });
    expect(parseTrainerLine('{"loss": 1.2}')).toEqual({ type: 'message', text: '{"loss": 1.2}' });
    expect(parseTrainerLine('   ')).toBeUndefined();
    expect(
      parseTrainerLine('{"type":"progress","step":1,"totalSteps":2,"epoch":1,"loss":1,"validLoss":"x"}'),
    ).toMatchObject({
      type: 'malformed',
      reason: 'validLoss must be numbers when given',
    });
  });
});
