// Which servos answer on a bus, and what to check when some do not: the hint LeRobot users lack
// ("Missing motor IDs: 2..6" says nothing about the cable between 1 and 2).
import type { BusScan, ScannedServo } from '../../api/types.ts';
import { BusError } from './protocol.ts';
import type { ServoBus } from './servo-bus.ts';

const MODEL_NAMES: Record<number, string> = {
  777: 'Feetech STS3215',
  1200: 'Dynamixel XL330-M288',
  1190: 'Dynamixel XL330-M077',
  1060: 'Dynamixel XL430-W250',
};
const MODEL_NUMBER = { address: 3, size: 2 } as const;
/** Generous: a busy machine can delay a reply far past the wire time, and a scan is done once. */
const SCAN_TIMEOUT_MS = 100; // STS; Dynamixel sends it with the ping

export async function scanBus(
  bus: ServoBus,
  expected: { ids: readonly number[]; joints: readonly string[] },
  extraIds: readonly number[] = [],
): Promise<Omit<BusScan, 'port' | 'baudRate'>> {
  const found: ScannedServo[] = [];
  const collisions: number[] = [];
  for (const id of [...expected.ids, ...extraIds.filter((id) => !expected.ids.includes(id))]) {
    try {
      const reply = await pingTwice(bus, id);
      const model = reply.params.length >= 2 ? reply.params.readUInt16LE(0) : await modelNumber(bus, id);
      const index = expected.ids.indexOf(id);
      found.push({
        id,
        model,
        modelName: MODEL_NAMES[model],
        joint: index >= 0 ? expected.joints[index] : undefined,
      });
    } catch (error) {
      if (error instanceof BusError && error.kind === 'checksum') collisions.push(id);
      else if (!(error instanceof BusError)) throw error;
    }
  }
  const missing = expected.ids
    .map((id, i) => ({ id, joint: expected.joints[i] }))
    .filter(({ id }) => !found.some((servo) => servo.id === id));
  return { protocol: bus.protocol.name, found, missing, hint: hintFor(found, missing, collisions, expected) };
}

/**
 * A missing servo, or two sharing an id, is a strong claim: one lost or garbled reply (noise, a
 * busy machine) must not make it. Asks twice; the second answer stands.
 */
async function pingTwice(bus: ServoBus, id: number) {
  const timeout = Math.max(SCAN_TIMEOUT_MS, bus.timeoutMs);
  try {
    return await bus.ping(id, timeout);
  } catch (error) {
    if (!(error instanceof BusError) || (error.kind !== 'timeout' && error.kind !== 'checksum')) throw error;
    return bus.ping(id, timeout);
  }
}

/** The model number register, asked twice like the ping: the servo did answer a moment ago. */
async function modelNumber(bus: ServoBus, id: number): Promise<number> {
  const timeout = Math.max(SCAN_TIMEOUT_MS, bus.timeoutMs);
  try {
    return (await bus.read(id, MODEL_NUMBER, timeout)).readUInt16LE(0);
  } catch (error) {
    if (!(error instanceof BusError) || (error.kind !== 'timeout' && error.kind !== 'checksum')) throw error;
    return (await bus.read(id, MODEL_NUMBER, timeout)).readUInt16LE(0);
  }
}

/** What to check, in the order an experienced lab member would. */
export function hintFor(
  found: readonly ScannedServo[],
  missing: ReadonlyArray<{ id: number; joint: string }>,
  collisions: readonly number[],
  expected: { ids: readonly number[]; joints: readonly string[] },
): string | undefined {
  const name = (id: number): string => {
    const i = expected.ids.indexOf(id);
    return i >= 0 ? `servo ${id} (${expected.joints[i]})` : `servo ${id}`;
  };
  if (collisions.length > 0) {
    return `${collisions.map(name).join(', ')} answered garbled: two servos probably share that id (a new servo answers as id 1). Connect the servos one at a time and give each its id.`;
  }
  if (missing.length === 0) return undefined;
  if (found.length === 0) {
    return 'No servo answered. Check, in order: the servo power supply is on (the adapter\'s USB does not power the servos); the bus cable is in the adapter\'s servo connector; on Waveshare adapters both jumpers are on "B"; the baud rate (SO-100 servos ship at 1,000,000).';
  }
  const answered = expected.ids.filter((id) => found.some((servo) => servo.id === id));
  const lastAnswering = Math.max(...answered.map((id) => expected.ids.indexOf(id)));
  const missingIds = missing.map(({ id }) => id);
  const allBeyond = missingIds.every((id) => expected.ids.indexOf(id) > lastAnswering);
  if (allBeyond) {
    const before = expected.ids[lastAnswering];
    const after = expected.ids[lastAnswering + 1];
    return `${missing.map(({ id }) => name(id)).join(', ')} did not answer; every servo up to ${name(before)} did. The daisy chain is probably broken after it: check the cable from ${name(before)} to ${name(after)} (reseat both ends).`;
  }
  return `${missing.map(({ id }) => name(id)).join(', ')} did not answer although servos further along the chain did: the cable is fine, so that servo probably has another id (it answers elsewhere, or as id 1 if new) or is damaged. Connect it alone and scan ids 0 to 252.`;
}
