// The bridge process: owns the serial port and the control loop, takes calls from the app over IPC
// and sends telemetry back. It runs apart from the app so that a hung or dead app cannot leave the
// arm moving: when the app goes away (the IPC channel closes) it turns torque off and exits. The
// other direction, this process dying, is the supervisor's job (bridge-supervisor.ts).
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import { connectArm, type ConnectedArm } from './bridge.ts';
import type { BridgeCalls, BridgeMethod, FromBridge, ToBridge } from './bridge-messages.ts';
import { RobotError } from './arm-controller.ts';
import type { RobotTelemetry } from '../../api/types.ts';
import { LabError } from '../errors.ts';
import { sendToApp } from './app-channel.ts';

let arm: ConnectedArm | undefined;
let estopServer: Server | undefined;
let lastTelemetry: RobotTelemetry | undefined;
let telemetryEvery = 1;

function send(message: FromBridge): void {
  sendToApp(message); // the app may be gone: then nobody is listening
}

type Handlers = { [M in BridgeMethod]: (args: BridgeCalls[M]['args']) => Promise<BridgeCalls[M]['result']> };

function connected(): ConnectedArm {
  if (!arm) throw new RobotError('not-connected', 'no arm is connected');
  return arm;
}

const handlers: Handlers = {
  async connect(options) {
    if (arm) throw new RobotError('connected', `already connected to ${arm.port}: disconnect first`);
    arm = await connectArm(options);
    // Telemetry at up to 30 Hz is enough for plots and the 3D mirror; the loop itself runs faster.
    telemetryEvery = Math.max(1, Math.round(arm.controller.rateHz / 30));
    arm.controller.onTelemetry((telemetry) => {
      lastTelemetry = telemetry;
      if (telemetry.cycle % telemetryEvery === 0) send({ type: 'telemetry', telemetry });
    });
    if (options.estopSocket) estopServer = listenForEstop(options.estopSocket);
    return arm.scan;
  },
  torqueOn: () => connected().controller.torqueOn(),
  torqueOff: () => connected().controller.torqueOff(),
  moveTo: (pose) => connected().controller.moveTo(pose),
  followPath: (poses) => connected().controller.followPath(poses),
  jog: async (pose) => connected().controller.command(pose, 'jog'),
  estop: () => connected().controller.estop(),
  resume: () => connected().controller.resume(),
  telemetry: () => nextTelemetry(),
  async disconnect() {
    await shutDown();
  },
};

/** The telemetry of the next cycle: a call's result must show the arm after what it did. */
function nextTelemetry(): Promise<RobotTelemetry | undefined> {
  if (!arm) return Promise.resolve(lastTelemetry);
  const controller = arm.controller;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop();
      resolve(lastTelemetry); // the loop is stalled: the last one is all there is
    }, 1000);
    const stop = controller.onTelemetry((telemetry) => {
      clearTimeout(timer);
      stop();
      resolve(telemetry);
    });
  });
}

/** Another process (`lab robot estop`) can stop the arm through this socket. */
function listenForEstop(path: string): Server {
  if (process.platform !== 'win32') rmSync(path, { force: true }); // left by a killed bridge
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      if (!text.includes('estop')) return void socket.end('unknown command\n');
      if (!arm) return void socket.end('not connected\n'); // disconnecting: torque is going off anyway
      const port = arm.port;
      arm.controller.estop().then(
        () => socket.end(`estopped ${port}\n`),
        (error: Error) => socket.end(`estop failed on ${port}: ${error.message}\n`),
      );
    });
    socket.on('error', () => undefined);
  });
  // A socket path that cannot be made (too long, no permission) must not take the bridge down.
  server.on('error', (error) =>
    process.stderr.write(`lab robot estop will not reach this arm: ${error.message}\n`),
  );
  server.listen(path);
  return server;
}

let shuttingDown: Promise<void> | undefined;

/** Stop the loop and turn torque off; every caller (disconnect, a signal, a crash) waits for the one run. */
function shutDown(): Promise<void> {
  shuttingDown ??= (async () => {
    estopServer?.close();
    estopServer = undefined;
    const closing = arm;
    arm = undefined;
    await closing?.disconnect();
  })().finally(() => {
    shuttingDown = undefined;
  });
  return shuttingDown;
}

process.on('message', (message: ToBridge) => {
  if (message.type === 'heartbeat') return arm?.controller.keepAlive();
  const handler = handlers[message.method] as (args: unknown) => Promise<unknown>;
  // Through a promise: a handler that throws at once (a refused goal) must answer, not crash us.
  Promise.resolve(message.args)
    .then(handler)
    .then(
      (value) => send({ type: 'result', id: message.id, ok: true, value }),
      (error: unknown) =>
        send({
          type: 'result',
          id: message.id,
          ok: false,
          error:
            error instanceof LabError
              ? { kind: error.kind, message: error.message }
              : {
                  kind: 'internal',
                  message: error instanceof Error ? (error.stack ?? error.message) : String(error),
                },
        }),
    );
});

// Ctrl-C in the operator's terminal reaches this process too (same process group): the app decides
// what Ctrl-C means (an e-stop); this process ends when the app disconnects or goes away.
process.on('SIGINT', () => undefined);
// A closed terminal (SIGHUP) or a stop of the whole group (SIGTERM) takes the app down with this
// process, leaving nobody to rescue the arm: turn torque off before going.
// Exits use process.exitCode: once a crash has set it to 1, no later clean exit can hide the crash.
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutDown().finally(() => process.exit()));
}

// The app went away (closed, crashed, killed): nobody can stop the arm any more, so stop it now.
process.on('disconnect', () => {
  shutDown().finally(() => process.exit());
});
// A bug here must not leave the arm holding: try torque off for up to 2 s, then go with code 1 (the
// supervisor, if the app is still there, sees that exit and turns torque off again from outside).
process.on('uncaughtException', (error) => {
  process.stderr.write(`the robot bridge failed: ${error.stack ?? error.message}\n`);
  if (process.exitCode === 1) process.exit(); // failed again while shutting down: go now
  process.exitCode = 1;
  setTimeout(() => process.exit(), 2000).unref();
  shutDown().finally(() => process.exit());
});
