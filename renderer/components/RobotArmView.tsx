// The real arm in 3D: the simulated SO-100 (assets/arms/so100.xml) on its table, posed from the
// telemetry's joint angles. The renderer has no MuJoCo, so the arm's bodies are placed here by
// forward kinematics: each link's offset from its parent is read off the scene's own starting poses
// (so the numbers stay those of the model file), and turned about its joint axis by the measured
// angle. The program panel's task objects are drawn where the operator says they really are.
import { useMemo } from 'react';
import * as THREE from 'three';
import type { SceneGeometry } from '../../api/types.ts';
import { SceneView } from './SceneView.tsx';

/** The SO-100's moving bodies in joint order (5 arm joints, then the jaw) and their joint axes. */
const CHAIN: ReadonlyArray<{ body: string; axis: [number, number, number] }> = [
  { body: 'shoulder', axis: [0, 0, 1] }, // shoulder_pan
  { body: 'upper_arm', axis: [0, 1, 0] }, // shoulder_lift
  { body: 'lower_arm', axis: [0, 1, 0] }, // elbow_flex
  { body: 'wrist', axis: [0, 1, 0] }, // wrist_flex
  { body: 'gripper_body', axis: [0, 0, 1] }, // wrist_roll
  { body: 'moving_jaw', axis: [1, 0, 0] }, // jaw
];
const ARM_BASE = 'so100_base';
/** Bodies kept beside the arm: the floor (world) and the table. */
const KEPT = new Set(['world', 'table', 'floor']);

interface Link {
  body: number;
  parent: number;
  /** Where the body sits in its parent's frame (the joint turns about the body's origin). */
  offset: THREE.Vector3;
  axis: THREE.Vector3;
}

/** How to pose the arm: its links, and every body's starting pose for the rest of the scene. */
export interface ArmRig {
  links: Link[];
  rest: number[];
}

const positionOf = (poses: number[], b: number) =>
  new THREE.Vector3(poses[7 * b], poses[7 * b + 1], poses[7 * b + 2]);
const rotationOf = (poses: number[], b: number) =>
  new THREE.Quaternion(poses[7 * b + 4], poses[7 * b + 5], poses[7 * b + 6], poses[7 * b + 3]);

/**
 * The SO-100's links in a scene, or undefined for another arm. Each body's frame in so100.xml has no
 * rotation of its own (only its joint turns it), which is what lets the offsets be read at any pose.
 */
export function armRig(geometry: SceneGeometry, poses: number[]): ArmRig | undefined {
  const index = (name: string) => geometry.bodies.findIndex((b) => b.name === name);
  if (index(ARM_BASE) < 0 || poses.length < 7 * geometry.bodies.length) return undefined;
  const links: Link[] = [];
  for (const { body: name, axis } of CHAIN) {
    const body = index(name);
    if (body < 0) return undefined;
    const parent = geometry.bodies[body].parent;
    const offset = positionOf(poses, body)
      .sub(positionOf(poses, parent))
      .applyQuaternion(rotationOf(poses, parent).invert());
    links.push({ body, parent, offset, axis: new THREE.Vector3(...axis) });
  }
  return { links, rest: poses };
}

/** Every body's world pose (x, y, z, qw, qx, qy, qz, flat) with the arm at `joints` (radians). */
export function armPoses(rig: ArmRig, joints: readonly number[]): number[] {
  const out = [...rig.rest];
  const turn = new THREE.Quaternion();
  rig.links.forEach((link, j) => {
    const parentAt = positionOf(out, link.parent);
    const parentRotation = rotationOf(out, link.parent);
    const position = link.offset.clone().applyQuaternion(parentRotation).add(parentAt);
    const rotation = parentRotation.multiply(turn.setFromAxisAngle(link.axis, joints[j] ?? 0));
    const o = 7 * link.body;
    out.splice(o, 7, position.x, position.y, position.z, rotation.w, rotation.x, rotation.y, rotation.z);
  });
  return out;
}

/** An object of the task where the operator says it really is. */
export interface PlacedBody {
  name: string;
  position: [number, number, number];
  /** Radians about z. */
  yaw: number;
}

/** Put the named bodies at their places (flat poses, as armPoses returns them). */
export function placeBodies(
  geometry: SceneGeometry,
  poses: number[],
  placed: readonly PlacedBody[],
): number[] {
  const out = [...poses];
  for (const { name, position, yaw } of placed) {
    const b = geometry.bodies.findIndex((body) => body.name === name);
    if (b < 0) continue;
    out.splice(7 * b, 7, ...position, Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2));
  }
  return out;
}

/** The scene with only the floor, the table, the arm and the given objects (the others are not on the real table). */
export function armOnly(geometry: SceneGeometry, objects: ReadonlySet<string> = new Set()): SceneGeometry {
  const base = geometry.bodies.findIndex((b) => b.name === ARM_BASE);
  const onArm = (b: number): boolean => {
    for (let at = b, hops = 0; hops <= geometry.bodies.length; hops++) {
      if (at === base) return true;
      if (at === 0) return false;
      at = geometry.bodies[at].parent;
    }
    return false;
  };
  const kept = (b: number) => {
    const name = geometry.bodies[b]?.name ?? '';
    return KEPT.has(name) || objects.has(name) || onArm(b);
  };
  return { ...geometry, geoms: geometry.geoms.filter((g) => kept(g.body)) };
}

export function RobotArmView({
  geometry,
  poses,
  joints,
  objects = [],
}: {
  /** A task's scene with the SO-100 in it. */
  geometry?: SceneGeometry;
  poses?: number[];
  /** The measured joints, radians; the scene's own pose until telemetry comes. */
  joints?: number[];
  /** The task's objects to show, where they really are; the others are left out. */
  objects?: PlacedBody[];
}) {
  const rig = useMemo(() => (geometry && poses ? armRig(geometry, poses) : undefined), [geometry, poses]);
  const names = objects.map((o) => o.name).join(',');
  const shown = useMemo(
    () => (geometry ? armOnly(geometry, new Set(objects.map((o) => o.name))) : undefined),
    [geometry, names],
  );
  const placedKey = JSON.stringify(objects);
  const posed = useMemo(() => {
    if (!geometry || !poses) return poses;
    const arm = rig && joints ? armPoses(rig, joints) : poses;
    return placeBodies(geometry, arm, objects);
  }, [rig, joints?.join(','), poses, placedKey]);
  return (
    <div className="robot-arm-view" data-testid="robot-arm-view" data-mirrored={rig && joints ? 'yes' : 'no'}>
      <SceneView geometry={shown} poses={posed} label="3D view of the arm as the telemetry reports it" />
      {geometry && !(rig && joints) && (
        <div className="robot-view-note">
          {rig ? 'Not connected: the simulated arm in its home pose.' : 'This scene has no SO-100 to pose.'}
        </div>
      )}
    </div>
  );
}
