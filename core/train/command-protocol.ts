// The trainer command's side of the contract (see command-trainer.ts): what its stdout lines mean,
// and whether the adapter it says it wrote is there.
import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TrainError } from './errors.ts';
import type { TrainProgress } from './types.ts';

export type AdapterFormat = 'peft' | 'gguf-lora';

export type TrainerLine =
  | { type: 'progress'; progress: Omit<TrainProgress, 'message'> }
  | { type: 'message'; text: string }
  | { type: 'done'; output: string; format: AdapterFormat }
  /** A line that looks like the contract but breaks it: shown as a message, and named if no done follows. */
  | { type: 'malformed'; kind: string; reason: string; text: string };

const MAX_TEXT = 1000;

/** One stdout line; undefined for a blank one. Anything that is not a contract line is a message. */
export function parseTrainerLine(raw: string): TrainerLine | undefined {
  const line = raw.trim();
  if (!line) return undefined;
  const text = line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT)}…` : line;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { type: 'message', text };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { type: 'message', text };
  const fields = value as Record<string, unknown>;
  switch (fields.type) {
    case 'progress':
      return parseProgress(fields, text);
    case 'message':
      return typeof fields.text === 'string'
        ? { type: 'message', text: fields.text.slice(0, MAX_TEXT) }
        : { type: 'malformed', kind: 'message', reason: 'text must be a string', text };
    case 'done':
      if (typeof fields.output !== 'string' || !fields.output)
        return { type: 'malformed', kind: 'done', reason: 'output must be a path', text };
      if (fields.format !== 'peft' && fields.format !== 'gguf-lora')
        return { type: 'malformed', kind: 'done', reason: `format must be "peft" or "gguf-lora"`, text };
      return { type: 'done', output: fields.output, format: fields.format };
    default:
      return { type: 'message', text };
  }
}

function parseProgress(fields: Record<string, unknown>, text: string): TrainerLine {
  const missing = ['step', 'totalSteps', 'epoch', 'loss'].filter((name) => !isFiniteNumber(fields[name]));
  const badOptional = ['validLoss', 'etaSeconds', 'tokensPerSecond'].filter(
    (name) => fields[name] !== undefined && !isFiniteNumber(fields[name]),
  );
  if (missing.length || badOptional.length)
    return {
      type: 'malformed',
      kind: 'progress',
      reason: [
        missing.length ? `${missing.join(', ')} must be numbers` : '',
        badOptional.length ? `${badOptional.join(', ')} must be numbers when given` : '',
      ]
        .filter(Boolean)
        .join('; '),
      text,
    };
  const progress: Omit<TrainProgress, 'message'> = {
    step: fields.step as number,
    totalSteps: fields.totalSteps as number,
    epoch: fields.epoch as number,
    loss: fields.loss as number,
  };
  for (const name of ['validLoss', 'etaSeconds', 'tokensPerSecond'] as const)
    if (fields[name] !== undefined) progress[name] = fields[name] as number;
  return { type: 'progress', progress };
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * The adapter a done line names, checked: a PEFT folder with adapter_config.json (JSON) and
 * adapter_model.safetensors, or a .gguf file. A relative path is taken from outDir. Returns the
 * absolute path.
 */
export async function checkTrainerOutput(
  output: string,
  format: AdapterFormat,
  outDir: string,
): Promise<string> {
  const path = resolve(outDir, output);
  const said = `the trainer said it wrote a ${format === 'peft' ? 'PEFT adapter folder' : 'GGUF LoRA file'} at ${path}`;
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new TrainError(`${said}, but there is nothing there`);
  if (format === 'peft') {
    if (!info.isDirectory()) throw new TrainError(`${said}, but it is not a folder`);
    const config = join(path, 'adapter_config.json');
    const weights = join(path, 'adapter_model.safetensors');
    const text = await readFile(config, 'utf8').catch(() => undefined);
    if (text === undefined) throw new TrainError(`${said}, but it has no adapter_config.json`);
    try {
      JSON.parse(text);
    } catch {
      throw new TrainError(`${said}, but its adapter_config.json is not valid JSON`);
    }
    const weightsInfo = await stat(weights).catch(() => undefined);
    if (!weightsInfo?.isFile()) throw new TrainError(`${said}, but it has no adapter_model.safetensors`);
    return path;
  }
  if (!info.isFile()) throw new TrainError(`${said}, but it is not a file`);
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    if (magic.toString('latin1') !== 'GGUF') throw new TrainError(`${said}, but it does not start with GGUF`);
  } finally {
    await handle.close();
  }
  return path;
}
