// What a GGUF file is, without loading its weights: architecture, parameter count, context length,
// chat template, quantisation and size. Bad files (missing, not GGUF, truncated, corrupt) give a
// ModelFileError that names the file and the problem, never a crash.
//
// Two passes: a bounded structural walk of the header written here (so a hostile header cannot make
// the parser allocate gigabytes, and a truncated file is caught: node-llama-cpp's file reader
// zero-fills reads past the end of the file instead of failing), then node-llama-cpp's
// readGgufFileInfo for the typed metadata.
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { LabError } from '../errors.ts';
import { GgufFileType, readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import type { GgufInfo } from '../../api/types.ts';

export type ModelFileProblem = 'missing' | 'unreadable' | 'not-gguf' | 'truncated' | 'corrupt';

export class ModelFileError extends LabError {
  declare readonly kind: ModelFileProblem;
  constructor(
    readonly path: string,
    kind: ModelFileProblem,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(kind, `${path}: ${detail}`, options);
  }
}

const MAX_COUNT = 1_000_000;
const MAX_STRING = 256 * 1024 * 1024;

/** [block size, bytes per block] for the ggml types whose layout is fixed; others are skipped. */
const GGML_BLOCK: Record<number, [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
};

const GGML_NAME: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  8: 'Q8_0',
  12: 'Q4_K',
  14: 'Q6_K',
  30: 'BF16',
};

/**
 * Keys without which llama.cpp aborts the whole process (SIGABRT in the model loader) instead of
 * failing the load, for common transformer architectures.
 */
const ABORTS_WITHOUT: Record<string, string[]> = Object.fromEntries(
  ['llama', 'mistral', 'qwen2', 'qwen3', 'phi3', 'gemma', 'gemma2', 'gemma3', 'granite'].map((arch) => [
    arch,
    ['feed_forward_length', 'attention.head_count'],
  ]),
);

/** A dotted key in node-llama-cpp's nested metadata object. */
function lookup(obj: Record<string, unknown>, dotted: string): unknown {
  let value: unknown = obj;
  for (const part of dotted.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

class Truncated extends Error {}
class Corrupt extends Error {}

/** Sequential reads over a file handle, refusing to go past the end of the file. */
class HeaderCursor {
  pos = 0;
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;

  constructor(
    private readonly handle: Awaited<ReturnType<typeof open>>,
    readonly size: number,
  ) {}

  private async need(n: number): Promise<Buffer> {
    if (this.pos + n > this.size)
      throw new Truncated(`the file ends at byte ${this.size}, inside the header`);
    const end = this.pos + n;
    if (this.pos < this.bufferStart || end > this.bufferStart + this.buffer.length) {
      const length = Math.min(this.size - this.pos, Math.max(n, 1 << 20));
      this.buffer = Buffer.alloc(length);
      await this.handle.read(this.buffer, 0, length, this.pos);
      this.bufferStart = this.pos;
    }
    const at = this.pos - this.bufferStart;
    this.pos = end;
    return this.buffer.subarray(at, at + n);
  }

  async u32(): Promise<number> {
    return (await this.need(4)).readUInt32LE(0);
  }

  async u64(): Promise<number> {
    const v = (await this.need(8)).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Corrupt(`a 64-bit count is implausibly large (${v})`);
    return Number(v);
  }

  async skip(n: number): Promise<void> {
    if (this.pos + n > this.size)
      throw new Truncated(`the file ends at byte ${this.size}, inside the header`);
    this.pos += n;
  }

  async string(): Promise<string> {
    const length = await this.u64();
    if (length > MAX_STRING) throw new Corrupt(`a string of ${length} bytes in the header`);
    return (await this.need(length)).toString('utf8');
  }
}

const SCALAR_SIZE: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

async function skipValue(cursor: HeaderCursor, type: number, key: string): Promise<void> {
  if (type === 8) {
    const length = await cursor.u64();
    if (length > MAX_STRING) throw new Corrupt(`a string of ${length} bytes in '${key}'`);
    return cursor.skip(length);
  }
  if (type === 9) {
    const itemType = await cursor.u32();
    const count = await cursor.u64();
    if (itemType === 9) throw new Corrupt(`nested arrays in '${key}'`);
    if (itemType === 8) {
      for (let i = 0; i < count; i++) await skipValue(cursor, 8, key);
      return;
    }
    const size = SCALAR_SIZE[itemType];
    if (size === undefined) throw new Corrupt(`unknown array item type ${itemType} in '${key}'`);
    return cursor.skip(size * count);
  }
  const size = SCALAR_SIZE[type];
  if (size === undefined) throw new Corrupt(`unknown value type ${type} for '${key}'`);
  return cursor.skip(size);
}

/** Walks the header and checks that every tensor's data lies inside the file. */
async function checkStructure(path: string, size: number): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const cursor = new HeaderCursor(handle, size);
    const magic = Buffer.alloc(Math.min(4, size));
    await handle.read(magic, 0, magic.length, 0);
    if (size === 0) throw new ModelFileError(path, 'not-gguf', 'not a GGUF file (the file is empty)');
    if (magic.toString('latin1') !== 'GGUF') {
      const shown = JSON.stringify(magic.toString('latin1').replace(/[^\x20-\x7e]/g, '?'));
      throw new ModelFileError(
        path,
        'not-gguf',
        `not a GGUF file (the first bytes are ${shown}, not "GGUF")`,
      );
    }
    await cursor.skip(4);
    const version = await cursor.u32();
    if (version !== 2 && version !== 3) throw new Corrupt(`unsupported GGUF version ${version}`);
    const tensorCount = await cursor.u64();
    const kvCount = await cursor.u64();
    if (tensorCount > MAX_COUNT || kvCount > MAX_COUNT)
      throw new Corrupt(`implausible counts (${tensorCount} tensors, ${kvCount} metadata keys)`);
    let alignment = 32;
    for (let i = 0; i < kvCount; i++) {
      const key = await cursor.string();
      const type = await cursor.u32();
      if (key === 'general.alignment' && type === 4) alignment = await cursor.u32();
      else await skipValue(cursor, type, key);
    }
    if (alignment === 0 || alignment % 8 !== 0) throw new Corrupt(`invalid alignment ${alignment}`);
    const tensors: { name: string; elements: number; type: number; offset: number }[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await cursor.string();
      const dims = await cursor.u32();
      if (dims > 8) throw new Corrupt(`tensor '${name}' has ${dims} dimensions`);
      let elements = 1;
      for (let d = 0; d < dims; d++) elements *= await cursor.u64();
      const type = await cursor.u32();
      const offset = await cursor.u64();
      tensors.push({ name, elements, type, offset });
    }
    const dataStart = Math.ceil(cursor.pos / alignment) * alignment;
    for (const t of tensors) {
      const block = GGML_BLOCK[t.type];
      const bytes = block ? Math.ceil(t.elements / block[0]) * block[1] : 0;
      const end = dataStart + t.offset + bytes;
      if (end > size)
        throw new Truncated(`tensor '${t.name}' needs bytes up to ${end} but the file has ${size} bytes`);
    }
  } finally {
    await handle.close();
  }
}

function quantisationName(info: GgufFileInfo): string | undefined {
  const fileType = info.metadata.general?.file_type;
  if (typeof fileType === 'number' && GgufFileType[fileType] !== undefined)
    return GgufFileType[fileType].replace(/^(MOSTLY|ALL)_/, '');
  const counts = new Map<number, number>();
  for (const t of info.tensorInfo ?? [])
    if (t.dimensions.length >= 2) counts.set(t.ggmlType, (counts.get(t.ggmlType) ?? 0) + 1);
  const dominant = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return dominant === undefined ? undefined : (GGML_NAME[dominant] ?? `ggml-type-${dominant}`);
}

/** A tensor as the header declares it: ggml order, shape[0] is the innermost (input) dimension. */
export interface GgufTensorShape {
  name: string;
  shape: number[];
  /** ggml type id (0 F32, 1 F16, 30 BF16, ...). */
  ggmlType: number;
}

export interface GgufHeader {
  info: GgufInfo;
  /** Every metadata key, nested by its dots as node-llama-cpp reads them (general.type is metadata.general.type). */
  metadata: Record<string, unknown>;
  tensors: GgufTensorShape[];
}

/** Reads a GGUF file's header; throws ModelFileError for anything that is not a whole GGUF file. */
export async function readGgufInfo(path: string): Promise<GgufInfo> {
  return (await readGgufHeader(path)).info;
}

/** The header's summary, metadata and tensor shapes; the same checks as readGgufInfo. */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  let fileBytes: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new ModelFileError(path, 'unreadable', 'not a regular file');
    fileBytes = s.size;
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new ModelFileError(path, 'missing', 'no such file', { cause: err });
    throw new ModelFileError(path, 'unreadable', `cannot read the file (${code ?? String(err)})`, {
      cause: err,
    });
  }

  try {
    await checkStructure(path, fileBytes);
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    if (err instanceof Truncated)
      throw new ModelFileError(path, 'truncated', `truncated GGUF file: ${err.message}`);
    if (err instanceof Corrupt)
      throw new ModelFileError(path, 'corrupt', `corrupt GGUF header: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(path, 'unreadable', `cannot read the file (${code ?? String(err)})`, {
      cause: err,
    });
  }

  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false });
  } catch (err) {
    throw new ModelFileError(path, 'corrupt', `corrupt GGUF header: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const raw = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const general = raw.general ?? {};
  const architecture = general.architecture;
  if (typeof architecture !== 'string' || architecture === '')
    throw new ModelFileError(path, 'corrupt', 'GGUF file has no general.architecture');

  let parameters = 0;
  for (const t of info.tensorInfo ?? [])
    parameters += t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
  const archKeys = raw[architecture] ?? {};
  if (general.type !== 'adapter' && ABORTS_WITHOUT[architecture]) {
    const missing = ABORTS_WITHOUT[architecture].filter((key) => typeof lookup(archKeys, key) !== 'number');
    if (missing.length)
      throw new ModelFileError(
        path,
        'corrupt',
        `GGUF ${architecture} model lacks ${missing.map((k) => `${architecture}.${k}`).join(', ')} (llama.cpp would abort the process)`,
      );
  }
  const contextLength = archKeys.context_length;
  const template = raw.tokenizer?.chat_template;
  const alpha = (raw.adapter?.lora as { alpha?: unknown } | undefined)?.alpha;
  const chatTemplate =
    typeof template === 'string' && template.length > 0 ? template.slice(0, 200) : undefined;
  const summary: GgufInfo = {
    path,
    file: basename(path),
    fileBytes,
    type: typeof general.type === 'string' ? general.type : 'model',
    architecture,
    name: typeof general.name === 'string' ? general.name : undefined,
    parameters,
    tensors: info.tensorInfo?.length ?? 0,
    contextLength: typeof contextLength === 'number' ? contextLength : undefined,
    hasChatTemplate: chatTemplate !== undefined,
    chatTemplate,
    quantisation: quantisationName(info),
    loraAlpha: typeof alpha === 'number' ? alpha : undefined,
  };
  const tensors = (info.tensorInfo ?? []).map((t) => ({
    name: t.name,
    shape: t.dimensions.map(Number),
    ggmlType: t.ggmlType as number,
  }));
  return { info: summary, metadata: raw, tensors };
}
