// The calls behind the 3D views: a scripted run and a person's program with poses recorded, and
// replays of stored episodes that re-simulate to the stored result.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inProcessLab } from '../../api/in-process.ts';
import { disposeResources } from '../../api/resources.ts';
import type { LabEvent } from '../../api/contract.ts';
import { scenesBuilt } from '../../core/sim/scene.ts';
import { openDataset } from '../../core/dataset/open-dataset.ts';
import { EpisodeStore, type EpisodeRecord } from '../../core/dataset/episode-store.ts';
import { fixturesDir, tempDir } from '../helpers.ts';
import { tinyModelFile } from '../core/llm/helpers.ts';

const lab = inProcessLab();
afterAll(() => disposeResources());

const binProgram = readFileSync(join(fixturesDir, 'programs', 'bin_pick_place.py'), 'utf8');

function record(extra: Partial<EpisodeRecord>): EpisodeRecord {
  return {
    task: 'put_block_in_bin',
    split: 'train',
    arm: 'panda',
    seed: 1,
    sample: 0,
    instruction: 'put the block in the bin',
    scene: {},
    trace: [],
    success: true,
    reason: 'stored',
    simSeconds: 1,
    wallSeconds: 1,
    ...extra,
  };
}

describe('view calls', () => {
  it('runs the scripted solution with every body pose at 30 Hz, on one scene build', async () => {
    const built = scenesBuilt();
    const viewed = await lab.call('episode.view', { task: 'put_block_in_bin', seed: 1 });
    expect(scenesBuilt() - built).toBe(1);
    expect(viewed.result.success).toBe(true);
    const { recording } = viewed.result;
    expect(recording!.hz).toBe(30);
    const nbody = viewed.view.geometry.bodies.length;
    for (const frame of recording!.frames) expect(frame.poses).toHaveLength(7 * nbody);
    expect(viewed.view.instruction).toBe(viewed.result.instruction);
  });

  it("runs a person's Python program through the sandbox, and names a syntax error's line", async () => {
    const ok = await lab.call('episode.view', {
      task: 'put_block_in_bin',
      seed: 1,
      solver: { kind: 'program', source: binProgram },
    });
    expect(ok.result.success).toBe(true);
    const broken = await lab.call('episode.view', {
      task: 'put_block_in_bin',
      seed: 1,
      solver: { kind: 'program', source: 'open_gripper()\nmove_gripper([0.4, 0, 0.2], 0\n' },
    });
    expect(broken.result.success).toBe(false);
    expect(broken.result.program?.kind).toBe('syntax');
    expect(broken.result.program?.line).toBe(2);
    await expect(
      lab.call('episode.view', {
        task: 'put_block_in_bin',
        seed: 1,
        solver: { kind: 'program', source: ' ' },
      }),
    ).rejects.toThrow(/solver\.source: the program is empty/);
  });

  it("runs two people's programs at once on the one shared runner, one after the other", async () => {
    const both = await Promise.all(
      [1, 2].map((seed) =>
        lab.call('episode.view', {
          task: 'put_block_in_bin',
          seed,
          solver: { kind: 'program', source: binProgram },
        }),
      ),
    );
    expect(both.map((v) => v.result.success)).toEqual([true, true]);
  });

  it('replays stored episodes by re-simulating them: scripted, Python, no program, an unparsable plan', async () => {
    const db = join(tempDir(), 'replay.sqlite');
    const handle = openDataset(db);
    const store = new EpisodeStore(handle);
    const run = store.startRun({ key: 'k', config: {}, teacher: 'mixed', codeVersion: 'test' });
    store.addEpisode(run, record({ format: 'scripted', model: 'scripted', seed: 2 }));
    store.addEpisode(run, record({ format: 'code', program: binProgram, seed: 1 }));
    store.addEpisode(run, record({ format: 'code', success: false, seed: 3, failureKind: 'no-program' }));
    store.addEpisode(
      run,
      record({ format: 'json', answer: '{"steps": [', success: false, seed: 4, failureKind: 'no-program' }),
    );
    const ids = store.list({}, { order: 'oldest' }).rows.map((r) => r.id);
    handle.close();

    for (const [i, id] of ids.entries()) {
      const replay = await lab.call('dataset.replay', { db, id });
      expect(replay.reproduced, `episode ${i}`).toBe(true);
      expect(replay.result.recording!.frames.length).toBeGreaterThan(1);
    }
    await expect(lab.call('dataset.replay', { db, id: 999 })).rejects.toThrow(/no episode 999/);
  });

  it("runs a model's attempt for the Simulator: streamed text, the program, the episode with poses", async () => {
    const model = tinyModelFile({ noExponents: true });
    const events: LabEvent[] = [];
    const built = scenesBuilt();
    const viewed = await lab.call(
      'episode.view',
      // The settings of the planner's tiny-model test, which give a complete plan.
      {
        task: 'pick_and_lift',
        seed: 4,
        solver: {
          kind: 'model',
          model,
          format: 'json',
          temperature: 0.8,
          samplingSeed: 11,
          maxTokens: 200,
          threads: 1,
        },
      },
      { onEvent: (e) => events.push(e) },
    );
    expect(scenesBuilt() - built, 'one scene for the view, the prompt and the run').toBe(1);
    const streamed = events.map((e) => (e.type === 'model.text' ? e.text : '')).join('');
    expect(streamed.length).toBeGreaterThan(0);
    expect(events.find((e) => e.type === 'model.prompt')).toMatchObject({
      templateVersion: 'blazer-prompt-v2',
    });
    expect(viewed.attempt!.answer).toBe(streamed);
    expect(viewed.attempt!.prompt.length).toBeGreaterThanOrEqual(2);
    expect(viewed.result.recording!.frames[0].poses).toHaveLength(7 * viewed.view.geometry.bodies.length);
    // The tiny model's plan is random but grammar-valid, so it ran as a program (success is not the point).
    expect(viewed.attempt!.program).toMatch(/move_gripper|open_gripper|close_gripper/);
  });
});
