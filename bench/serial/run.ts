// bench/serial: the serial bridge's app side over a socat pty pair configured at 1,000,000 baud, with
// six emulated STS3215 servos in a separate process (so this process measures only the app side):
//  1. the control loop's exchange back to back: one sync read of the 6 present positions and one
//     sync write of 6 goals through ServoBus / FeetechArmIo, N cycles: cycles per second (goal
//     >= 200 Hz; LeRobot records at about 30 Hz) and the sync read's round trip p50 / p99 / max;
//  2. the anchor, in the same run: a raw echo round trip of the same byte counts over the same kind
//     of pty pair, through a peer process that answers N bytes with M (no protocol parsing), each
//     paired with a sync read (and each 6 -> 6 echo with a PING), in alternating order, so both
//     see the same moment's load; the ratio sync read / raw echo, p50, and PING / echo;
//  3. e-stop latency: connectArm at 100 and 200 Hz, torque on, a long base move, estop() at random
//     moments; control cycles begun between the call and the hold write, and the wall time from the
//     call to the hold goal reaching the emulated servo (its own process, CLOCK_MONOTONIC stamps).
// A pty ignores the baud rate: the times are software only (the output says what the wire adds).
// Usage: npm run bench:serial [-- --cycles 2000 --pings 500 --trials 30 --rates 100,200 --seed 1]
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectArm } from '../../core/robot/bridge.ts';
import { jointMapping } from '../../core/robot/calibration.ts';
import { feetech, STS3215 } from '../../core/robot/feetech.ts';
import { FeetechArmIo } from '../../core/robot/feetech-arm-io.ts';
import { openSerialLink, ServoBus, type ByteLink } from '../../core/robot/servo-bus.ts';
import { SO100_BAUD, SO100_IDS } from '../../core/robot/so100.ts';
import { openPtyPair, type PtyPair } from '../../test/fixtures/pty-pair.ts';
import { HOME, testCalibration, ticksOf } from '../../test/fixtures/emulated-arm.ts';
import { numberFlag, textFlag } from '../flags.ts';

const cycles = Math.round(numberFlag('cycles', 2000));
const pings = Math.round(numberFlag('pings', 500));
const trials = Math.round(numberFlag('trials', 30));
const rates = textFlag('rates', '100,200').split(',').map(Number);
const seed = numberFlag('seed', 1);
if (rates.some((rate) => !(rate > 0))) throw new Error('--rates must be positive numbers, e.g. 100,200');

const BAUD = SO100_BAUD;
const IDS = [...SO100_IDS];
const SPIKE_MS = 2;
const EMULATOR = fileURLToPath(new URL('../../test/fixtures/sts-bus-emulator.ts', import.meta.url));
const ECHO_PEER = fileURLToPath(new URL('./echo-peer.ts', import.meta.url));
const EMULATOR_HOST = fileURLToPath(new URL('./emulator-host.ts', import.meta.url));
const homeTicks = ticksOf(HOME);
const positionsArg = IDS.map((id, i) => `${id}:${homeTicks[i]}`).join(',');

// ---- small helpers ------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const stats = (xs: number[]) => ({
  n: xs.length,
  p50: quantile(xs, 0.5),
  p99: quantile(xs, 0.99),
  max: Math.max(...xs),
  over2ms: xs.filter((x) => x > SPIKE_MS).length,
});
type Stats = ReturnType<typeof stats>;
const ms = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
const round = (x: number, digits = 4) => Number(x.toFixed(digits));
const roundStats = (s: Stats) => ({ ...s, p50: round(s.p50), p99: round(s.p99), max: round(s.max) });

/** mulberry32: the e-stop moments are the same for the same --seed. */
function random(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What to close if a run fails half-way: a socat left behind would outlive the bench. */
const onFailure: (() => Promise<unknown>)[] = [];

async function cleaningUpOnFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await Promise.allSettled(onFailure.map((close) => close()));
    throw error;
  }
}

async function openPair(): Promise<PtyPair> {
  const pair = await openPtyPair();
  onFailure.push(() => pair.close());
  return pair;
}

interface Peer {
  onLine(listener: (message: Record<string, unknown>) => void): void;
  stop(): Promise<void>;
}

/** A peer program in its own Node process (tsx), started and ready ({"ready":true}). */
async function startPeer(script: string, args: string[]): Promise<Peer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const listeners: ((message: Record<string, unknown>) => void)[] = [];
  const peer: Peer = {
    onLine: (listener) => listeners.push(listener),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
  onFailure.push(() => peer.stop());
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const listener of listeners) listener(message);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} was not ready in 30 s`)), 30_000);
    child.once('exit', (code, signal) => reject(new Error(`${script} exited (${code ?? signal})`)));
    listeners.push((message) => {
      if (message.ready !== true) return;
      clearTimeout(timer);
      resolve();
    });
  });
  return peer;
}

// ---- 1 and 2: the loop, then its anchor paired round trip by round trip -------------------------

const syncReadPacket = feetech.syncRead(IDS, STS3215.presentPosition.address, STS3215.presentPosition.size);
const syncReadReplyBytes = IDS.length * (6 + STS3215.presentPosition.size);
const syncWriteBytes = feetech.syncWrite(
  STS3215.goalPosition.address,
  STS3215.goalPosition.size,
  IDS.map((id, i) => ({ id, data: Buffer.from([homeTicks[i] & 0xff, homeTicks[i] >> 8]) })),
).length;
const pingPacket = feetech.ping(IDS[0]);
const pingReplyBytes = 6;

/** Round trips over a raw link: write `request`, wait for `replyBytes` bytes, nothing parsed. */
function echoClient(link: ByteLink, request: Buffer, replyBytes: number): () => Promise<number> {
  let got = 0;
  let wake: (() => void) | undefined;
  link.onData((chunk) => {
    got += chunk.length;
    if (got >= replyBytes) wake?.();
  });
  return async () => {
    got = 0;
    const start = performance.now();
    const arrived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the echo peer did not answer in 1 s')), 1000);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
    await link.write(request);
    if (got >= replyBytes) wake?.();
    await arrived;
    return performance.now() - start;
  };
}

async function measureLoop() {
  const pairs = await Promise.all([openPair(), openPair(), openPair()]);
  const [emulatorPair, readEchoPair, pingEchoPair] = pairs;
  const peers = await Promise.all([
    startPeer(EMULATOR, ['--port', emulatorPair.bus, '--positions', positionsArg, '--quiet']),
    startPeer(ECHO_PEER, [
      ...['--port', readEchoPair.bus, '--request', `${syncReadPacket.length}`],
      ...['--reply', `${syncReadReplyBytes}`],
    ]),
    startPeer(ECHO_PEER, [
      ...['--port', pingEchoPair.bus, '--request', `${pingPacket.length}`],
      ...['--reply', `${pingReplyBytes}`],
    ]),
  ]);
  // A generous timeout: a pty spike must show in the numbers, not end the run.
  const bus = new ServoBus(await openSerialLink(emulatorPair.app, BAUD), feetech, { timeoutMs: 200 });
  const io = new FeetechArmIo(bus, IDS);
  const links = [await openSerialLink(readEchoPair.app, BAUD), await openSerialLink(pingEchoPair.app, BAUD)];
  const readEcho = echoClient(links[0], syncReadPacket, syncReadReplyBytes);
  const pingEcho = echoClient(links[1], pingPacket, pingReplyBytes);
  await io.setTorque(true);

  let failedReads = 0;
  let k = 0;
  /** One control-loop exchange: read the 6 positions, write 6 goals (a small sway around home). */
  const cycle = async (readMs?: number[], writeMs?: number[]) => {
    const start = performance.now();
    try {
      await io.readPositions();
      readMs?.push(performance.now() - start);
    } catch {
      failedReads++;
    }
    k++;
    const goals = homeTicks.map((home, i) => home + Math.round(20 * Math.sin(k / 40 + i)));
    const sent = performance.now();
    await io.writeGoals(goals);
    writeMs?.push(performance.now() - sent);
  };
  const timed = async (work: () => Promise<unknown>, into?: number[]) => {
    const start = performance.now();
    try {
      await work();
      into?.push(performance.now() - start);
    } catch {
      failedReads++;
    }
  };

  // 1. Back to back, after a warm-up.
  for (let i = 0; i < 200; i++) await cycle();
  const loopReadMs: number[] = [];
  const loopWriteMs: number[] = [];
  const loopStart = performance.now();
  for (let i = 0; i < cycles; i++) await cycle(loopReadMs, loopWriteMs);
  const loopSeconds = (performance.now() - loopStart) / 1000;
  const loopFailedReads = failedReads;
  const loopBusStats = { ...bus.stats };

  // 2. The anchor: each sync read followed by a raw echo of the same byte counts (and each PING by
  // a 6 -> 6 echo), so both see the same moment's machine load.
  const pairedReadMs: number[] = [];
  const echoMs: number[] = [];
  const pingMs: number[] = [];
  const pingEchoMs: number[] = [];
  for (let i = 0; i < 100; i++) {
    await timed(() => io.readPositions());
    await readEcho();
    await timed(() => bus.ping(IDS[0]));
    await pingEcho();
  }
  // Which goes first alternates (A B, B A): a round trip right after another may wake faster.
  const pair = async (first: boolean, a: () => Promise<void>, b: () => Promise<void>) => {
    await (first ? a : b)();
    await (first ? b : a)();
  };
  for (let i = 0; i < cycles; i++) {
    const readFirst = i % 2 === 0;
    await pair(
      readFirst,
      () => timed(() => io.readPositions(), pairedReadMs),
      async () => void echoMs.push(await readEcho()),
    );
    if (i >= pings) continue;
    await pair(
      readFirst,
      () => timed(() => bus.ping(IDS[0]), pingMs),
      async () => void pingEchoMs.push(await pingEcho()),
    );
  }

  await io.setTorque(false);
  await io.close();
  await Promise.all(links.map((link) => link.close()));
  await Promise.all(peers.map((peer) => peer.stop()));
  await Promise.all(pairs.map((pair) => pair.close()));
  return {
    cycles,
    cyclesPerSecond: cycles / loopSeconds,
    failedReads: loopFailedReads,
    anchorFailedReads: failedReads - loopFailedReads,
    syncRead: stats(loopReadMs),
    syncWrite: stats(loopWriteMs),
    busStats: loopBusStats,
    pairedSyncRead: stats(pairedReadMs),
    echo: stats(echoMs),
    ping: stats(pingMs),
    pingEcho: stats(pingEchoMs),
  };
}

// ---- 3: e-stop ------------------------------------------------------------------------------------

interface GoalLine {
  goal: number;
  ns: bigint;
}

async function measureEstop(rateHz: number, next: () => number) {
  const pair: PtyPair = await openPair();
  const host = await startPeer(EMULATOR_HOST, [
    '--port',
    pair.bus,
    '--positions',
    positionsArg,
    '--log-id',
    '1',
  ]);
  let goals: GoalLine[] = [];
  host.onLine((m) => {
    if (typeof m.goal === 'number') goals.push({ goal: m.goal, ns: BigInt(m.ns as string) });
  });
  // A stall past the scan's timeout on a loaded machine fails a connect: say so and try again.
  let connectRetries = 0;
  const connect = (): ReturnType<typeof connectArm> =>
    connectArm({ port: pair.app, calibration: testCalibration(), rateHz, timeoutMs: 100 }).catch((error) => {
      if (++connectRetries > 2) throw error;
      console.log(`   (connect at ${rateHz} Hz failed, trying again: ${(error as Error).message})`);
      return connect();
    });
  const arm = await connect();
  onFailure.push(() => arm.disconnect());
  const controller = arm.controller;
  await controller.torqueOn();
  const keepAlive = setInterval(() => controller.keepAlive(), 50);

  const cyclesBegun: number[] = [];
  const toHoldAtServoMs: number[] = [];
  const toResolvedMs: number[] = [];
  const stepsAfterCall: number[] = [];
  let holdsNotSeen = 0;
  const mapping = jointMapping(testCalibration());
  let telemetryWaiter: ((goal: number[] | undefined) => void) | undefined;
  const cycleEnds: number[] = []; // telemetry goes out at the end of every cycle
  controller.onTelemetry((telemetry) => {
    cycleEnds.push(performance.now());
    telemetryWaiter?.(telemetry.goal);
  });
  const nextTelemetryGoal = () =>
    new Promise<number[] | undefined>((resolve) => {
      telemetryWaiter = (goal) => {
        telemetryWaiter = undefined;
        resolve(goal);
      };
    });
  const firstCycle = controller.cycles;
  const started = performance.now();
  try {
    for (let trial = 0; trial < trials; trial++) {
      const target = [...HOME];
      target[0] = controller.joints[0] > 0 ? -1.2 : 1.2; // the far side: always a long move
      const move = controller.moveTo(target);
      move.catch(() => undefined); // the e-stop rejects it
      await sleep(20 + next() * 230);
      goals = [];
      const before = controller.cycles;
      const called = process.hrtime.bigint();
      await controller.estop();
      const resolved = process.hrtime.bigint();
      cyclesBegun.push(controller.cycles - before);
      toResolvedMs.push(Number(resolved - called) / 1e6);
      // The hold goal is the controller's goal once e-stopped (telemetry of a later cycle shows it);
      // the servo got it with the last goal write after the call that carries it.
      const goal = await nextTelemetryGoal();
      const holdTicks = goal && mapping.toTicks(0, goal[0]);
      let hold: GoalLine | undefined;
      for (let waited = 0; waited < 1000 && !hold && holdTicks !== undefined; waited += 2) {
        await sleep(2);
        hold = goals.filter((line) => line.ns > called && line.goal === holdTicks).at(-1);
      }
      const after = goals.filter((line) => line.ns > called && (!hold || line.ns <= hold.ns));
      if (hold) toHoldAtServoMs.push(Number(hold.ns - called) / 1e6);
      else holdsNotSeen++;
      stepsAfterCall.push(Math.max(0, after.length - (hold ? 1 : 0)));
      await controller.resume();
    }
  } finally {
    clearInterval(keepAlive);
  }
  const achievedHz = (controller.cycles - firstCycle) / ((performance.now() - started) / 1000);
  const period = 1000 / rateHz;
  const intervals = cycleEnds.slice(1).map((end, i) => end - cycleEnds[i]);
  const lateCycles = intervals.filter((interval) => interval > 1.5 * period).length;
  await arm.disconnect();
  await host.stop();
  await pair.close();
  return {
    rateHz,
    achievedHz,
    cycleIntervalMs: stats(intervals),
    /** Cycle-to-cycle gaps over 1.5 periods: an overrun or a stall drops the lost time, by design. */
    lateCycles,
    trials,
    cyclesBegun: {
      p50: quantile(cyclesBegun, 0.5),
      max: Math.max(...cyclesBegun),
      histogram: Object.fromEntries(
        [...new Set(cyclesBegun)]
          .sort((a, b) => a - b)
          .map((n) => [n, cyclesBegun.filter((c) => c === n).length]),
      ),
    },
    callToHoldAtServo: stats(toHoldAtServoMs),
    callToEstopResolved: stats(toResolvedMs),
    motionStepsAfterCall: {
      max: Math.max(...stepsAfterCall),
      total: stepsAfterCall.reduce((a, b) => a + b, 0),
    },
    holdsNotSeen,
    connectRetries,
  };
}

// ---- run and report -------------------------------------------------------------------------------

const wallStart = performance.now();
const loadBefore = loadavg();
const wire = (bytes: number) => (bytes * 10) / BAUD / 1e-3; // 8N1: 10 bits a byte, in ms
const wireRead = wire(syncReadPacket.length + syncReadReplyBytes);
const wireWrite = wire(syncWriteBytes);

console.log(
  `bench/serial: 6 emulated STS3215 servos in a separate process, over a socat pty pair configured at ${BAUD.toLocaleString('en-US')} baud`,
);
console.log(
  `  a pty ignores the baud rate: these are software latencies (upper bound on rate). On a real 1 Mbaud wire a 6-servo sync read (${syncReadPacket.length} + ${syncReadReplyBytes} bytes) takes ${wireRead.toFixed(2)} ms and a sync write (${syncWriteBytes} bytes) ${wireWrite.toFixed(2)} ms (<= ${Math.floor(1000 / (wireRead + wireWrite))} cycles/s), before USB latency and the servos' return delay (expect 1-3 ms per read)`,
);
console.log(
  `  load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} (${cpus().length} cores), node ${process.version}`,
);

const loop = await cleaningUpOnFailure(measureLoop);
const readRatio = loop.pairedSyncRead.p50 / loop.echo.p50;
const pingRatio = loop.ping.p50 / loop.pingEcho.p50;
const row = (label: string, s: Stats) =>
  `   ${label.padEnd(40)} p50 ${ms(s.p50).padStart(6)}  p99 ${ms(s.p99).padStart(6)}  max ${ms(s.max).padStart(6)}  (>${SPIKE_MS} ms: ${s.over2ms} of ${s.n})`;
console.log(
  `\n1. control-loop exchange back to back (sync read 6 positions + sync write 6 goals), ${loop.cycles} cycles`,
);
console.log(
  `   cycles per second                        ${Math.round(loop.cyclesPerSecond).toLocaleString('en-US')} (goal >= 200 Hz${loop.cyclesPerSecond >= 200 ? ', met' : ', NOT met'}; LeRobot records at ~30 Hz)`,
);
console.log(row('sync read round trip, ms', loop.syncRead));
console.log(row('sync write handed to the port, ms', loop.syncWrite));
console.log(
  `   failed reads ${loop.failedReads}; bus stats: ${loop.busStats.requests} requests, ${loop.busStats.timeouts} timeouts, ${loop.busStats.lateReplies} late replies, ${loop.busStats.checksumErrors} checksum errors`,
);
console.log(
  `\n2. anchor: raw echo over a pty pair, a peer process answering N bytes with M (no parsing); each sync read / PING paired with its echo (order alternating)`,
);
console.log(row('sync read round trip (paired), ms', loop.pairedSyncRead));
console.log(row(`raw echo ${syncReadPacket.length} -> ${syncReadReplyBytes} bytes, ms`, loop.echo));
console.log(`   sync read / raw echo, p50                ${readRatio.toFixed(2)}x`);
console.log(row('PING round trip (ServoBus), ms', loop.ping));
console.log(row(`raw echo ${pingPacket.length} -> ${pingReplyBytes} bytes, ms`, loop.pingEcho));
console.log(`   PING / raw echo, p50                     ${pingRatio.toFixed(2)}x`);

console.log(
  `\n3. e-stop: connectArm, torque on, a long base move, estop() at ${trials} random moments (seed ${seed}); emulator in its own process (bench/serial/emulator-host.ts), stamps on CLOCK_MONOTONIC`,
);
console.log(
  `   ${'rate'.padEnd(8)}${'achieved'.padStart(9)}  ${'cycles begun call->hold'.padEnd(26)}${'call->hold at servo ms'.padEnd(25)}${'call->estop() done ms'.padEnd(24)}steps after call`,
);
const next = random(seed);
const estops = [];
for (const rate of rates) {
  const e = await cleaningUpOnFailure(() => measureEstop(rate, next));
  estops.push(e);
  const histogram = Object.entries(e.cyclesBegun.histogram)
    .map(([n, count]) => `${n}:${count}`)
    .join(' ');
  console.log(
    `   ${`${rate} Hz`.padEnd(8)}${`${e.achievedHz.toFixed(1)} Hz`.padStart(9)}  ${`max ${e.cyclesBegun.max} (${histogram})`.padEnd(26)}${`p50 ${ms(e.callToHoldAtServo.p50)} max ${ms(e.callToHoldAtServo.max)}`.padEnd(25)}${`p50 ${ms(e.callToEstopResolved.p50)} max ${ms(e.callToEstopResolved.max)}`.padEnd(24)}${e.motionStepsAfterCall.total} in ${trials} (max ${e.motionStepsAfterCall.max})${e.holdsNotSeen ? `, ${e.holdsNotSeen} holds not seen` : ''}`,
  );
}
for (const e of estops) {
  const i = e.cycleIntervalMs;
  console.log(
    `   ${e.rateHz} Hz cycle-to-cycle ms: p50 ${ms(i.p50)} p99 ${ms(i.p99)} max ${ms(i.max)}; ${e.lateCycles} of ${i.n} gaps over 1.5 periods (a late cycle's lost time is not made up)`,
  );
}
const loadAfter = loadavg();
const seconds = (performance.now() - wallStart) / 1000;
console.log(
  `\n   load average after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}; ${seconds.toFixed(1)} s in all`,
);
console.log(
  JSON.stringify({
    bench: 'serial',
    baud: BAUD,
    pty: true,
    wireMs: { syncRead: round(wireRead), syncWrite: round(wireWrite) },
    loadavg: { before: loadBefore.map((x) => round(x, 2)), after: loadAfter.map((x) => round(x, 2)) },
    cores: cpus().length,
    loop: {
      cycles: loop.cycles,
      cyclesPerSecond: Math.round(loop.cyclesPerSecond),
      failedReads: loop.failedReads,
      syncReadMs: roundStats(loop.syncRead),
      syncWriteMs: roundStats(loop.syncWrite),
      busStats: loop.busStats,
    },
    anchor: {
      failedReads: loop.anchorFailedReads,
      syncReadMs: roundStats(loop.pairedSyncRead),
      echoMs: roundStats(loop.echo),
      syncReadOverEcho: round(readRatio, 3),
      pingMs: roundStats(loop.ping),
      pingEchoMs: roundStats(loop.pingEcho),
      pingOverEcho: round(pingRatio, 3),
    },
    estop: estops.map((e) => ({
      ...e,
      achievedHz: round(e.achievedHz, 1),
      cycleIntervalMs: (({ over2ms: _, ...interval }) => interval)(roundStats(e.cycleIntervalMs)),
      callToHoldAtServo: roundStats(e.callToHoldAtServo),
      callToEstopResolved: roundStats(e.callToEstopResolved),
    })),
    seconds: round(seconds, 1),
  }),
);
process.exit(0);
