// What a 3D view needs to draw a MuJoCo scene, as plain data: every visible geom with its shape,
// colour and pose relative to its body, and the bodies' world poses. The renderer builds its meshes
// from this once and then only moves bodies, so live runs, replays and a real arm's mirror share it.
import type { Simulation } from './simulation.ts';
import type { GeomShape, GeomView, MeshView, SceneGeometry } from '../../api/types.ts';

/** MuJoCo geom types, by mjtGeom number. */
const GEOM_TYPES: readonly GeomShape[] = [
  'plane',
  'hfield',
  'sphere',
  'capsule',
  'ellipsoid',
  'cylinder',
  'box',
  'mesh',
];

/** Geom groups 3 and above hold collision-only or helper shapes that viewers hide by convention. */
const FIRST_HIDDEN_GROUP = 3;

const round = (v: number, digits = 1e5): number => Math.round(v * digits) / digits;

export function sceneGeometry(sim: Simulation): SceneGeometry {
  const { model } = sim;
  const bodies = Array.from({ length: model.nbody }, (_, b) => ({
    name: sim.name('body', b),
    parent: model.body_parentid[b],
  }));
  const meshIndex = new Map<number, number>();
  const meshes: MeshView[] = [];
  const geoms: GeomView[] = [];
  const type = model.geom_type;
  const group = model.geom_group;
  const rgba = model.geom_rgba;
  const matId = model.geom_matid;
  for (let g = 0; g < model.ngeom; g++) {
    const shape = GEOM_TYPES[type[g]];
    if (!shape || shape === 'hfield' || group[g] >= FIRST_HIDDEN_GROUP) continue;
    const colour =
      matId[g] >= 0
        ? [...model.mat_rgba.subarray(4 * matId[g], 4 * matId[g] + 4)]
        : [...rgba.subarray(4 * g, 4 * g + 4)];
    if (colour[3] <= 0) continue;
    const view: GeomView = {
      body: model.geom_bodyid[g],
      name: sim.name('geom', g),
      shape,
      size: [...model.geom_size.subarray(3 * g, 3 * g + 3)].map((v) => round(v)) as GeomView['size'],
      pos: [...model.geom_pos.subarray(3 * g, 3 * g + 3)].map((v) => round(v)) as GeomView['pos'],
      quat: [...model.geom_quat.subarray(4 * g, 4 * g + 4)].map((v) => round(v)) as GeomView['quat'],
      rgba: colour.map((v) => round(v, 1e3)) as GeomView['rgba'],
    };
    if (shape === 'mesh') {
      const id = model.geom_dataid[g];
      if (!meshIndex.has(id)) {
        meshIndex.set(id, meshes.length);
        meshes.push(meshOf(sim, id));
      }
      view.mesh = meshIndex.get(id);
    }
    geoms.push(view);
  }
  return { bodies, geoms, meshes };
}

function meshOf(sim: Simulation, id: number): MeshView {
  const { model } = sim;
  const vertAdr = model.mesh_vertadr[id];
  const vertNum = model.mesh_vertnum[id];
  const faceAdr = model.mesh_faceadr[id];
  const faceNum = model.mesh_facenum[id];
  return {
    vertices: [...model.mesh_vert.subarray(3 * vertAdr, 3 * (vertAdr + vertNum))].map((v) => round(v)),
    faces: [...model.mesh_face.subarray(3 * faceAdr, 3 * (faceAdr + faceNum))],
  };
}

/** Every body's world pose now, flat: x, y, z, qw, qx, qy, qz per body (4 decimals). */
export function bodyPoses(sim: Simulation): number[] {
  const { data, model } = sim;
  const xpos = data.xpos;
  const xquat = data.xquat;
  const poses = new Array<number>(7 * model.nbody);
  for (let b = 0; b < model.nbody; b++) {
    for (let k = 0; k < 3; k++) poses[7 * b + k] = Math.round(xpos[3 * b + k] * 1e4) / 1e4;
    for (let k = 0; k < 4; k++) poses[7 * b + 3 + k] = Math.round(xquat[4 * b + k] * 1e4) / 1e4;
  }
  return poses;
}
