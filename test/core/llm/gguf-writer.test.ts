// The GGUF writer: what it writes is read back unchanged by node-llama-cpp's parser and by
// readGgufInfo; the tiny model and adapter are deterministic given a seed.
import { describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { tempDir } from '../../helpers.ts';
import { encodeGguf, f32ToF16Bits, kv, writeGguf, type GgufFile } from '../../../core/llm/gguf-writer.ts';
import { readGgufInfo } from '../../../core/llm/gguf-info.ts';
import { buildTinyLlama, buildTinyLora, tinyVocab } from '../../../core/llm/tiny-model.ts';
import { tinyLoraFile, tinyModelFile } from './helpers.ts';

describe('GGUF writer', () => {
  it('round-trips typed metadata, arrays and F32/F16 tensors through readGgufFileInfo', async () => {
    const file: GgufFile = {
      metadata: {
        'general.architecture': kv.string('roundtrip'),
        'general.name': kv.string('round trip ▁ héllo'),
        'general.file_type': kv.u32(1),
        'roundtrip.context_length': kv.u32(4096),
        'test.u8': kv.u8(200),
        'test.i8': kv.i8(-5),
        'test.u16': kv.u16(65000),
        'test.i16': kv.i16(-300),
        'test.i32': kv.i32(-70000),
        'test.u64': kv.u64(2n ** 40n),
        'test.i64': kv.i64(-(2n ** 40n)),
        'test.f32': kv.f32(0.25),
        'test.f64': kv.f64(1 / 3),
        'test.bool': kv.bool(true),
        'test.strings': kv.array('string', ['a', '', 'ünï']),
        'test.ints': kv.array('i32', [1, -2, 3]),
        'test.floats': kv.array('f32', [0.5, -1.5]),
        'tokenizer.chat_template': kv.string('x'.repeat(300)),
      },
      tensors: [
        { name: 'a', shape: [3, 2], type: 'f32', data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
        { name: 'b', shape: [5], type: 'f16', data: Float32Array.from([0, 1, -2, 0.5, 65504]) },
        { name: 'c', shape: [4, 4, 2], type: 'f32', data: new Float32Array(32).fill(7) },
      ],
    };
    const dir = tempDir();
    const path = join(dir, 'round-trip.gguf');
    const bytes = writeGguf(path, file);
    expect(statSync(path).size).toBe(bytes);
    expect(bytes % 32).toBe(0);

    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.version).toBe(3);
    const meta = info.metadata as unknown as Record<string, Record<string, unknown>>;
    expect(meta.general).toMatchObject({
      architecture: 'roundtrip',
      name: 'round trip ▁ héllo',
      file_type: 1,
    });
    expect(meta.test).toMatchObject({
      u8: 200,
      i8: -5,
      u16: 65000,
      i16: -300,
      i32: -70000,
      f32: 0.25,
      bool: true,
      strings: ['a', '', 'ünï'],
      ints: [1, -2, 3],
      floats: [0.5, -1.5],
    });
    expect(BigInt(meta.test.u64 as bigint)).toBe(2n ** 40n);
    expect(BigInt(meta.test.i64 as bigint)).toBe(-(2n ** 40n));
    expect(meta.test.f64).toBeCloseTo(1 / 3, 15);
    expect(info.tensorInfo?.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType])).toEqual([
      ['a', [3, 2], 0],
      ['b', [5], 1],
      ['c', [4, 4, 2], 0],
    ]);

    // Tensor data sits where the header says, 32-byte aligned.
    const raw = readFileSync(path);
    const [a, b] = info.tensorInfo!;
    expect(Number(a.fileOffset) % 32).toBe(0);
    expect(Number(b.fileOffset) % 32).toBe(0);
    expect([0, 1, 2, 3, 4, 5].map((i) => raw.readFloatLE(Number(a.fileOffset) + 4 * i))).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect([0, 1, 2, 3, 4].map((i) => raw.readUInt16LE(Number(b.fileOffset) + 2 * i))).toEqual([
      0x0000, 0x3c00, 0xc000, 0x3800, 0x7bff,
    ]);

    const model = await readGgufInfo(path);
    expect(model).toMatchObject({
      file: 'round-trip.gguf',
      type: 'model',
      architecture: 'roundtrip',
      parameters: 6 + 5 + 32,
      tensors: 3,
      contextLength: 4096,
      hasChatTemplate: true,
      quantisation: 'F16',
      fileBytes: bytes,
    });
    expect(model.chatTemplate).toHaveLength(200);
  });

  it('converts to half precision with round-to-nearest-even, subnormals and overflow', () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway: ties to even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16Bits(2 ** -26)).toBe(0x0000);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(f32ToF16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
  });

  it('rejects a tensor whose data does not match its shape', () => {
    expect(() =>
      encodeGguf({
        metadata: {},
        tensors: [{ name: 'x', shape: [2, 2], type: 'f32', data: new Float32Array(3) }],
      }),
    ).toThrow(/tensor x: data has 3 values, shape \[2, 2\] needs 4/);
  });

  it('builds the tiny llama and its LoRA deterministically from a seed', async () => {
    expect(encodeGguf(buildTinyLlama({ seed: 5 })).equals(encodeGguf(buildTinyLlama({ seed: 5 })))).toBe(
      true,
    );
    expect(encodeGguf(buildTinyLlama({ seed: 5 })).equals(encodeGguf(buildTinyLlama({ seed: 6 })))).toBe(
      false,
    );
    expect(encodeGguf(buildTinyLora({ seed: 5 })).equals(encodeGguf(buildTinyLora({ seed: 5 })))).toBe(true);
    expect(tinyVocab().tokens).toHaveLength(366);

    const model = await readGgufInfo(tinyModelFile({ seed: 5 }));
    expect(model).toMatchObject({
      type: 'model',
      architecture: 'llama',
      contextLength: 8192,
      hasChatTemplate: true,
      quantisation: 'F32',
      tensors: 21,
      parameters: 366 * 64 * 2 + 64 + 2 * (4 * 64 * 64 + 3 * 64 * 256 + 2 * 64),
      fileBytes: 722_976,
    });
    expect(model.chatTemplate).toContain('<|im_start|>');
    const f16 = await readGgufInfo(tinyModelFile({ seed: 5, f16: true }));
    expect(f16).toMatchObject({ quantisation: 'F16', parameters: model.parameters });
    expect(f16.fileBytes).toBeLessThan(model.fileBytes * 0.55);

    const lora = await readGgufInfo(tinyLoraFile({ seed: 5 }));
    expect(lora).toMatchObject({
      type: 'adapter',
      architecture: 'llama',
      loraAlpha: 16,
      tensors: 30,
      hasChatTemplate: false,
    });
    const names = (await readGgufFileInfo(lora.path, { logWarnings: false })).tensorInfo!.map((t) => t.name);
    expect(names).toContain('blk.0.attn_q.weight.lora_a');
    expect(names).toContain('blk.1.ffn_down.weight.lora_b');
    expect(names).toContain('output.weight.lora_a');
  });
});
