// Data generation into SQLite: every attempt recorded, resumable, safe against kill -9.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from '../../../core/generate/generate.ts';
import { openDataset, DatasetError, nativeModuleProblem } from '../../../core/dataset/open-dataset.ts';
import { EpisodeStore } from '../../../core/dataset/episode-store.ts';
import { SCHEMA_VERSION } from '../../../core/dataset/migrations.ts';
import { LAB, fixturesDir, tempDir } from '../../helpers.ts';
import { riggingProgram } from '../sandbox/helpers.ts';
import { startModelServer } from '../../../core/llm/openai-server.ts';
import type { ChatModel } from '../../../core/llm/types.ts';
import { tinyModelFile } from '../llm/helpers.ts';
import { existsSync } from 'node:fs';
import { seededRandom } from '../../../core/random.ts';

describe('lab generate', () => {
  it('records every scripted attempt, and rerunning adds nothing', async () => {
    const db = join(tempDir(), 'lab.sqlite');
    const options = {
      db,
      tasks: ['reach_target', 'put_block_in_bin'],
      teacher: 'scripted',
      scenes: 3,
      samples: 2,
      workers: 2,
    };
    const first = await generate(options);
    expect(first).toMatchObject({ done: 12, total: 12, resumed: 0, successes: 12, stopped: false });
    const again = await generate(options);
    expect(again).toMatchObject({ done: 12, resumed: 12, successes: 0 });
    const store = new EpisodeStore(openDataset(db));
    expect(store.stats()).toEqual([
      { task: 'put_block_in_bin', split: 'train', episodes: 6, successes: 6, rate: 1 },
      { task: 'reach_target', split: 'train', episodes: 6, successes: 6, rate: 1 },
    ]);
    const episode = store.show(store.list({ task: 'put_block_in_bin' }, { limit: 1 }).rows[0].id);
    expect(episode).toMatchObject({ task: 'put_block_in_bin', success: true, model: 'scripted' });
    expect((episode.trace as unknown[]).length).toBe(9);
    expect((episode.scene as { objects: unknown[] }).objects.length).toBe(2);
    // A task with a reference answer is answered like a model would be: prompt, answer and program
    // are stored, and the program is what ran in the sandbox and was verified.
    const reached = store.show(store.list({ task: 'reach_target' }, { limit: 1 }).rows[0].id);
    expect(reached).toMatchObject({ model: 'scripted', format: 'code', success: true });
    expect(reached.prompt?.at(-1)?.content).toMatch(/^Task: .*target/);
    expect(reached.answer).toMatch(
      /^The target .*\n.*\n```python\nmove_gripper\(objects\["target"\]\.position, 0\)\n```$/,
    );
    expect(reached.program?.trim()).toBe('move_gripper(objects["target"].position, 0)');
    store.db.close();
  });

  it('refuses held-out tasks: they are for evaluation only', async () => {
    await expect(
      generate({
        db: join(tempDir(), 'x.sqlite'),
        tasks: ['put_block_in_side_bin'],
        teacher: 'scripted',
        scenes: 1,
        samples: 1,
      }),
    ).rejects.toThrow(/held out: it is for evaluation only/);
  });

  it('records every attempt of the tiny local model, with prompt, answer, program and tokens', async () => {
    const db = join(tempDir(), 'llm.sqlite');
    const model = tinyModelFile({ noExponents: true });
    const summary = await generate({
      db,
      tasks: ['reach_target'],
      teacher: model,
      scenes: 2,
      samples: 2,
      format: 'json',
      threads: 1,
      temperature: 0.9,
    });
    expect(summary).toMatchObject({ done: 4, total: 4 });
    const store = new EpisodeStore(openDataset(db));
    const rows = store.list({ task: 'reach_target' }).rows;
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const e = store.show(row.id);
      expect(e.model).toBe('local:tiny.gguf');
      expect((e.prompt as { role: string }[]).map((m) => m.role)).toEqual(['system', 'user']);
      expect(e.format).toBe('json');
      expect(typeof e.answer).toBe('string');
      expect(e.tokens).toBeGreaterThan(0);
      expect(e.sampling).toMatchObject({ temperature: 0.9 });
    }
    store.db.close();
  });

  it('keeps the attempts of a model that wrote no program, with the reason', async () => {
    const db = join(tempDir(), 'code.sqlite');
    const summary = await generate({
      db,
      tasks: ['reach_target'],
      teacher: tinyModelFile({ noExponents: true }),
      scenes: 2,
      samples: 1,
      format: 'code',
      threads: 1,
    });
    expect(summary).toMatchObject({ done: 2, total: 2, scenesBuilt: 2 });
    const store = new EpisodeStore(openDataset(db));
    const rows = store.list({ task: 'reach_target' }).rows;
    expect(rows).toHaveLength(2);
    // Random weights rarely write a Python block: those attempts are kept, with the reason.
    for (const row of rows) {
      const e = store.show(row.id);
      expect(e.format).toBe('code');
      if (e.program === null) expect(e.failureKind).toBe('no-program');
      else expect(e.failureKind).not.toBe('no-program');
    }
    store.db.close();
  });

  it('takes scene seeds from --first-scene, so machines sharing the work never repeat a scene', async () => {
    const db = join(tempDir(), 'shared.sqlite');
    const summary = await generate({
      db,
      tasks: ['reach_target'],
      teacher: 'scripted',
      scenes: 3,
      firstScene: 500,
      samples: 1,
    });
    expect(summary).toMatchObject({ done: 3, total: 3, scenesBuilt: 3 });
    const store = new EpisodeStore(openDataset(db));
    expect(store.list({}, { order: 'oldest' }).rows.map((r) => r.seed)).toEqual([500, 501, 502]);
    store.db.close();
  });

  it('checks its inputs before touching any file: a wrong teacher or an oversized run leaves no dataset', async () => {
    const dir = tempDir();
    const db = join(dir, 'never.sqlite');
    await expect(generate({ db, tasks: 'train', teacher: 'nope', scenes: 1, samples: 1 })).rejects.toThrow(
      /nope/,
    );
    await expect(
      generate({ db, tasks: 'train', teacher: 'scripted', scenes: 3_000_000, samples: 1 }),
    ).rejects.toThrow(/at most 1,000,000.*--first-scene/);
    expect(existsSync(db)).toBe(false);
  });

  it('run twice at once, the same command: one writes, the other is told so, and the run ends done', async () => {
    const db = join(tempDir(), 'twice.sqlite');
    openDataset(db).close(); // both find the dataset made; they race for the run
    const args = [
      LAB,
      'generate',
      '--db',
      db,
      '--tasks',
      'reach_target',
      '--teacher',
      'scripted',
      '--scenes',
      '6',
    ];
    const runs = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.once('close', (code) => resolve({ code, stdout, stderr }));
          }),
      ),
    );
    const [winner, loser] = runs[0].code === 0 ? runs : [runs[1], runs[0]];
    expect(winner.stdout).toMatch(/^done: run 1, 6\/6 episodes/);
    expect(loser.code).toBe(1);
    expect(loser.stderr).toMatch(/another process .* is writing run 1/);
    const check = openDataset(db, { readonly: true });
    expect(check.prepare('SELECT status FROM runs').pluck().all()).toEqual(['done']);
    expect(check.prepare('SELECT COUNT(*) FROM episodes').pluck().get()).toBe(6);
    check.close();
  });

  it('survives kill -9 at random moments, five times, and a resumed run ends with exactly the requested episodes', async () => {
    const db = join(tempDir(), 'killed.sqlite');
    const args = [
      LAB,
      'generate',
      '--db',
      db,
      '--tasks',
      'pick_and_lift,reach_target',
      '--teacher',
      'scripted',
      '--scenes',
      '8',
      '--samples',
      '2',
    ];
    const random = seededRandom(Date.now() >>> 0);
    for (let kill = 0; kill < 5; kill++) {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const closed = once(child, 'close'); // it may finish on its own before the kill
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Wait until it is writing episodes, then kill it a random moment later.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (/\] [1-9]\d*\/32/.test(stderr) || child.exitCode !== null) {
            clearInterval(poll);
            resolve();
          }
        }, 20);
      });
      await new Promise((r) => setTimeout(r, 100 + random() * 1200));
      child.kill('SIGKILL');
      await closed;
      const check = new Database(db, { readonly: true });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
    }
    const final = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(final.stdout).toMatch(/done: run 1, 32\/32 episodes/);
    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    const counts = check
      .prepare(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT task || seed || sample) AS distinctEpisodes FROM episodes',
      )
      .get();
    expect(counts).toEqual({ n: 32, distinctEpisodes: 32 });
    check.close();
  });
});

describe('a teacher whose programs attack the sandbox', () => {
  it('never gets a program stored as a success it did not earn: after one rigs the interpreter, `pass` fails', async () => {
    const solution = readFileSync(join(fixturesDir, 'programs', 'bin_pick_place.py'), 'utf8');
    // The first answer patches exec to replay a real solution before every later program; the rest say `pass`.
    const rigging = riggingProgram(solution);
    let answers = 0;
    const teacher: ChatModel = {
      describe: () => ({ id: 'local:hostile', kind: 'local' }),
      chat: async (_messages, options) => {
        const text = '```python\n' + (answers++ === 0 ? rigging : 'pass') + '\n```';
        options?.onText?.(text); // the model server streams what arrives here
        return { text, tokens: 1, seconds: 0, finishReason: 'stop' };
      },
      dispose: async () => {},
    };
    const server = await startModelServer({
      model: teacher,
      modelName: 'hostile',
      token: 'teacher-token-0123456789',
    });
    process.env.BLAZER_API_KEY = 'teacher-token-0123456789';
    try {
      const db = join(tempDir(), 'rigged.sqlite');
      const summary = await generate({
        db,
        tasks: ['put_block_in_bin'],
        teacher: `openai:hostile@${server.url}`,
        scenes: 6,
        samples: 1,
        format: 'code',
        concurrency: 1, // one after the other, on one worker and one runner
      });
      expect(summary).toMatchObject({ done: 6, total: 6, successes: 0 });
      const store = new EpisodeStore(openDataset(db, { readonly: true }));
      const rows = store.list({}, { order: 'oldest' }).rows;
      // Every program ran (none was refused unread), and none is stored as a success.
      expect(rows.map((r) => store.show(r.id).program)).toEqual(
        [rigging, 'pass', 'pass', 'pass', 'pass', 'pass'].map((p) => p + '\n'),
      );
      expect(rows.map((r) => r.success)).toEqual([false, false, false, false, false, false]);
      store.db.close();
    } finally {
      delete process.env.BLAZER_API_KEY;
      await server.close();
    }
  });
});

describe('dataset files', () => {
  it('migrates a database made with the first schema version, keeping its episodes', () => {
    const path = join(tempDir(), 'old.sqlite');
    const old = openDataset(path, { upTo: 1 });
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old
      .prepare("INSERT INTO runs (key, config, teacher, started_at) VALUES ('k', '{}', 'scripted', 1)")
      .run();
    old
      .prepare(
        "INSERT INTO episodes (run_id, task, arm, seed, sample, instruction, program, success, failure, created_at) VALUES (1, 'reach_target', 'panda', 0, 0, 'reach the red target', 'move_gripper([0.5, 0, 0.2], 0)', 1, NULL, 5)",
      )
      .run();
    old.close();
    const upgraded = openDataset(path);
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const store = new EpisodeStore(upgraded);
    expect(store.show(1)).toMatchObject({
      task: 'reach_target',
      success: true,
      program: 'move_gripper([0.5, 0, 0.2], 0)',
      split: 'train',
    });
    expect(store.list({ task: 'reach_target', success: true }).rows).toHaveLength(1);
    upgraded.close();
  });

  it('says how to rebuild SQLite support when the native module was built for another runtime', () => {
    // What Node throws when better-sqlite3 was compiled for another ABI (Electron vs Node).
    const mismatch = Object.assign(
      new Error(
        "The module '/lab/node_modules/better-sqlite3/build/Release/better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 139. This version of Node.js requires NODE_MODULE_VERSION 115.",
      ),
      { code: 'ERR_DLOPEN_FAILED' },
    );
    const problem = nativeModuleProblem(mismatch);
    expect(problem?.kind).toBe('native-module');
    expect(problem?.message).toMatch(/electron-builder install-app-deps.*npm rebuild better-sqlite3/);
    expect(nativeModuleProblem(new Error('SQLITE_BUSY: database is locked'))).toBeUndefined();
  });

  it('refuses a non-SQLite or corrupt file with a clear error and leaves it unchanged', () => {
    const dir = tempDir();
    const notes = join(dir, 'notes.sqlite');
    writeFileSync(notes, 'these are my notes, not a database');
    expect(() => openDataset(notes)).toThrow(
      new DatasetError('not-sqlite', `${notes} is not a SQLite database; it was left unchanged`),
    );
    expect(readFileSync(notes, 'utf8')).toBe('these are my notes, not a database');

    const good = join(dir, 'good.sqlite');
    openDataset(good).close();
    const bytes = readFileSync(good);
    bytes.fill(0x5a, 100, 3000); // damage the schema page
    const damaged = join(dir, 'damaged.sqlite');
    writeFileSync(damaged, bytes);
    expect(() => openDataset(damaged)).toThrow(/damaged.*left unchanged|not a SQLite/);
    expect(readFileSync(damaged).equals(bytes)).toBe(true);

    const cli = spawnSync(process.execPath, [LAB, 'dataset', 'stats', '--db', notes], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toBe(`lab: ${notes} is not a SQLite database; it was left unchanged\n`);
  });
});
