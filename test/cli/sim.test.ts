import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lab, tempDir, userArmModel } from '../helpers.ts';

describe('lab sim info', () => {
  it('describes the built-in Panda-like arm as JSON', () => {
    const { code, stdout } = lab('sim', 'info', 'assets/arms/panda.xml', '--json');
    expect(code).toBe(0);
    const info = JSON.parse(stdout);
    expect(info.counts).toMatchObject({ joints: 9, actuators: 9, sites: 1 });
    expect(info.counts.bodies).toBe(12);
    expect(info.counts.geoms).toBeGreaterThan(15);
    expect(info.arm.joints).toEqual(['joint1', 'joint2', 'joint3', 'joint4', 'joint5', 'joint6', 'joint7']);
    expect(info.mujocoVersion).toBe('3.14.0');
  });

  it('describes the built-in SO-100-like arm as text', () => {
    const { code, stdout } = lab('sim', 'info', 'assets/arms/so100.xml');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^joints\s+6\s+shoulder_pan, shoulder_lift, elbow_flex, wrist_flex, wrist_roll, jaw$/m,
    );
    expect(stdout).toMatch(
      /^arm\s+joints shoulder_pan, shoulder_lift, elbow_flex, wrist_flex, wrist_roll; gripper jaw$/m,
    );
  });

  it("works on a user's model with its include and mesh, finding its arm", () => {
    const { code, stdout, stderr } = lab('sim', 'info', userArmModel(), '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const info = JSON.parse(stdout);
    expect(info.source).toBe('two_link_arm.xml');
    expect(info.bodies).toEqual(expect.arrayContaining(['mount', 'turret', 'tool', 'claw', 'mug']));
    expect(info.arm).toEqual({
      joints: ['yaw_j', 'pitch_a', 'pitch_b', 'pitch_c', 'spin'],
      gripperActuators: ['claw_motor'],
    });
  });

  it('says which line of a broken model is wrong, and exits non-zero', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'broken.xml'),
      '<mujoco>\n  <worldbody>\n    <body name="a">\n  </worldbody>\n</mujoco>\n',
    );
    const { code, stderr } = lab('sim', 'info', join(dir, 'broken.xml'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^lab: XML parse error in broken\.xml at line 3: <body> is not closed/);
  });

  it('explains its usage when the model is missing', () => {
    const { code, stderr } = lab('sim', 'info');
    expect(code).toBe(2);
    expect(stderr).toMatch(/needs exactly one model/);
  });
});

describe('lab sim state', () => {
  it('prints the state of a built-in scene as JSON', () => {
    const { code, stdout } = lab('sim', 'state', 'panda-cube', '--json');
    expect(code).toBe(0);
    const state = JSON.parse(stdout);
    expect(state.objects.map((o: { name: string }) => o.name)).toEqual([
      'red_cube',
      'blue_cube',
      'target_pad',
    ]);
    expect(state.gripper.opening).toBeCloseTo(0.08, 3);
  });

  it('names the built-in scenes when given an unknown one', () => {
    const { code, stderr } = lab('sim', 'state', 'kitchen');
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /'kitchen' is neither a built-in scene \(panda-table, so100-table, panda-cube, so100-cube\)/,
    );
  });
});
