// The control loop's view of an arm of Feetech STS3215 servos (SO-100 / SO-101): positions and
// goals by sync read and sync write, one exchange each per cycle, and load, voltage and temperature
// in one sync read of the four bytes from address 60.
import type { ArmIo, ServoReading } from './arm-io.ts';
import {
  decodeSignMagnitude,
  decodeU16,
  encodeSignMagnitude,
  encodeU16,
  STS3215,
  STS3215_SIGN_BITS,
} from './feetech.ts';
import { BusError, type Register } from './protocol.ts';
import type { ServoBus } from './servo-bus.ts';

/** Present load (2), present voltage (1) and present temperature (1) are adjacent. */
const LOAD_VOLTAGE_TEMPERATURE: Register = { address: STS3215.presentLoad.address, size: 4 };

export class FeetechArmIo implements ArmIo {
  constructor(
    private readonly bus: ServoBus,
    readonly ids: readonly number[],
  ) {}

  async readPositions(): Promise<number[]> {
    const { values } = await this.bus.syncRead(this.ids, STS3215.presentPosition);
    return this.ids.map((id) => decodeU16(values.get(id)!));
  }

  /** For one-off calls (torque on): one lost reply must not fail them. */
  private async readPositionsRetrying(attempts = 3): Promise<number[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.readPositions();
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  }

  writeGoals(ticks: readonly number[]): Promise<void> {
    return this.bus.syncWrite(
      STS3215.goalPosition,
      this.ids.map((id, i) => ({ id, data: encodeU16(checkTicks(ticks[i], id)) })),
    );
  }

  async setTorque(on: boolean): Promise<void> {
    if (on) {
      // Goal = present first: a stale goal in the servo would make the arm jump at torque on.
      await this.writeGoals(await this.readPositionsRetrying());
    }
    await this.bus.syncWrite(
      STS3215.torqueEnable,
      this.ids.map((id) => ({ id, data: Buffer.from([on ? 1 : 0]) })),
    );
  }

  async readServos(): Promise<ServoReading[]> {
    const { values, errors } = await this.bus.syncRead(this.ids, LOAD_VOLTAGE_TEMPERATURE);
    return this.ids.map((id) => {
      const bytes = values.get(id)!;
      return {
        id,
        load: decodeSignMagnitude(decodeU16(bytes, 0), STS3215_SIGN_BITS.presentLoad),
        voltage: bytes[2] / 10,
        temperature: bytes[3],
        errors: errors.has(id) ? this.bus.protocol.errorNames(errors.get(id)!) : [],
      };
    });
  }

  /** What each servo's homing offset register holds now. */
  async readHomingOffsets(): Promise<Map<number, number>> {
    const offsets = new Map<number, number>();
    for (const id of this.ids) {
      const raw = decodeU16(await this.bus.read(id, STS3215.homingOffset));
      offsets.set(id, decodeSignMagnitude(raw, STS3215_SIGN_BITS.homingOffset));
    }
    return offsets;
  }

  /** Make each servo's homing offset register hold `offsets` (EEPROM: unlock, write, lock). */
  async applyHomingOffsets(offsets: ReadonlyMap<number, number>): Promise<number[]> {
    const changed: number[] = [];
    for (const [id, offset] of offsets) {
      const raw = decodeU16(await this.bus.read(id, STS3215.homingOffset));
      if (decodeSignMagnitude(raw, STS3215_SIGN_BITS.homingOffset) === offset) continue;
      const encoded = encodeSignMagnitude(
        offset,
        STS3215_SIGN_BITS.homingOffset,
        `servo ${id}'s homing offset`,
      );
      await this.bus.write(id, STS3215.lock, Buffer.from([0]));
      await this.bus.write(id, STS3215.homingOffset, encodeU16(encoded));
      await this.bus.write(id, STS3215.lock, Buffer.from([1]));
      changed.push(id);
    }
    return changed;
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}

/** A goal outside one turn is a bug above this layer; it must never reach a servo as a wrapped value. */
function checkTicks(ticks: number, id: number): number {
  if (!Number.isInteger(ticks) || ticks < 0 || ticks > 4095) {
    throw new BusError('invalid', `servo ${id}: goal ${ticks} ticks is outside 0..4095`);
  }
  return ticks;
}
