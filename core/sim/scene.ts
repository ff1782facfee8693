// Builds the table scene MJCF for an arm plus a task's objects. Objects are plain data; the MJCF
// they become is written here and nowhere else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from '../paths.ts';
import { SimError } from './errors.ts';
import { Simulation } from './simulation.ts';
import { ARM_NAMES, type ArmName } from '../../api/types.ts';

export interface SceneObject {
  name: string;
  shape: 'box' | 'cylinder' | 'sphere';
  /** Full extents (l, w, h) in metres; for cylinders and spheres l = w = diameter. */
  size: [number, number, number];
  /** Centre position in metres. */
  position: [number, number, number];
  yaw?: number;
  rgba?: [number, number, number, number];
  /** kg; free objects only. */
  mass?: number;
  /** A free object can be moved by the robot; a fixed one (a target pad, a bin wall) cannot. */
  fixed?: boolean;
}

export interface SceneSpec {
  arm: ArmName;
  objects?: SceneObject[];
  /** Extra MJCF placed inside <worldbody>, for tasks with articulated parts (drawers, buttons). */
  extraBodies?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function armXml(arm: ArmName): string {
  if (!ARM_NAMES.includes(arm))
    throw new SimError('bad-input', `unknown arm '${arm}': use ${ARM_NAMES.join(' or ')}`);
  return readFileSync(join(assetsDir, 'arms', `${arm}.xml`), 'utf8');
}

export function sceneXml(spec: SceneSpec): string {
  const table = readFileSync(join(assetsDir, 'scenes', 'table.xml'), 'utf8');
  const bodies = (spec.objects ?? []).map(objectXml).join('\n    ');
  return table.replace('<!-- objects -->', `${bodies}\n    ${spec.extraBodies ?? ''}`);
}

let built = 0;

/** How many table scenes this thread has built: work done twice shows up here (tests count it). */
export function scenesBuilt(): number {
  return built;
}

export async function loadScene(spec: SceneSpec): Promise<Simulation> {
  built++;
  return Simulation.fromXml(sceneXml(spec), {
    files: { 'arm.xml': armXml(spec.arm) },
    source: `${spec.arm} table scene`,
  });
}

function objectXml(object: SceneObject): string {
  if (!NAME.test(object.name))
    throw new SimError('bad-input', `object name '${object.name}' must be letters, digits or _`);
  const numbers = [...object.size, ...object.position, object.yaw ?? 0, object.mass ?? 0.05];
  if (!numbers.every(Number.isFinite))
    throw new SimError('bad-input', `object '${object.name}' has a non-finite size, position or yaw`);
  if (object.size.some((v) => v <= 0))
    throw new SimError('bad-input', `object '${object.name}' needs a positive size`);
  const [l, w, h] = object.size;
  const half = (v: number): string => fmt(v / 2);
  const geomSize =
    object.shape === 'box'
      ? `${half(l)} ${half(w)} ${half(h)}`
      : object.shape === 'cylinder'
        ? `${half(l)} ${half(h)}`
        : half(l);
  const yaw = object.yaw ?? 0;
  const quat = `${fmt(Math.cos(yaw / 2))} 0 0 ${fmt(Math.sin(yaw / 2))}`;
  const rgba = (object.rgba ?? [0.8, 0.2, 0.2, 1]).map(fmt).join(' ');
  const joint = object.fixed ? '' : '<freejoint/>';
  const mass = object.fixed ? '' : ` mass="${fmt(object.mass ?? 0.05)}"`;
  const contact = ' condim="4" friction="1 0.01 0.001" solref="0.005 1" solimp="0.95 0.99 0.001"';
  return (
    `<body name="${object.name}" pos="${object.position.map(fmt).join(' ')}" quat="${quat}">${joint}` +
    `<geom name="${object.name}" type="${object.shape}" size="${geomSize}" rgba="${rgba}"${mass}${contact}/></body>`
  );
}

function fmt(v: number): string {
  return Number(v.toFixed(6)).toString();
}
