// three.js objects from the core's SceneGeometry: one Group per MuJoCo body (moved by body poses),
// each holding its geoms' meshes at their local poses. MuJoCo is Z-up; the camera's up is Z too,
// so coordinates are used as they are.
import * as THREE from 'three';
import type { GeomView, SceneGeometry } from '../../api/types.ts';

const SEGMENTS = 24;
/** Bodies that are furniture, not what the user looks at. */
const SCENERY = new Set(['table', 'floor']);

function shapeGeometry(geom: GeomView, meshes: SceneGeometry['meshes']): THREE.BufferGeometry | undefined {
  const [a, b, c] = geom.size;
  switch (geom.shape) {
    case 'box':
      return new THREE.BoxGeometry(2 * a, 2 * b, 2 * c);
    case 'sphere':
      return new THREE.SphereGeometry(a, SEGMENTS, SEGMENTS / 2);
    case 'ellipsoid':
      return new THREE.SphereGeometry(1, SEGMENTS, SEGMENTS / 2).scale(a, b, c);
    case 'cylinder':
      return new THREE.CylinderGeometry(a, a, 2 * b, SEGMENTS).rotateX(Math.PI / 2); // three's axis is Y
    case 'capsule':
      return new THREE.CapsuleGeometry(a, 2 * b, 8, SEGMENTS).rotateX(Math.PI / 2);
    case 'plane':
      return new THREE.PlaneGeometry(a > 0 ? 2 * a : 4, b > 0 ? 2 * b : 4);
    case 'mesh': {
      const mesh = geom.mesh === undefined ? undefined : meshes[geom.mesh];
      if (!mesh) return undefined;
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute('position', new THREE.Float32BufferAttribute(mesh.vertices, 3));
      geometry.setIndex(mesh.faces);
      geometry.computeVertexNormals();
      return geometry;
    }
    default:
      return undefined;
  }
}

export interface BuiltScene {
  root: THREE.Group;
  bodies: THREE.Group[];
  /** The centre and size of everything drawn, for framing the camera. */
  bounds: THREE.Box3;
  dispose(): void;
}

export function buildScene(geometry: SceneGeometry, poses: number[]): BuiltScene {
  const root = new THREE.Group();
  const bodies = geometry.bodies.map((body) => {
    const group = new THREE.Group();
    group.name = body.name;
    root.add(group); // every body is placed by its world pose, so the tree stays flat
    return group;
  });
  const materials = new Map<string, THREE.MeshLambertMaterial>();
  const owned: THREE.BufferGeometry[] = [];
  for (const geom of geometry.geoms) {
    const shape = shapeGeometry(geom, geometry.meshes);
    if (!shape) continue;
    owned.push(shape);
    const key = geom.rgba.join(',');
    let material = materials.get(key);
    if (!material) {
      const [r, g, b, alpha] = geom.rgba;
      material = new THREE.MeshLambertMaterial({
        color: new THREE.Color(r, g, b),
        transparent: alpha < 1,
        opacity: alpha,
      });
      materials.set(key, material);
    }
    const mesh = new THREE.Mesh(shape, material);
    mesh.name = geom.name;
    mesh.position.set(...geom.pos);
    const [w, x, y, z] = geom.quat;
    mesh.quaternion.set(x, y, z, w);
    mesh.receiveShadow = geom.shape === 'plane';
    bodies[geom.body]?.add(mesh);
  }
  applyPoses(bodies, poses);
  root.updateMatrixWorld(true);
  // Frame the robot and the task's objects; the table and the floor would only push the camera away.
  const bounds = new THREE.Box3();
  bodies.forEach((body, b) => {
    if (b > 0 && !SCENERY.has(body.name)) bounds.expandByObject(body);
  });
  if (bounds.isEmpty()) bounds.expandByObject(root);
  return {
    root,
    bodies,
    bounds,
    dispose: () => {
      owned.forEach((g) => g.dispose());
      materials.forEach((m) => m.dispose());
    },
  };
}

/** Move every body to its pose: x, y, z, qw, qx, qy, qz per body, flat. */
export function applyPoses(bodies: THREE.Group[], poses: number[]): void {
  for (let b = 0; b < bodies.length && 7 * b + 6 < poses.length; b++) {
    const o = 7 * b;
    bodies[b].position.set(poses[o], poses[o + 1], poses[o + 2]);
    bodies[b].quaternion.set(poses[o + 4], poses[o + 5], poses[o + 6], poses[o + 3]);
  }
}
