// Writing results: text as is, or one JSON document; and the few text layouts more than one
// command prints.
import type { GgufInfo, MjcfInfo, PrimitiveResult } from '../api/types.ts';

export function print(value: unknown, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : String(value));
}

/** One primitive call and how it ended, as a trace line. */
export function stepLine(r: PrimitiveResult): string {
  return `  ${r.primitive.padEnd(13)} ${r.status.padEnd(11)} ${r.duration.toFixed(2)} s  ${r.message}`;
}

export function formatMjcfInfo(info: MjcfInfo): string {
  const list = (names: string[]): string => (names.length ? names.join(', ') : '(none)');
  const c = info.counts;
  return (
    [
      `${info.source} (MuJoCo ${info.mujocoVersion}, timestep ${info.timestep} s)`,
      `bodies     ${String(c.bodies).padStart(3)}  ${list(info.bodies)}`,
      `joints     ${String(c.joints).padStart(3)}  ${list(info.joints)}`,
      `actuators  ${String(c.actuators).padStart(3)}  ${list(info.actuators)}`,
      `sites      ${String(c.sites).padStart(3)}  ${list(info.sites)}`,
      `geoms      ${String(c.geoms).padStart(3)}`,
      'joints' in info.arm
        ? `arm        joints ${info.arm.joints.join(', ')}; gripper ${info.arm.gripperActuators.join(', ')}`
        : `arm        none: ${info.arm.none}`,
    ].join('\n') + '\n'
  );
}

/** A few readable lines about a GGUF file. */
export function formatGgufInfo(info: GgufInfo): string {
  const lines = [
    `${info.file}  (${info.type}, ${info.architecture}${info.name ? `, "${info.name}"` : ''})`,
    `  size          ${info.fileBytes.toLocaleString('en-US')} bytes`,
    `  parameters    ${info.parameters.toLocaleString('en-US')} in ${info.tensors} tensors`,
  ];
  if (info.quantisation) lines.push(`  quantisation  ${info.quantisation}`);
  if (info.contextLength !== undefined) lines.push(`  context       ${info.contextLength}`);
  if (info.type !== 'adapter')
    lines.push(
      `  chat template ${info.chatTemplate ? JSON.stringify(info.chatTemplate.slice(0, 60)) + '…' : 'none'}`,
    );
  if (info.loraAlpha !== undefined) lines.push(`  lora alpha    ${info.loraAlpha}`);
  return `${lines.join('\n')}\n`;
}
