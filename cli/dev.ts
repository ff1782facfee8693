// lab dev tiny-model | lab dev model-info: developer tools for the local-LLM path.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ParsedArgs } from './args.ts';
import { UsageError } from './args.ts';
import { print } from './print.ts';
import { formatModelInfo, ModelFileError, readModelInfo, type ModelInfo } from '../core/llm/gguf-info.ts';
import { writeTinyLlama, writeTinyLora } from '../core/llm/tiny-model.ts';

export const DEV_USAGE = `  lab dev tiny-model <out.gguf> [--lora <out-lora.gguf>] [--seed N] [--f16] [--json]
                                         write the tiny random-weight llama (and a LoRA adapter
                                         for it) used by the offline tests, then show their metadata
  lab dev model-info <file.gguf> [--json]
                                         architecture, parameters, context, template, quantisation
`;

function parseSeed(value: string | true | undefined): number {
  if (value === undefined) return 1;
  if (value === true || !/^\d+$/.test(value) || Number(value) > 0xffffffff)
    throw new UsageError(`--seed needs a whole number from 0 to 4294967295, got '${String(value)}'`);
  return Number(value);
}

function outputPath(value: string, flag: string): string {
  if (!value.endsWith('.gguf')) throw new UsageError(`${flag} must name a .gguf file, got '${value}'`);
  const path = resolve(value);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

export async function devCommand({ positionals, flags }: ParsedArgs): Promise<number> {
  const [sub, ...rest] = positionals;
  const json = flags.json === true;

  if (sub === 'tiny-model') {
    if (rest.length !== 1)
      throw new UsageError('lab dev tiny-model needs exactly one output file (<out.gguf>)');
    const seed = parseSeed(flags.seed);
    if (flags.lora === true) throw new UsageError('--lora needs a file name');
    const modelPath = outputPath(rest[0], 'the output');
    const loraPath = flags.lora === undefined ? undefined : outputPath(flags.lora, '--lora');
    writeTinyLlama(modelPath, { seed, f16: flags.f16 === true });
    if (loraPath) writeTinyLora(loraPath, { seed });
    const infos: ModelInfo[] = [await readModelInfo(modelPath)];
    if (loraPath) infos.push(await readModelInfo(loraPath));
    if (json) print(infos, true);
    else print(infos.map((info) => `wrote ${info.path}\n${formatModelInfo(info)}`).join(''), false);
    return 0;
  }

  if (sub === 'model-info') {
    if (rest.length !== 1) throw new UsageError('lab dev model-info needs exactly one .gguf file');
    try {
      const info = await readModelInfo(rest[0]);
      print(json ? info : formatModelInfo(info), json);
      return 0;
    } catch (err) {
      if (!(err instanceof ModelFileError)) throw err;
      process.stderr.write(`lab: ${err.message}\n`);
      return 1;
    }
  }

  throw new UsageError(`unknown dev command '${sub ?? ''}': use tiny-model or model-info`);
}
