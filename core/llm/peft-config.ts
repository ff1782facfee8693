// A PEFT adapter's adapter_config.json: what it says about the LoRA's scale (r, lora_alpha,
// use_rslora, rank_pattern, alpha_pattern), and the settings a GGUF LoRA cannot express, refused
// with the reason (DoRA, trained biases, modules_to_save, fan_in_fan_out, activated LoRA).
import { readFile } from 'node:fs/promises';
import { AdapterError } from '../train/errors.ts';

export interface PeftLoraConfig {
  /** Default rank and alpha. */
  r: number;
  loraAlpha: number;
  /** rsLoRA: the scale is alpha / sqrt(r) instead of alpha / r. */
  useRslora: boolean;
  /** Per-module overrides, keyed by a regular expression matched against the end of the module name. */
  rankPattern: Record<string, number>;
  alphaPattern: Record<string, number>;
  /** The model it was trained on, as PEFT recorded it (a hub id or a path). */
  baseModel?: string;
}

const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

function numberMap(path: string, key: string, value: unknown): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every(isPositive))
    throw new AdapterError(`${path}: ${key} must map module names to positive numbers`);
  return value as Record<string, number>;
}

/** Reads and checks adapter_config.json; refuses what a GGUF LoRA cannot hold. */
export async function readPeftConfig(path: string): Promise<PeftLoraConfig> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code)
      throw new AdapterError(`${path}: cannot read it (${(err as NodeJS.ErrnoException).code})`);
    throw new AdapterError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AdapterError(`${path}: not a JSON object`);

  if (raw.peft_type !== undefined && raw.peft_type !== 'LORA')
    throw new AdapterError(
      `${path}: a ${String(raw.peft_type)} adapter (peft_type), only LoRA adapters can be imported`,
    );
  if (raw.use_dora === true)
    throw new AdapterError(
      `${path}: a DoRA adapter (use_dora is true): llama.cpp applies plain LoRA only, so its magnitude vectors would be lost`,
    );
  if (raw.bias !== undefined && raw.bias !== 'none')
    throw new AdapterError(
      `${path}: bias is '${String(raw.bias)}': the adapter trained bias vectors, which a GGUF LoRA cannot hold (train with bias='none')`,
    );
  if (raw.lora_bias === true)
    throw new AdapterError(`${path}: lora_bias is true: a GGUF LoRA cannot hold lora_B's bias vectors`);
  if (Array.isArray(raw.modules_to_save) && raw.modules_to_save.length > 0)
    throw new AdapterError(
      `${path}: modules_to_save (${raw.modules_to_save.join(', ')}) saves whole trained modules, which a GGUF LoRA cannot hold (train without modules_to_save, or merge the adapter into the model)`,
    );
  if (raw.fan_in_fan_out === true)
    throw new AdapterError(
      `${path}: fan_in_fan_out is true (GPT-2 style Conv1D layers), which llama, qwen2 and qwen3 do not have`,
    );
  if (Array.isArray(raw.alora_invocation_tokens) && raw.alora_invocation_tokens.length > 0)
    throw new AdapterError(`${path}: an activated LoRA (alora_invocation_tokens), which is not supported`);
  if (!isPositive(raw.r) || !Number.isInteger(raw.r))
    throw new AdapterError(`${path}: r must be a positive integer, got ${JSON.stringify(raw.r)}`);
  if (!isPositive(raw.lora_alpha))
    throw new AdapterError(
      `${path}: lora_alpha must be a positive number, got ${JSON.stringify(raw.lora_alpha)}`,
    );

  const rankPattern = numberMap(path, 'rank_pattern', raw.rank_pattern);
  const alphaPattern = numberMap(path, 'alpha_pattern', raw.alpha_pattern);
  for (const key of [...Object.keys(rankPattern), ...Object.keys(alphaPattern)]) {
    try {
      new RegExp(key);
    } catch {
      throw new AdapterError(
        `${path}: the pattern '${key}' in rank_pattern or alpha_pattern is not a regular expression`,
      );
    }
  }
  return {
    r: raw.r,
    loraAlpha: raw.lora_alpha,
    useRslora: raw.use_rslora === true,
    rankPattern,
    alphaPattern,
    baseModel: typeof raw.base_model_name_or_path === 'string' ? raw.base_model_name_or_path : undefined,
  };
}

/** PEFT's get_pattern_key: the first key that matches the whole name or a dotted suffix of it. */
function patternValue(pattern: Record<string, number>, module: string): number | undefined {
  for (const [key, value] of Object.entries(pattern))
    if (new RegExp(`^(?:.*\\.)?(?:${key})$`).test(module)) return value;
  return undefined;
}

/** A module's rank and its LoRA scale (alpha / r, or alpha / sqrt(r) with rsLoRA). */
export function moduleScale(
  config: PeftLoraConfig,
  module: string,
): { rank: number; alpha: number; scale: number } {
  const rank = patternValue(config.rankPattern, module) ?? config.r;
  const alpha = patternValue(config.alphaPattern, module) ?? config.loraAlpha;
  return { rank, alpha, scale: config.useRslora ? alpha / Math.sqrt(rank) : alpha / rank };
}
