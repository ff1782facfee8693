// bench/serial's e-stop peer: the same emulated STS3215 bus as test/fixtures/sts-bus-emulator.ts's
// program, in its own process, printing one servo's goal-position writes stamped with
// process.hrtime (CLOCK_MONOTONIC, the same clock in every process on the machine), so the bench
// can tell the wall time from its e-stop call to the hold goal reaching the servo. The fixture's own
// program stamps writes from its own start, which another process cannot line up to the microsecond.
// Usage: node --import tsx bench/serial/emulator-host.ts --port PATH --positions 1:2048,... [--log-id 1]
// Prints {"ready":true}, then {"goal":ticks,"ns":"<hrtime>"} per goal write to servo --log-id.
import { parseArgs } from 'node:util';
import { STS3215 } from '../../core/robot/feetech.ts';
import { StsBusEmulator } from '../../test/fixtures/sts-bus-emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    positions: { type: 'string' },
    'log-id': { type: 'string' },
  },
});
if (!values.port) {
  process.stderr.write('usage: emulator-host --port PATH [--positions 1:2048,...] [--log-id 1]\n');
  process.exit(2);
}
const logId = Number(values['log-id'] ?? 1);
const positions = values.positions
  ? Object.fromEntries(values.positions.split(',').map((pair) => pair.split(':').map(Number)))
  : undefined;
const emulator = new StsBusEmulator({ path: values.port, positions });
emulator.onWrite = (record) => {
  if (record.id !== logId || record.address !== STS3215.goalPosition.address) return;
  const ns = process.hrtime.bigint();
  process.stdout.write(
    `${JSON.stringify({ goal: record.data[0] | (record.data[1] << 8), ns: ns.toString() })}\n`,
  );
};
await emulator.start();
const stop = () => void emulator.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop).resume(); // the parent went away
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
