// Does a GGUF LoRA adapter fit a base model? The checks llama.cpp makes when it loads one
// (src/llama-adapter.cpp), made beforehand from the two headers so the user gets an error that names
// the tensor and both shapes instead of llama.cpp's "Failed to initialize LoRA adapter".
//
// llama.cpp only compares the architecture, tensor names and shapes: an adapter trained on another
// checkpoint of the same shape passes. The adapter registry adds the base file's hash for that.
import { AdapterError } from '../train/errors.ts';
import { ModelFileError, readGgufHeader, type GgufHeader, type GgufTensorShape } from './gguf-info.ts';

export interface AdapterSummary {
  architecture: string;
  /** The largest rank over the targets (a PEFT rank_pattern can give modules different ranks). */
  rank: number;
  /** The adapted base tensors (e.g. blk.0.attn_q.weight), in file order. */
  targets: string[];
  /** Tensors in the adapter file. */
  tensors: number;
  /** adapter.lora.alpha; absent (or 0) means llama.cpp applies no alpha / rank factor. */
  alpha?: number;
}

/** Reads a GGUF header; a missing, truncated or corrupt file is an AdapterError naming it. */
export async function readGgufForAdapter(path: string): Promise<GgufHeader> {
  try {
    return await readGgufHeader(path);
  } catch (err) {
    if (err instanceof ModelFileError) throw new AdapterError(err.message, { cause: err });
    throw err;
  }
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** The metadata value at a dotted key of node-llama-cpp's nested metadata. */
export function metadataValue(metadata: Record<string, unknown>, dotted: string): unknown {
  let value: unknown = metadata;
  for (const part of dotted.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

/** Pairs X.lora_a / X.lora_b by X; llama.cpp ignores *_norm.weight and refuses any other name. */
function pairTensors(
  adapterPath: string,
  tensors: GgufTensorShape[],
): Map<string, { a?: GgufTensorShape; b?: GgufTensorShape }> {
  const pairs = new Map<string, { a?: GgufTensorShape; b?: GgufTensorShape }>();
  for (const tensor of tensors) {
    const match = /^(.*)\.lora_(a|b)$/.exec(tensor.name);
    if (!match) {
      if (tensor.name.endsWith('_norm.weight')) continue;
      throw new AdapterError(
        `${adapterPath}: tensor '${tensor.name}' is not part of a LoRA (names must end in .lora_a or .lora_b)`,
      );
    }
    const pair = pairs.get(match[1]) ?? {};
    pair[match[2] as 'a' | 'b'] = tensor;
    pairs.set(match[1], pair);
  }
  return pairs;
}

/** The rank of one target, after checking its A and B against the base tensor. */
function checkPair(
  adapterPath: string,
  basePath: string,
  target: string,
  a: GgufTensorShape,
  b: GgufTensorShape,
  base: GgufTensorShape,
): number {
  const where = `${adapterPath}: ${target}`;
  if (a.shape.length !== 2 || b.shape.length !== 2)
    throw new AdapterError(
      `${where}: lora_a ${shapeText(a.shape)} and lora_b ${shapeText(b.shape)} must both be matrices`,
    );
  if (base.shape.length !== 2)
    throw new AdapterError(
      `${where}: the base tensor in ${basePath} has shape ${shapeText(base.shape)}, not a matrix a LoRA can adapt`,
    );
  const [nIn, nOut] = base.shape;
  // token_embd is read by row (get_rows on A), so llama.cpp expects A and B flipped there:
  // A ne=[r, n_vocab], B ne=[r, n_embd]; everywhere else A ne=[n_in, r], B ne=[r, n_out].
  const embedding = target.endsWith('token_embd.weight');
  const [aRank, aDim, aWant] = embedding
    ? [a.shape[0], a.shape[1], `[r, ${nOut}]`]
    : [a.shape[1], a.shape[0], `[${nIn}, r]`];
  const [bRank, bDim, bWant] = [b.shape[0], b.shape[1], `[r, ${embedding ? nIn : nOut}]`];
  const hint = `for the base tensor ${shapeText(base.shape)} in ${basePath} (an adapter for another base model?)`;
  if (aDim !== (embedding ? nOut : nIn))
    throw new AdapterError(`${where}.lora_a has shape ${shapeText(a.shape)}, expected ${aWant} ${hint}`);
  if (bDim !== (embedding ? nIn : nOut))
    throw new AdapterError(`${where}.lora_b has shape ${shapeText(b.shape)}, expected ${bWant} ${hint}`);
  if (aRank !== bRank || aRank === 0)
    throw new AdapterError(
      `${where}: lora_a ${shapeText(a.shape)} has rank ${aRank} but lora_b ${shapeText(b.shape)} has rank ${bRank}`,
    );
  return aRank;
}

/**
 * Checks a GGUF LoRA adapter against a base GGUF model as llama.cpp will when loading it; returns
 * what it adapts, or throws an AdapterError naming the file, the tensor and the shapes at fault.
 */
export async function checkAdapterAgainstBase(
  adapterPath: string,
  basePath: string,
): Promise<AdapterSummary> {
  return checkAdapterHeaders(await readGgufForAdapter(adapterPath), await readGgufForAdapter(basePath));
}

/** The same check on headers already read (a real base's header, with its vocabulary, is slow to read). */
export function checkAdapterHeaders(adapter: GgufHeader, base: GgufHeader): AdapterSummary {
  const [adapterPath, basePath] = [adapter.info.path, base.info.path];
  if (adapter.info.type !== 'adapter')
    throw new AdapterError(
      `${adapterPath}: is a GGUF ${adapter.info.type} (general.type), not an adapter (general.type = adapter)`,
    );
  const adapterType = metadataValue(adapter.metadata, 'adapter.type');
  if (adapterType !== 'lora')
    throw new AdapterError(
      `${adapterPath}: adapter.type is ${JSON.stringify(adapterType ?? null)}, only 'lora' adapters are supported`,
    );
  if (base.info.type !== 'model')
    throw new AdapterError(`${basePath}: is a GGUF ${base.info.type} (general.type), not a base model`);
  if (adapter.info.architecture !== base.info.architecture)
    throw new AdapterError(
      `${adapterPath}: the adapter is for architecture '${adapter.info.architecture}', the base model ${basePath} is '${base.info.architecture}'`,
    );

  const baseTensors = new Map(base.tensors.map((t) => [t.name, t]));
  const targets: string[] = [];
  let rank = 0;
  for (const [target, { a, b }] of pairTensors(adapterPath, adapter.tensors)) {
    if (!a || !b)
      throw new AdapterError(
        `${adapterPath}: ${target}.lora_${a ? 'a' : 'b'} has no ${target}.lora_${a ? 'b' : 'a'} (a LoRA needs both)`,
      );
    const baseTensor = baseTensors.get(target);
    if (!baseTensor)
      throw new AdapterError(
        target === 'output.weight'
          ? `${adapterPath}: adapts output.weight, but the base model ${basePath} has none (its output is tied to token_embd)`
          : `${adapterPath}: adapts ${target}, which the base model ${basePath} does not have (an adapter for another base model?)`,
      );
    rank = Math.max(rank, checkPair(adapterPath, basePath, target, a, b, baseTensor));
    targets.push(target);
  }
  if (targets.length === 0) throw new AdapterError(`${adapterPath}: the adapter has no LoRA tensors`);
  return {
    architecture: adapter.info.architecture,
    rank,
    targets,
    tensors: adapter.tensors.length,
    alpha: adapter.info.loraAlpha || undefined,
  };
}
