// Untrusted primitive calls from a program: decode the numbers, validate every one (finite, inside
// the arm's workspace box) and only then let the robot move. A bad number ends the attempt before
// anything moves.
import type { Robot } from '../sim/skills.ts';
import type { CallHandler, CallReply } from '../sandbox/python-sandbox.ts';
import type { ArmName } from '../../api/types.ts';
import type { PrimitiveResult } from '../../api/types.ts';

type Range = readonly [number, number];
export const WORKSPACE_BOUNDS: Record<ArmName, { x: Range; y: Range; z: Range }> = {
  panda: { x: [-0.2, 0.95], y: [-0.7, 0.7], z: [-0.02, 0.8] },
  so100: { x: [-0.1, 0.4], y: [-0.4, 0.4], z: [-0.02, 0.4] },
};
const MAX_YAW = 4 * Math.PI;

export class InvalidCall extends Error {}

/** A number as the runner sends it (Python's repr) or as JSON; anything else is refused. */
export function decodeNumber(value: unknown, what: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? value === 'inf'
          ? Infinity
          : value === '-inf'
            ? -Infinity
            : value.trim() === ''
              ? NaN
              : Number(value)
        : NaN;
  if (typeof value !== 'number' && typeof value !== 'string')
    throw new InvalidCall(`${what} must be a number, not ${describe(value)}`);
  if (!Number.isFinite(n)) throw new InvalidCall(`${what} is ${String(value)}, not a finite number`);
  return n;
}

/** Check a move_gripper target; returns [x, y, z] and yaw, or throws InvalidCall naming the problem. */
export function validateMove(
  arm: ArmName,
  position: unknown,
  yaw: unknown,
): { position: [number, number, number]; yaw: number } {
  if (!Array.isArray(position) || position.length !== 3)
    throw new InvalidCall(`move_gripper position must be [x, y, z], not ${describe(position)}`);
  const p = position.map((v, i) => decodeNumber(v, `move_gripper position[${i}]`)) as [
    number,
    number,
    number,
  ];
  const y = decodeNumber(yaw ?? 0, 'move_gripper yaw');
  const box = WORKSPACE_BOUNDS[arm];
  const outside = (['x', 'y', 'z'] as const).filter((axis, i) => p[i] < box[axis][0] || p[i] > box[axis][1]);
  if (outside.length > 0) {
    const bounds = (['x', 'y', 'z'] as const).map((a) => `${a} ${box[a][0]}..${box[a][1]}`).join(', ');
    throw new InvalidCall(
      `move_gripper position [${p.map((v) => v.toFixed(3)).join(', ')}] is outside the ${arm} workspace (${bounds} m)`,
    );
  }
  if (Math.abs(y) > MAX_YAW)
    throw new InvalidCall(`move_gripper yaw ${y} is not a sensible angle in radians`);
  return { position: p, yaw: y };
}

/** Answers a program's primitive calls with the robot, after validation. */
export function robotCallHandler(robot: Robot, arm: ArmName): CallHandler {
  return (name, args): CallReply => {
    try {
      switch (name) {
        case 'open_gripper':
          return reply(robot.open_gripper());
        case 'close_gripper':
          return reply(robot.close_gripper());
        case 'move_gripper': {
          const { position, yaw } = validateMove(arm, args[0], args[1]);
          return reply(robot.move_gripper(position, yaw));
        }
        default:
          return { stop: `unknown primitive '${String(name).slice(0, 40)}'` };
      }
    } catch (err) {
      if (err instanceof InvalidCall) return { stop: err.message };
      throw err;
    }
  };
}

function reply(result: PrimitiveResult): CallReply {
  return { result: { status: result.status, message: result.message } };
}

function describe(value: unknown): string {
  if (value && typeof value === 'object' && 'type' in value)
    return `a ${String((value as { type: unknown }).type)}`;
  if (value && typeof value === 'object' && 'str' in value)
    return `the text ${JSON.stringify((value as { str: unknown }).str)}`;
  return JSON.stringify(value)?.slice(0, 60) ?? String(value);
}
