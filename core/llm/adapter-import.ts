// Importing LoRA adapters for a base GGUF model: a PEFT folder (adapter_config.json and
// adapter_model.safetensors, as Hugging Face PEFT, TRL and Unsloth save them) is converted to a
// GGUF LoRA in TypeScript, without Python; an existing GGUF LoRA is checked against the base.
//
// The true scale (lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA, per module with
// rank_pattern / alpha_pattern) is multiplied into lora_B, and adapter.lora.alpha is written equal
// to the rank, so llama.cpp's own alpha / r factor is 1. (When modules have different ranks no one
// alpha does that, so adapter.lora.alpha is left out: llama.cpp then applies no factor at all.)
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AdapterError } from '../train/errors.ts';
import { writeFileAtomicallySync } from '../files/atomic-write.ts';
import { kv, encodeGguf, type GgufTensor, type GgufValue } from './gguf-writer.ts';
import {
  checkAdapterAgainstBase,
  metadataValue,
  readGgufForAdapter,
  type AdapterSummary,
} from './adapter-check.ts';
import type { GgufHeader } from './gguf-info.ts';
import { moduleScale, readPeftConfig, type PeftLoraConfig } from './peft-config.ts';
import {
  ggufTargetFor,
  PEFT_ARCHITECTURES,
  PEFT_MODULE_NAMES,
  permuteRopeRows,
  transpose,
} from './peft-to-gguf.ts';
import { readSafetensors, SafetensorsError, type SafetensorsTensor } from './safetensors.ts';

export type { AdapterSummary } from './adapter-check.ts';

const PEFT_PREFIX = 'base_model.model.';

/** One adapted module: its two PEFT tensors under their safetensors keys. */
interface PeftPair {
  module: string;
  embedding: boolean;
  a?: { key: string; tensor: SafetensorsTensor };
  b?: { key: string; tensor: SafetensorsTensor };
}

/** What the files of a PEFT folder are; refuses a missing folder, config or safetensors file. */
function peftFiles(folder: string): { config: string; weights: string } {
  const isFile = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new AdapterError(
      `${folder}: no such folder (a PEFT adapter is a folder with adapter_config.json and adapter_model.safetensors)`,
    );
  const config = join(folder, 'adapter_config.json');
  const weights = join(folder, 'adapter_model.safetensors');
  if (!isFile(config))
    throw new AdapterError(
      `${folder}: has no adapter_config.json, so it is not a PEFT adapter folder (or it was saved incompletely)`,
    );
  if (!isFile(weights)) {
    if (isFile(join(folder, 'adapter_model.bin')))
      throw new AdapterError(
        `${folder}: has adapter_model.bin but no adapter_model.safetensors; PyTorch pickles are not read (loading one can run code): save the adapter with safe_serialization=True`,
      );
    throw new AdapterError(`${folder}: has no adapter_model.safetensors`);
  }
  return { config, weights };
}

/** Groups the safetensors entries by module; refuses DoRA and every tensor that is not a LoRA half. */
function pairByModule(weightsPath: string, tensors: Record<string, SafetensorsTensor>): PeftPair[] {
  const pairs = new Map<string, PeftPair>();
  for (const [key, tensor] of Object.entries(tensors)) {
    if (key.includes('lora_magnitude_vector'))
      throw new AdapterError(
        `${weightsPath}: '${key}' is a DoRA magnitude vector: DoRA adapters cannot be imported (llama.cpp applies plain LoRA only)`,
      );
    const match = /^(.*)\.lora_(A|B|embedding_A|embedding_B)(\.weight)?$/.exec(key);
    if (!match || !match[1].startsWith(PEFT_PREFIX))
      throw new AdapterError(
        `${weightsPath}: '${key}' is a full tensor, not a LoRA lora_A/lora_B pair (from modules_to_save or a trained ${key.replace(PEFT_PREFIX, '')}?): a GGUF LoRA cannot hold it`,
      );
    const module = match[1].slice(PEFT_PREFIX.length);
    const embedding = match[2].startsWith('embedding');
    const pair = pairs.get(module) ?? { module, embedding };
    if (pair.embedding !== embedding)
      throw new AdapterError(`${weightsPath}: ${module} has both lora_embedding and lora tensors`);
    pair[match[2].endsWith('A') ? 'a' : 'b'] = { key, tensor };
    pairs.set(module, pair);
  }
  if (pairs.size === 0) throw new AdapterError(`${weightsPath}: holds no LoRA tensors`);
  return [...pairs.values()];
}

/** The base model's header, refusing an adapter file or an architecture without a name map. */
async function readBase(basePath: string): Promise<GgufHeader> {
  const base = await readGgufForAdapter(basePath);
  if (base.info.type !== 'model')
    throw new AdapterError(`${basePath}: is a GGUF ${base.info.type} (general.type), not a base model`);
  if (!(PEFT_ARCHITECTURES as readonly string[]).includes(base.info.architecture))
    throw new AdapterError(
      `${basePath}: architecture '${base.info.architecture}' is not supported for PEFT import (supported: ${PEFT_ARCHITECTURES.join(', ')})`,
    );
  return base;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** lora_A and lora_B of one module as GGUF tensors, scaled, permuted and shape-checked. */
function convertPair(
  weightsPath: string,
  basePath: string,
  pair: PeftPair,
  base: GgufHeader,
  config: PeftLoraConfig,
): { tensors: GgufTensor[]; rank: number; target: string } {
  const { module } = pair;
  const architecture = base.info.architecture;
  if (!pair.a || !pair.b)
    throw new AdapterError(
      `${weightsPath}: ${module} has lora_${pair.a ? 'A' : 'B'} but no lora_${pair.a ? 'B' : 'A'}`,
    );
  const target = ggufTargetFor(module, architecture);
  if (!target || Boolean(target.embedding) !== pair.embedding)
    throw new AdapterError(
      `${weightsPath}: no GGUF tensor for the ${pair.embedding ? 'embedding ' : ''}module '${module}' in a ${architecture} model (LoRA on ${PEFT_MODULE_NAMES.join(', ')} can be imported)`,
    );
  const baseTensor = base.tensors.find((t) => t.name === target.tensor);
  if (!baseTensor) {
    if (target.tensor === 'output.weight')
      throw new AdapterError(
        `${weightsPath}: has a LoRA on lm_head, but the base model ${basePath} has no output.weight: its output is tied to the token embeddings, so llama.cpp cannot apply it`,
      );
    throw new AdapterError(
      `${weightsPath}: adapts ${module}, but the base model ${basePath} has no ${target.tensor} (an adapter for another base model?)`,
    );
  }

  const a = pair.a.tensor;
  const b = pair.b.tensor;
  if (a.shape.length !== 2 || b.shape.length !== 2)
    throw new AdapterError(
      `${weightsPath}: ${module}: lora_A ${shapeText(a.shape)} and lora_B ${shapeText(b.shape)} must be matrices`,
    );
  // The base GGUF tensor has ne = [n_in, n_out]; for token_embd that is [n_embd, n_vocab].
  const [nIn, nOut] = baseTensor.shape;
  // PEFT shapes (row-major): linear A [r, in], B [out, r]; embedding A [r, vocab], B [embd, r].
  const [aRank, aCols, aWant] = [a.shape[0], a.shape[1], pair.embedding ? nOut : nIn];
  const [bRows, bRank, bWant] = [b.shape[0], b.shape[1], pair.embedding ? nIn : nOut];
  const against = `the base tensor ${target.tensor} ${shapeText(baseTensor.shape)} in ${basePath} (an adapter for another base model?)`;
  if (aCols !== aWant)
    throw new AdapterError(
      `${weightsPath}: ${pair.a.key} has shape ${shapeText(a.shape)}, expected [r, ${aWant}] for ${against}`,
    );
  if (bRows !== bWant)
    throw new AdapterError(
      `${weightsPath}: ${pair.b.key} has shape ${shapeText(b.shape)}, expected [${bWant}, r] for ${against}`,
    );
  if (aRank !== bRank)
    throw new AdapterError(
      `${weightsPath}: ${module}: lora_A ${shapeText(a.shape)} has rank ${aRank}, lora_B ${shapeText(b.shape)} rank ${bRank}`,
    );
  const { rank, scale } = moduleScale(config, module);
  if (rank !== aRank)
    throw new AdapterError(
      `${weightsPath}: ${module} has rank ${aRank}, but adapter_config.json gives it r = ${rank}: the config does not describe these weights`,
    );

  let bData: Float32Array = Float32Array.from(b.data, (v) => v * scale);
  if (target.permuteHeads) {
    const heads =
      metadataValue(base.metadata, `${architecture}.attention.${target.permuteHeads}`) ??
      metadataValue(base.metadata, `${architecture}.attention.head_count`);
    if (typeof heads !== 'number' || bRows % (2 * heads) !== 0)
      throw new AdapterError(
        `${basePath}: ${architecture}.attention.${target.permuteHeads} is ${JSON.stringify(heads)}, which does not split ${target.tensor}'s ${bRows} rows into heads`,
      );
    bData = permuteRopeRows(bData, bRows, aRank, heads);
  }
  // ggml ne order is the reverse of PyTorch's shape: [r, in] row-major is ne=[in, r].
  const aTensor: GgufTensor = pair.embedding
    ? {
        name: `${target.tensor}.lora_a`,
        shape: [aRank, aCols],
        type: 'f32',
        data: transpose(a.data, aRank, aCols),
      }
    : { name: `${target.tensor}.lora_a`, shape: [aCols, aRank], type: 'f32', data: a.data };
  const bTensor: GgufTensor = {
    name: `${target.tensor}.lora_b`,
    shape: [aRank, bRows],
    type: 'f32',
    data: bData,
  };
  return { tensors: [aTensor, bTensor], rank: aRank, target: target.tensor };
}

/** Orders tensor names as llama.cpp's converter writes them: by layer, then by name. */
function byLayer(a: string, b: string): number {
  const layer = (name: string): number => Number(/^blk\.(\d+)\./.exec(name)?.[1] ?? -1);
  return layer(a) - layer(b) || a.localeCompare(b);
}

/**
 * Converts a PEFT LoRA folder into a GGUF LoRA for the base model at basePath, written atomically
 * to outPath. Refuses (AdapterError, naming the file and the reason) what it cannot convert exactly.
 */
export async function importPeftAdapter(
  folder: string,
  basePath: string,
  outPath: string,
  options: { name?: string } = {},
): Promise<AdapterSummary> {
  const files = peftFiles(folder);
  const config = await readPeftConfig(files.config);
  const base = await readBase(basePath);
  let weights: Record<string, SafetensorsTensor>;
  try {
    weights = (await readSafetensors(files.weights)).tensors;
  } catch (err) {
    if (err instanceof SafetensorsError) throw new AdapterError(err.message, { cause: err });
    throw err;
  }

  const converted = pairByModule(files.weights, weights).map((pair) =>
    convertPair(files.weights, basePath, pair, base, config),
  );
  converted.sort((x, y) => byLayer(x.target, y.target));
  const ranks = new Set(converted.map((c) => c.rank));
  const metadata: Record<string, GgufValue> = {
    'general.architecture': kv.string(base.info.architecture),
    'general.type': kv.string('adapter'),
    'general.name': kv.string(options.name ?? basename(folder)),
    'adapter.type': kv.string('lora'),
  };
  if (ranks.size === 1) metadata['adapter.lora.alpha'] = kv.f32([...ranks][0]);
  if (config.baseModel) metadata['general.base_model.0.name'] = kv.string(config.baseModel);
  if (config.baseModel) metadata['general.base_model.count'] = kv.u32(1);
  const tensors = converted.flatMap((c) => c.tensors);
  writeFileAtomicallySync(outPath, encodeGguf({ metadata, tensors }));
  return {
    architecture: base.info.architecture,
    rank: Math.max(...ranks),
    targets: converted.map((c) => c.target),
    tensors: tensors.length,
    alpha: ranks.size === 1 ? [...ranks][0] : undefined,
  };
}

/** Checks an existing GGUF LoRA against the base model; the summary, or an AdapterError. */
export function importGgufAdapter(path: string, basePath: string): Promise<AdapterSummary> {
  return checkAdapterAgainstBase(path, basePath);
}
