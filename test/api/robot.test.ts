// The real arm through the api, as the Robot screen and `lab robot` use it: who may drive it, and
// the supervised bridge process against an emulated SO-100 on a pty, including the process dying
// on either side (torque must end up off either way: the servos will not do it themselves).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inProcessLab } from '../../api/in-process.ts';
import { dispatch } from '../../api/dispatch.ts';
import { disconnectArm } from '../../api/robot-session.ts';
import { saveCalibration } from '../../core/robot/calibration-store.ts';
import { STS3215 } from '../../core/robot/feetech.ts';
import { useTempLabHome } from '../helpers.ts';
import {
  HOME,
  radiansOf,
  startEmulatedArm,
  testCalibration,
  until,
  type EmulatedArm,
} from '../fixtures/emulated-arm.ts';

const lab = inProcessLab();
const home = useTempLabHome('blazer-robot-api-');
let emulated: EmulatedArm | undefined;
const ALL = [1, 2, 3, 4, 5, 6];
const torqueOff = () => ALL.every((id) => !emulated!.bus.servo(id).torque);
const torqueOn = () => ALL.every((id) => emulated!.bus.servo(id).torque);

beforeAll(async () => {
  await saveCalibration(testCalibration('bench-arm'));
});
afterEach(async () => {
  await disconnectArm();
  await emulated?.close();
  emulated = undefined;
});

describe('who may drive the arm', () => {
  const context = { emit: () => {}, signal: new AbortController().signal };

  it('refuses a classroom client, even with the token, naming who may', async () => {
    const classroom = inProcessLab({ local: false, client: '127.0.0.1' });
    await expect(classroom.call('robot.status', {})).rejects.toMatchObject({
      kind: 'forbidden',
      message: expect.stringMatching(/drives the real arm: only the lab's operator may/),
    });
  });

  it('with lab serve --robot, allows a browser on the lab machine but not one on another machine', async () => {
    const server = { local: false, robot: true };
    await expect(
      dispatch('robot.status', {}, { ...context, shell: { ...server, client: '127.0.0.1' } }),
    ).resolves.toEqual({
      connected: false,
    });
    await expect(
      dispatch('robot.estop', {}, { ...context, shell: { ...server, client: '192.168.1.23' } }),
    ).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('checks a pose at the boundary: six finite numbers', async () => {
    await expect(lab.call('robot.move', { joints: [0, 0.2, 1.5] })).rejects.toThrow(
      /joints: a pose has 6 values/,
    );
    await expect(lab.call('robot.jog', { joints: [0, 0.2, 1.5, 1.44, 0, Infinity] })).rejects.toMatchObject({
      kind: 'bad-request',
    });
  });
});

describe('the supervised bridge', () => {
  async function connect(): Promise<void> {
    emulated = await startEmulatedArm();
    const scan = await lab.call('robot.connect', {
      port: emulated.pair.app,
      calibration: 'bench-arm',
      timeoutMs: 250,
    });
    expect(scan.found).toHaveLength(6);
  }

  it('connects with torque off, moves on request, and reports the arm where it went', async () => {
    await connect();
    expect(torqueOff()).toBe(true);
    const on = await lab.call('robot.torque', { on: true });
    expect(on.state).toBe('holding');
    const target = [0.3, 0.5, 1.2, 1.2, 0.4, 0.5];
    const after = await lab.call('robot.move', { joints: target });
    after.joints.forEach((q, i) => expect(Math.abs(q - target[i]), `joint ${i + 1}`).toBeLessThan(0.035));
    const status = await lab.call('robot.status', {});
    expect(status).toMatchObject({ connected: true, calibration: 'bench-arm' });
  });

  it('refuses a move outside the limits with the reason, and the arm stays put', async () => {
    await connect();
    await lab.call('robot.torque', { on: true });
    await expect(lab.call('robot.move', { joints: [0, 0.2, 3.1, 1.44, 0, 1] })).rejects.toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/elbow_flex: 177\.6° is outside its limits/),
    });
    expect(radiansOf(emulated!.bus.servo(3).goal)).toBeCloseTo(HOME[2], 2);
  });

  it('streams telemetry to a watcher until the watch is stopped', async () => {
    await connect();
    const seen: number[] = [];
    const stop = new AbortController();
    const watching = lab.call(
      'robot.watch',
      {},
      {
        signal: stop.signal,
        onEvent: (event) => {
          if (event.type === 'robot.telemetry') seen.push(event.telemetry.cycle);
        },
      },
    );
    await until(() => seen.length >= 5, 'five telemetry events', 3000);
    stop.abort();
    await watching.catch(() => undefined);
    expect(seen[4]).toBeGreaterThan(seen[0]);
  });

  it('disconnect turns torque off and ends the bridge process', async () => {
    await connect();
    await lab.call('robot.torque', { on: true });
    expect(torqueOn()).toBe(true);
    const status = await lab.call('robot.status', {});
    const pid = (status as { bridgePid: number }).bridgePid;
    await lab.call('robot.disconnect', {});
    await until(torqueOff, 'torque off on every servo', 2000);
    await until(() => !alive(pid), 'the bridge process to end', 3000);
  });

  it('killing the bridge process: the supervisor reopens the port and turns torque off', async () => {
    await connect();
    await lab.call('robot.torque', { on: true });
    const status = await lab.call('robot.status', {});
    const pid = (status as { bridgePid: number }).bridgePid;
    const writesBefore = emulated!.bus.writes.length;
    process.kill(pid, 'SIGKILL');
    await until(torqueOff, 'torque off on every servo after the kill', 5000);
    const torqueWrites = emulated!.bus.writes
      .slice(writesBefore)
      .filter((w) => w.address === STS3215.torqueEnable.address && w.data[0] === 0);
    expect(torqueWrites.length).toBeGreaterThanOrEqual(6);
    // The session learns of the death when the rescue is done: ask until it has.
    let after = await lab.call('robot.status', {});
    for (let i = 0; i < 100 && after.connected; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await lab.call('robot.status', {});
    }
    expect(after).toMatchObject({
      connected: false,
      lastMessage: expect.stringMatching(
        /the bridge process was killed \(SIGKILL\); torque off was sent to servos 1, 2, 3, 4, 5, 6/,
      ),
    });
  });

  it('killing the app: the orphaned bridge process turns torque off and exits', async () => {
    emulated = await startEmulatedArm();
    const calibrationFile = join(home, 'arm-for-parent.json');
    writeFileSync(calibrationFile, JSON.stringify(testCalibration('parent-arm')));
    const parent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('../fixtures/robot-parent.ts', import.meta.url).pathname,
        emulated.pair.app,
        calibrationFile,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const ready = await new Promise<{ bridgePid: number }>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
      parent.once('exit', (code) => reject(new Error(`the app exited early with ${code}`)));
    });
    await until(torqueOn, 'torque on from the app', 3000);
    parent.kill('SIGKILL');
    await until(torqueOff, 'torque off after the app was killed', 5000);
    await until(() => !alive(ready.bridgePid), 'the orphaned bridge to exit', 5000);
  });
});

function alive(pid: number): boolean {
  if (!Number.isInteger(pid)) throw new Error(`no process id: ${pid}`);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
