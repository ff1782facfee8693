// A small, dependency-free GGUF v3 writer: header, typed key/value metadata (scalars and arrays),
// tensor infos and F32/F16 tensor data, each aligned to 32 bytes. Enough to build test models and
// LoRA adapters that llama.cpp loads; it does not quantise.
//
// Layout (all little-endian): "GGUF" u32 version, u64 tensor count, u64 kv count, the kv pairs,
// the tensor infos (name, n_dims, u64 dims with ne[0] = the fastest-moving/input dim, u32 ggml type,
// u64 offset into the data section), zero padding to the alignment, then the tensor data.
import { writeFileSync } from 'node:fs';

export const GGUF_ALIGNMENT = 32;

/** GGUF value type ids. */
const VALUE_TYPE = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufScalarType = Exclude<keyof typeof VALUE_TYPE, 'array'>;
type Scalar = number | bigint | boolean | string;

export type GgufValue =
  | { type: GgufScalarType; value: Scalar }
  | { type: 'array'; itemType: GgufScalarType; values: readonly Scalar[] };

/** Helpers so metadata reads like `{'llama.block_count': kv.u32(2)}`. */
export const kv = {
  u8: (value: number): GgufValue => ({ type: 'u8', value }),
  i8: (value: number): GgufValue => ({ type: 'i8', value }),
  u16: (value: number): GgufValue => ({ type: 'u16', value }),
  i16: (value: number): GgufValue => ({ type: 'i16', value }),
  u32: (value: number): GgufValue => ({ type: 'u32', value }),
  i32: (value: number): GgufValue => ({ type: 'i32', value }),
  u64: (value: number | bigint): GgufValue => ({ type: 'u64', value }),
  i64: (value: number | bigint): GgufValue => ({ type: 'i64', value }),
  f32: (value: number): GgufValue => ({ type: 'f32', value }),
  f64: (value: number): GgufValue => ({ type: 'f64', value }),
  bool: (value: boolean): GgufValue => ({ type: 'bool', value }),
  string: (value: string): GgufValue => ({ type: 'string', value }),
  array: (itemType: GgufScalarType, values: readonly Scalar[]): GgufValue => ({
    type: 'array',
    itemType,
    values,
  }),
};

/** ggml tensor types this writer can store. */
export const GGML_TYPE = { f32: 0, f16: 1 } as const;
export type GgufTensorType = keyof typeof GGML_TYPE;

export interface GgufTensor {
  name: string;
  /** ggml order: shape[0] is the innermost (input) dimension. */
  shape: readonly number[];
  type: GgufTensorType;
  /** Row-major with shape[0] fastest; length must be the product of shape. */
  data: Float32Array;
}

export interface GgufFile {
  /** Keys are written in insertion order. */
  metadata: Record<string, GgufValue>;
  tensors: GgufTensor[];
}

/** Appends little-endian values to a list of buffers. */
class ByteSink {
  readonly chunks: Buffer[] = [];
  length = 0;

  push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }

  private fixed(size: number, write: (b: Buffer) => void): void {
    const b = Buffer.alloc(size);
    write(b);
    this.push(b);
  }

  u32(v: number): void {
    this.fixed(4, (b) => b.writeUInt32LE(v));
  }

  u64(v: number | bigint): void {
    this.fixed(8, (b) => b.writeBigUInt64LE(BigInt(v)));
  }

  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }

  pad(alignment: number): void {
    const rest = this.length % alignment;
    if (rest !== 0) this.push(Buffer.alloc(alignment - rest));
  }

  scalar(type: GgufScalarType, v: Scalar): void {
    const num = (): number => {
      if (typeof v !== 'number') throw new TypeError(`GGUF ${type} value must be a number, got ${typeof v}`);
      return v;
    };
    switch (type) {
      case 'u8':
        return this.fixed(1, (b) => b.writeUInt8(num()));
      case 'i8':
        return this.fixed(1, (b) => b.writeInt8(num()));
      case 'u16':
        return this.fixed(2, (b) => b.writeUInt16LE(num()));
      case 'i16':
        return this.fixed(2, (b) => b.writeInt16LE(num()));
      case 'u32':
        return this.fixed(4, (b) => b.writeUInt32LE(num()));
      case 'i32':
        return this.fixed(4, (b) => b.writeInt32LE(num()));
      case 'f32':
        return this.fixed(4, (b) => b.writeFloatLE(num()));
      case 'f64':
        return this.fixed(8, (b) => b.writeDoubleLE(num()));
      case 'bool':
        if (typeof v !== 'boolean') throw new TypeError(`GGUF bool value must be a boolean, got ${typeof v}`);
        return this.fixed(1, (b) => b.writeUInt8(v ? 1 : 0));
      case 'string':
        if (typeof v !== 'string') throw new TypeError(`GGUF string value must be a string, got ${typeof v}`);
        return this.string(v);
      case 'u64':
      case 'i64':
        if (typeof v !== 'number' && typeof v !== 'bigint')
          throw new TypeError(`GGUF ${type} value must be a number or bigint, got ${typeof v}`);
        return this.fixed(8, (b) =>
          type === 'u64' ? b.writeBigUInt64LE(BigInt(v)) : b.writeBigInt64LE(BigInt(v)),
        );
    }
  }
}

/** IEEE 754 half precision, round to nearest even; overflow gives ±Infinity. */
export function f32ToF16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) !== 0)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) !== 0)) half++; // may carry into the exponent: fine
  e = half >>> 10;
  return sign | (e >= 0x1f ? 0x7c00 : half);
}

function tensorBytes(tensor: GgufTensor): Buffer {
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== count)
    throw new RangeError(
      `tensor ${tensor.name}: data has ${tensor.data.length} values, shape [${tensor.shape.join(', ')}] needs ${count}`,
    );
  if (tensor.type === 'f32') {
    const out = Buffer.alloc(count * 4);
    for (let i = 0; i < count; i++) out.writeFloatLE(tensor.data[i], i * 4);
    return out;
  }
  const out = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) out.writeUInt16LE(f32ToF16Bits(tensor.data[i]), i * 2);
  return out;
}

/** The whole file as one buffer. */
export function encodeGguf(file: GgufFile): Buffer {
  const head = new ByteSink();
  head.push(Buffer.from('GGUF', 'ascii'));
  head.u32(3);
  head.u64(file.tensors.length);
  const entries = Object.entries(file.metadata);
  head.u64(entries.length);
  for (const [key, value] of entries) {
    head.string(key);
    head.u32(VALUE_TYPE[value.type]);
    if (value.type === 'array') {
      head.u32(VALUE_TYPE[value.itemType]);
      head.u64(value.values.length);
      for (const item of value.values) head.scalar(value.itemType, item);
    } else {
      head.scalar(value.type, value.value);
    }
  }

  const data = new ByteSink();
  for (const tensor of file.tensors) {
    data.pad(GGUF_ALIGNMENT);
    const offset = data.length;
    head.string(tensor.name);
    head.u32(tensor.shape.length);
    for (const dim of tensor.shape) head.u64(dim);
    head.u32(GGML_TYPE[tensor.type]);
    head.u64(offset);
    data.push(tensorBytes(tensor));
  }
  head.pad(GGUF_ALIGNMENT);
  data.pad(GGUF_ALIGNMENT);
  return Buffer.concat([...head.chunks, ...data.chunks]);
}

/** Writes the file; returns its size in bytes. */
export function writeGguf(path: string, file: GgufFile): number {
  const bytes = encodeGguf(file);
  writeFileSync(path, bytes);
  return bytes.length;
}
