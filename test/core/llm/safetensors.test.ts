// The safetensors reader and writer: hand-made bytes decode to the right numbers (F32, F16, BF16),
// the writer's files read back, and every kind of broken file is refused with its name and reason.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers.ts';
import {
  bf16BitsToF32,
  f16BitsToF32,
  f32ToBf16Bits,
  readSafetensors,
  SafetensorsError,
  writeSafetensors,
} from '../../../core/llm/safetensors.ts';

/** A safetensors file from a header object and raw data bytes, built by hand. */
function rawFile(header: unknown, data: Buffer, headerText = JSON.stringify(header)): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(headerText)));
  return Buffer.concat([length, Buffer.from(headerText), data]);
}

const u16 = (...values: number[]): Buffer => Buffer.from(new Uint16Array(values).buffer);

describe('safetensors', () => {
  it('decodes hand-made F32, F16 and BF16 tensors and the metadata', async () => {
    const f32 = Buffer.from(new Float32Array([1.5, -2, 3.25, 0]).buffer);
    // F16: 1, -2, 0.5, 65504 (the largest), 2^-24 (the smallest subnormal), -0.
    const f16 = u16(0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000);
    // BF16: 1, -2, 3.140625 (0x4049), 1e-38-ish (0x006d).
    const bf16 = u16(0x3f80, 0xc000, 0x4049, 0x006d);
    const path = join(tempDir('blazer-st-'), 'hand.safetensors');
    writeFileSync(
      path,
      rawFile(
        {
          __metadata__: { format: 'pt' },
          w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
          h: { dtype: 'F16', shape: [6], data_offsets: [16, 28] },
          b: { dtype: 'BF16', shape: [2, 2], data_offsets: [28, 36] },
        },
        Buffer.concat([f32, f16, bf16]),
      ),
    );
    const file = await readSafetensors(path);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.w).toEqual({
      dtype: 'F32',
      shape: [2, 2],
      data: Float32Array.from([1.5, -2, 3.25, 0]),
    });
    expect([...file.tensors.h.data]).toEqual([1, -2, 0.5, 65504, 2 ** -24, -0]);
    expect(file.tensors.b.shape).toEqual([2, 2]);
    expect([...file.tensors.b.data]).toEqual([1, -2, 3.140625, new Float32Array([bf16BitsToF32(0x006d)])[0]]);
    expect(bf16BitsToF32(0x006d)).toBeCloseTo(1.001e-38, 41);
    expect(f16BitsToF32(0x7c00)).toBe(Infinity);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
  });

  it('writes files that read back: F32 exactly, F16 and BF16 rounded to nearest even', async () => {
    const dir = tempDir('blazer-st-');
    const values = Float32Array.from([0.1, -3, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 65504, 1e-3]);
    const path = join(dir, 'w.safetensors');
    const bytes = writeSafetensors(
      path,
      {
        a: { dtype: 'F32', shape: [2, 3], data: values },
        b: { dtype: 'F16', shape: [6], data: values },
        c: { dtype: 'BF16', shape: [3, 2], data: values },
      },
      { note: 'x' },
    );
    const raw = readFileSync(path);
    expect(raw.length).toBe(bytes);
    expect(Number(raw.readBigUInt64LE(0)) % 8).toBe(0); // the data starts 8-byte aligned
    const back = await readSafetensors(path);
    expect(back.metadata).toEqual({ note: 'x' });
    expect(back.tensors.a.data).toEqual(values);
    expect(back.tensors.c.shape).toEqual([3, 2]);
    // bf16 keeps 8 significant bits: 1 + 2^-8 is a tie and rounds to even (1); 1 + 3·2^-8 to 1 + 2^-6.
    expect([...back.tensors.c.data.slice(1, 4)]).toEqual([-3, 1, 1 + 2 ** -6]);
    expect(Math.abs(back.tensors.c.data[0] - 0.1)).toBeLessThan(0.1 * 2 ** -8);
    expect([...back.tensors.b.data.slice(1, 5)]).toEqual([-3, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 65504]);
    expect(Math.abs(back.tensors.b.data[5] - 1e-3)).toBeLessThan(1e-3 * 2 ** -11);
    expect(f32ToBf16Bits(Infinity)).toBe(0x7f80);
    expect(f32ToBf16Bits(-3.4e38)).toBe(0xff80); // rounds past the largest bf16 to -Infinity
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN)))).toBe(true);
  });

  it('refuses broken files, naming the file, the tensor and the problem', async () => {
    const dir = tempDir('blazer-st-');
    const write = (name: string, bytes: Buffer): string => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    };
    const good = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const data = Buffer.alloc(8);
    const cases: [string, Buffer, RegExp][] = [
      [
        'short.safetensors',
        Buffer.from([1, 2, 3]),
        /short\.safetensors: truncated safetensors file: 3 bytes/,
      ],
      [
        'cut-header.safetensors',
        rawFile(good, data).subarray(0, 20),
        /cut-header\.safetensors: truncated .*the header needs \d+ bytes/,
      ],
      [
        'huge.safetensors',
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
        /huge\.safetensors: the safetensors header claims/,
      ],
      [
        'json.safetensors',
        rawFile(null, data, '{"t": [1,'),
        /json\.safetensors: the safetensors header is not valid JSON/,
      ],
      [
        'array.safetensors',
        rawFile([1, 2], data),
        /array\.safetensors: the safetensors header is not a JSON object/,
      ],
      [
        'cut-data.safetensors',
        rawFile(good, data.subarray(0, 5)),
        /cut-data\.safetensors: tensor 't' has data_offsets \[0, 8\] outside the 5 bytes/,
      ],
      [
        'backwards.safetensors',
        rawFile({ t: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, data),
        /tensor 't' has data_offsets \[8, 0\] outside/,
      ],
      [
        'no-offsets.safetensors',
        rawFile({ t: { dtype: 'F32', shape: [2] } }, data),
        /tensor 't' has no valid \{dtype, shape, data_offsets\}/,
      ],
      [
        'i64.safetensors',
        rawFile({ t: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data),
        /i64\.safetensors: tensor 't' has an unsupported dtype I64 \(only F32, F16 and BF16/,
      ],
      [
        'odd.safetensors',
        rawFile({ t: { dtype: 'Q4', shape: [1], data_offsets: [0, 8] } }, data),
        /tensor 't' has an unknown dtype Q4/,
      ],
      [
        'size.safetensors',
        rawFile({ t: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 8] } }, data),
        /tensor 't' \(F16 \[2, 3\]\) needs 12 bytes, its data_offsets give 8/,
      ],
      [
        'overlap.safetensors',
        rawFile(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          data,
        ),
        /overlap\.safetensors: tensors 'a' and 'b' overlap/,
      ],
      [
        'meta.safetensors',
        rawFile({ __metadata__: { n: 1 }, ...good }, data),
        /__metadata__\.n is not a string/,
      ],
    ];
    for (const [name, bytes, message] of cases) {
      const err = await readSafetensors(write(name, bytes)).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(SafetensorsError);
      expect((err as Error).message, name).toMatch(message);
    }
    await expect(readSafetensors(join(dir, 'absent.safetensors'))).rejects.toThrow(
      /absent\.safetensors: no such file/,
    );
    await expect(readSafetensors(dir)).rejects.toThrow(/not a regular file/);
  });
});
