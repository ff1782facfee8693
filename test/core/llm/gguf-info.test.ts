// Bad model files give a ModelFileError that names the file and the problem, from readGgufInfo
// and from LocalModel.load, and the process carries on: a good model still loads afterwards.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../../core/random.ts';
import { tempDir } from '../../helpers.ts';
import { ModelFileError, readGgufInfo, type ModelFileProblem } from '../../../core/llm/gguf-info.ts';
import { LocalModel, LocalModelError } from '../../../core/llm/local-model.ts';
import { buildTinyLlama } from '../../../core/llm/tiny-model.ts';
import { kv, writeGguf } from '../../../core/llm/gguf-writer.ts';
import { planMessages, tinyModelFile } from './helpers.ts';

const good = tinyModelFile({ seed: 2 });
const dir = tempDir('blazer-llm-bad-');

function randomBytes(n: number, seed: number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
}

function badFile(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const real = readFileSync(good);
const cases: { what: string; path: string; kind: ModelFileProblem; message: RegExp }[] = [
  { what: 'a missing file', path: join(dir, 'nope.gguf'), kind: 'missing', message: /no such file/ },
  {
    what: 'a non-GGUF file (text)',
    path: badFile('notes.gguf', 'just some notes, not weights\n'),
    kind: 'not-gguf',
    message: /not a GGUF file \(the first bytes are "just", not "GGUF"\)/,
  },
  { what: 'an empty file', path: badFile('empty.gguf', ''), kind: 'not-gguf', message: /the file is empty/ },
  {
    what: 'random bytes',
    path: badFile('random.gguf', randomBytes(50_000, 1)),
    kind: 'not-gguf',
    message: /not a GGUF file/,
  },
  {
    what: 'random bytes after the GGUF magic (corrupt)',
    path: badFile('corrupt.gguf', Buffer.concat([Buffer.from('GGUF'), randomBytes(50_000, 2)])),
    kind: 'corrupt',
    message: /corrupt GGUF header: unsupported GGUF version \d+/,
  },
  {
    what: 'a valid header start followed by random bytes (corrupt)',
    path: badFile('corrupt2.gguf', Buffer.concat([real.subarray(0, 8), randomBytes(50_000, 3)])),
    kind: 'corrupt',
    message: /corrupt GGUF header: .*implausibl/,
  },
  {
    what: 'the first half of a real GGUF (truncated)',
    path: badFile('half.gguf', real.subarray(0, real.length / 2)),
    kind: 'truncated',
    message: /truncated GGUF file: tensor '.*' needs bytes up to \d+ but the file has 361488 bytes/,
  },
  {
    what: 'a GGUF cut inside its header (truncated)',
    path: badFile('head.gguf', real.subarray(0, 3000)),
    kind: 'truncated',
    message: /truncated GGUF file: the file ends at byte 3000, inside the header/,
  },
];

let afterwards: LocalModel | undefined;
afterAll(() => afterwards?.dispose());

describe('bad model files', () => {
  it.each(cases)('readGgufInfo: $what gives ModelFileError $kind', async ({ path, kind, message }) => {
    const err = await readGgufInfo(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelFileError);
    expect(err).toMatchObject({ kind, path });
    expect((err as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('a llama GGUF without the keys whose absence aborts llama.cpp is rejected before loading', async () => {
    const gguf = buildTinyLlama({ seed: 2 });
    delete gguf.metadata['llama.feed_forward_length'];
    delete gguf.metadata['llama.attention.head_count'];
    const path = join(dir, 'no-ff.gguf');
    writeGguf(path, gguf);
    await expect(LocalModel.load(path, { threads: 1 })).rejects.toMatchObject({
      kind: 'corrupt',
      message: `${path}: GGUF llama model lacks llama.feed_forward_length, llama.attention.head_count (llama.cpp would abort the process)`,
    });
  });

  it('a directory is unreadable, not missing', async () => {
    const sub = join(dir, 'folder.gguf');
    mkdirSync(sub);
    await expect(readGgufInfo(sub)).rejects.toMatchObject({
      kind: 'unreadable',
      message: `${sub}: not a regular file`,
    });
  });

  it('LocalModel.load gives the same clear errors, then a good model still loads and generates', async () => {
    for (const { path, kind } of cases)
      await expect(LocalModel.load(path, { threads: 1 })).rejects.toMatchObject({ kind, path });

    // A GGUF that passes the header checks but that llama.cpp rejects: the logged reason is kept.
    const unknownArch = buildTinyLlama({ seed: 2 });
    unknownArch.metadata['general.architecture'] = kv.string('llama2');
    const archPath = join(dir, 'llama2.gguf');
    writeGguf(archPath, unknownArch);
    const err = await LocalModel.load(archPath, { threads: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalModelError);
    expect((err as Error).message).toMatch(
      /llama2\.gguf: llama\.cpp could not load the model \(llama\.cpp: .*unknown model architecture: 'llama2'/,
    );

    afterwards = await LocalModel.load(good, { threads: 1 });
    const result = await afterwards.chat(planMessages, { maxTokens: 16, temperature: 0 });
    expect(result.tokens).toBeGreaterThan(0);
  });
});
