// Reading and writing safetensors files (the format PEFT saves adapters in), for float tensors.
//
// Layout: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}},
// then the raw little-endian, row-major (C order) tensor bytes; offsets count from the end of the
// header. Only F32, F16 and BF16 are read (what LoRA adapters hold); they come back as Float32Array.
// Every problem (truncated file, bad JSON, offsets outside the data, unsupported dtype) is a
// SafetensorsError that names the file and, where there is one, the tensor.
import { readFile, stat } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { LabError } from '../errors.ts';
import { f32ToF16Bits } from './gguf-writer.ts';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  /** Row-major: the last dimension is contiguous (PyTorch order). */
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends LabError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super('bad-safetensors', `${path}: ${detail}`);
  }
}

const BYTES_PER_VALUE: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** Dtypes the format defines that this reader does not convert (named in the error). */
const KNOWN_OTHER_DTYPES = [
  'F64',
  'F8_E4M3',
  'F8_E5M2',
  'I64',
  'I32',
  'I16',
  'I8',
  'U8',
  'BOOL',
  'U16',
  'U32',
  'U64',
];
/** The format's own limit on the header, so a hostile length cannot make us allocate gigabytes. */
const MAX_HEADER_BYTES = 100_000_000;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
  throw new Error('safetensors.ts assumes a little-endian machine');

/** IEEE half precision bits to a number. */
export function f16BitsToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** bfloat16 is the top half of an f32. */
export function bf16BitsToF32(bits: number): number {
  return new Float32Array(new Uint32Array([bits << 16]).buffer)[0];
}

/** Round an f32 to bfloat16, to nearest even (NaN stays NaN). */
export function f32ToBf16Bits(value: number): number {
  const x = new Uint32Array(new Float32Array([value]).buffer)[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function parseHeader(
  path: string,
  json: string,
  dataBytes: number,
): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new SafetensorsError(path, `the safetensors header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SafetensorsError(path, 'the safetensors header is not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new SafetensorsError(path, '__metadata__ is not an object of strings');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new SafetensorsError(path, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    const shape = info?.shape;
    const offsets = info?.data_offsets;
    if (
      typeof info?.dtype !== 'string' ||
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
    )
      throw new SafetensorsError(
        path,
        `tensor '${name}' has no valid {dtype, shape, data_offsets} in the header (got ${JSON.stringify(value)})`,
      );
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataBytes)
      throw new SafetensorsError(
        path,
        `tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataBytes} bytes of data after the header (truncated or corrupt file)`,
      );
    entries.push({ name, dtype: info.dtype, shape: shape as number[], begin, end });
  }

  // The format forbids overlaps; two tensors sharing bytes mean a corrupt header.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].begin < sorted[i - 1].end)
      throw new SafetensorsError(
        path,
        `tensors '${sorted[i - 1].name}' and '${sorted[i].name}' overlap in the data`,
      );
  return { entries, metadata };
}

function decode(path: string, entry: HeaderEntry, bytes: Buffer): SafetensorsTensor {
  const dtype = entry.dtype as SafetensorsDtype;
  const size = BYTES_PER_VALUE[dtype];
  if (size === undefined) {
    const what = KNOWN_OTHER_DTYPES.includes(entry.dtype) ? 'an unsupported' : 'an unknown';
    throw new SafetensorsError(
      path,
      `tensor '${entry.name}' has ${what} dtype ${entry.dtype} (only F32, F16 and BF16 are read)`,
    );
  }
  const count = entry.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * size)
    throw new SafetensorsError(
      path,
      `tensor '${entry.name}' (${dtype} [${entry.shape.join(', ')}]) needs ${count * size} bytes, its data_offsets give ${bytes.length}`,
    );
  // A copy into a fresh ArrayBuffer: the tensor's bytes may not be aligned in the file buffer.
  const raw = new Uint8Array(bytes).buffer;
  if (dtype === 'F32') return { dtype, shape: entry.shape, data: new Float32Array(raw) };
  const halves = new Uint16Array(raw);
  const data = new Float32Array(count);
  if (dtype === 'BF16') {
    const wide = new Uint32Array(data.buffer);
    for (let i = 0; i < count; i++) wide[i] = halves[i] << 16;
  } else {
    for (let i = 0; i < count; i++) data[i] = f16BitsToF32(halves[i]);
  }
  return { dtype, shape: entry.shape, data };
}

/** Every tensor of a safetensors file, as f32, and its string metadata. */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  let file: Buffer;
  try {
    if (!(await stat(path)).isFile()) throw new SafetensorsError(path, 'not a regular file');
    file = await readFile(path);
  } catch (err) {
    if (err instanceof SafetensorsError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new SafetensorsError(
      path,
      code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(err)})`,
    );
  }
  if (file.length < 8)
    throw new SafetensorsError(
      path,
      `truncated safetensors file: ${file.length} bytes, the header length alone takes 8`,
    );
  const headerBytes = file.readBigUInt64LE(0);
  if (headerBytes > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(
      path,
      `the safetensors header claims ${headerBytes} bytes (at most ${MAX_HEADER_BYTES}): not a safetensors file`,
    );
  const dataStart = 8 + Number(headerBytes);
  if (dataStart > file.length)
    throw new SafetensorsError(
      path,
      `truncated safetensors file: the header needs ${headerBytes} bytes, the file has ${file.length - 8} after the length`,
    );
  const { entries, metadata } = parseHeader(
    path,
    file.toString('utf8', 8, dataStart),
    file.length - dataStart,
  );
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const entry of entries)
    tensors[entry.name] = decode(path, entry, file.subarray(dataStart + entry.begin, dataStart + entry.end));
  return { tensors, metadata };
}

function encode(name: string, tensor: SafetensorsTensor): Buffer {
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== count)
    throw new RangeError(
      `tensor ${name}: data has ${tensor.data.length} values, shape [${tensor.shape.join(', ')}] needs ${count}`,
    );
  if (tensor.dtype === 'F32') return Buffer.from(new Float32Array(tensor.data).buffer);
  const halves = new Uint16Array(count);
  const toBits = tensor.dtype === 'BF16' ? f32ToBf16Bits : f32ToF16Bits;
  for (let i = 0; i < count; i++) halves[i] = toBits(tensor.data[i]);
  return Buffer.from(halves.buffer);
}

/** Writes a safetensors file (tensors in the given order); returns its size in bytes. */
export function writeSafetensors(
  path: string,
  tensors: Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): number {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (!(tensor.dtype in BYTES_PER_VALUE))
      throw new RangeError(`tensor ${name}: cannot write dtype ${tensor.dtype}`);
    const bytes = encode(name, tensor);
    header[name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + bytes.length],
    };
    blobs.push(bytes);
    offset += bytes.length;
  }
  // Spaces pad the header so the data starts 8-byte aligned, as the reference writer does.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const bytes = Buffer.concat([length, Buffer.from(json, 'utf8'), ...blobs]);
  writeFileSync(path, bytes);
  return bytes.length;
}
