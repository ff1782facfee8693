import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lab, tempDir } from '../helpers.ts';

describe('lab tasks', () => {
  it('lists every task with its split and arms', () => {
    const { code, stdout } = lab('tasks', '--json');
    expect(code).toBe(0);
    const tasks = JSON.parse(stdout) as { id: string; split: string; arms: string[]; example: string }[];
    expect(tasks.find((t) => t.id === 'pick_and_lift')).toMatchObject({
      split: 'train',
      arms: ['panda', 'so100'],
    });
    expect(tasks.every((t) => ['train', 'heldout'].includes(t.split) && t.example.length > 5)).toBe(true);
  });
});

describe('lab run', () => {
  it('runs an episode with the scripted solver and writes its recording at 30 Hz', () => {
    const out = join(tempDir(), 'episode.json');
    const { code, stdout, stderr } = lab(
      'run',
      '--task',
      'pick_and_lift',
      '--seed',
      '4',
      '--json',
      '--record',
      out,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      taskId: 'pick_and_lift',
      seed: 4,
      arm: 'panda',
      success: true,
      primitiveCalls: 5,
    });
    expect(result.recording).toBeUndefined(); // only in the file
    const recording = JSON.parse(readFileSync(out, 'utf8'));
    expect(recording.version).toBe(2);
    const { hz, jointNames, objectNames, frames } = recording.recording;
    expect(hz).toBeGreaterThanOrEqual(25);
    expect(jointNames).toEqual([
      'joint1',
      'joint2',
      'joint3',
      'joint4',
      'joint5',
      'joint6',
      'joint7',
      'finger_left',
      'finger_right',
    ]);
    expect(objectNames).toHaveLength(2);
    expect(frames.length).toBeGreaterThanOrEqual(Math.floor(result.simSeconds * 25));
    const gaps = frames.slice(1).map((f: { t: number }, i: number) => f.t - frames[i].t);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1 / 25 + 1e-6);
    // The recorded block ends lifted, as the result says.
    const blockIndex = objectNames.indexOf(`${result.instruction.split(' ')[3]}_block`);
    expect(frames.at(-1).objects[blockIndex][2]).toBeGreaterThan(0.09);
    expect(recording.scene.arm).toBe('panda');
  });

  it('reports a failed episode with exit code 3 and the reason', () => {
    const { code, stdout } = lab('run', '--task', 'put_block_in_bin', '--seed', '1', '--solver', 'none');
    expect(code).toBe(3);
    expect(stdout).toMatch(/FAILURE: \w+_block is [\d.]+ cm outside the bin/);
  });

  it('names bad options clearly, in one line naming the flag', () => {
    expect(lab('run').stderr).toMatch(/needs --task/);
    expect(lab('run', '--task', 'nope').stderr).toMatch(/no task 'nope'; known tasks: /);
    expect(lab('run', '--task', 'open_drawer', '--arm', 'so100').stderr).toMatch(/supports panda, not so100/);
    expect(lab('run', '--task', 'open_drawer', '--solver', 'llm')).toMatchObject({
      code: 2,
      stderr: 'lab: --solver: who acts must be scripted, none, program or model (got "llm")\n',
    });
    expect(lab('run', '--task', 'open_drawer', '--seed', 'x')).toMatchObject({
      code: 2,
      stderr: 'lab: --seed: expected number, received string (got "x")\n',
    });
    expect(lab('run', '--task', 'open_drawer', '--seed', '-2').stderr).toMatch(/^lab: --seed: Too small/);
  });
});

describe('lab attempt', () => {
  it("writes the recording of a program's episode with --record, as lab run does", () => {
    const dir = tempDir();
    const program = join(dir, 'lift.py');
    writeFileSync(
      program,
      [
        'block = [o for n, o in objects.items() if n.endswith("_block")][0]',
        'x, y, z = block.position',
        'open_gripper()',
        'move_gripper([x, y, z + 0.1], block.yaw)',
        'move_gripper([x, y, z], block.yaw)',
        'close_gripper()',
        'move_gripper([x, y, z + 0.12], block.yaw)',
      ].join('\n'),
    );
    const out = join(dir, 'attempt.json');
    const run = lab(
      'attempt',
      '--task',
      'pick_and_lift',
      '--seed',
      '4',
      '--program',
      program,
      '--record',
      out,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`written to ${out}`);
    const recording = JSON.parse(readFileSync(out, 'utf8'));
    expect(recording.scene.arm).toBe('panda');
    const { objectNames, frames } = recording.recording;
    const block = objectNames.findIndex((n: string) => n.endsWith('_block'));
    expect(frames.at(-1).objects[block][2]).toBeGreaterThan(0.09);
  });
});

describe('lab prompt', () => {
  it('prints the v2 prompt a model gets for a scene: the API, the conventions, the task and the state', () => {
    const { code, stdout } = lab('prompt', '--task', 'put_block_in_drawer', '--seed', '0');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# blazer-prompt-v2/);
    expect(stdout).toContain('[system]');
    expect(stdout).toContain('Task: put the red block in the drawer');
    expect(stdout).toContain('# scene state v2');
    expect(stdout).toMatch(
      /cabinet_drawer: .*slides along -x: moved 0\.\d+ of 0\.160; inside: floor z 0\.030/,
    );
  });
});
