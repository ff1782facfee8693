// Rewrites the BLAZER table scene into MJCF that MuJoCo 2.2.2 (Debian's libmujoco, the native
// anchor) can load, while keeping every body, geom, joint and actuator gain the same. The bench loads
// the SAME rewritten XML in both engines, so their speed ratio compares engines, not models.
//
// What changes and why (2.2.2 predates these):
//   - includes are inlined by composeSceneXml() (toLegacyMjcf wants one self-contained string);
//   - body gravcomp, compiler autolimits and <size memory> are dropped. Dropping gravcomp changes the
//     dynamics (the PD actuators now hold the arm against gravity) but identically in both engines;
//   - autolimits is replaced by explicit limited / ctrllimited / forcelimited="true" wherever a
//     range / ctrlrange / forcerange is written without one;
//   - integrator "implicitfast" becomes "implicit" (2.2.2 has mjINT_IMPLICIT);
//   - <position kp kv> (kv is newer than 2.2.2) becomes <general gaintype="fixed" biastype="affine"
//     gainprm="kp" biasprm="0 -kp -kv">, in <default> classes and in <actuator> alike;
//   - keyframes shorter than nq (3.x accepts them, 2.2.2 does not) are padded with each missing
//     joint's qpos0 (a free body's own pos/quat). Note that 3.14 pads with zeros instead, which puts
//     a free object at the world origin on mj_resetDataKeyframe.
import { armXml, sceneXml, type SceneSpec } from '../../core/sim/scene.ts';

export interface XmlElement {
  name: string;
  attrs: [string, string][];
  children: XmlElement[];
}

/** The scene with "arm.xml" inlined: one self-contained MJCF string (still 3.x-only MJCF). */
export function composeSceneXml(spec: SceneSpec): string {
  const scene = parseXml(sceneXml(spec));
  const arm = parseXml(armXml(spec.arm));
  inlineIncludes(scene, { 'arm.xml': arm });
  return serializeXml(scene);
}

/** The scene rewritten for MuJoCo 2.2.2, loadable unchanged by 3.14 too. */
export function legacySceneXml(spec: SceneSpec): string {
  return toLegacyMjcf(composeSceneXml(spec));
}

export function toLegacyMjcf(xml: string): string {
  const root = parseXml(xml);
  if (root.name !== 'mujoco')
    throw new Error(`toLegacyMjcf: root element is <${root.name}>, expected <mujoco>`);
  const angleDegrees = elements(root, 'compiler').every((c) => getAttr(c, 'angle') !== 'radian');
  const autolimits = elements(root, 'compiler').every((c) => getAttr(c, 'autolimits') !== 'false');
  const defaults = collectDefaults(root);

  walk(root, (el, parents) => {
    switch (el.name) {
      case 'include':
        throw new Error(
          `toLegacyMjcf: inline <include file="${getAttr(el, 'file')}"/> first (see composeSceneXml)`,
        );
      case 'compiler':
        deleteAttr(el, 'autolimits');
        break;
      case 'option':
        if (getAttr(el, 'integrator') === 'implicitfast') setAttr(el, 'integrator', 'implicit');
        break;
      case 'size':
        deleteAttr(el, 'memory');
        break;
      case 'body':
        deleteAttr(el, 'gravcomp');
        break;
      case 'joint':
        if (autolimits) addLimitedFlag(el, 'range', 'limited');
        break;
      case 'position':
        if (parents.some((p) => p.name === 'default' || p.name === 'actuator'))
          positionToGeneral(el, parents);
        break;
    }
    if (autolimits && isActuatorElement(el, parents)) {
      addLimitedFlag(el, 'ctrlrange', 'ctrllimited');
      addLimitedFlag(el, 'forcerange', 'forcelimited');
    }
  });
  // An emptied <size/> is harmless but noisy.
  walk(root, (el) => {
    el.children = el.children.filter((c) => !(c.name === 'size' && c.attrs.length === 0));
  });
  padKeyframes(root, defaults, angleDegrees);
  return serializeXml(root);
}

// ---------------------------------------------------------------------------------------------
// Rewrites

const ACTUATOR_TAGS = new Set(['general', 'motor', 'position', 'velocity', 'cylinder', 'muscle']);

function isActuatorElement(el: XmlElement, parents: XmlElement[]): boolean {
  const parent = parents[parents.length - 1];
  return ACTUATOR_TAGS.has(el.name) && (parent?.name === 'actuator' || parent?.name === 'default');
}

function addLimitedFlag(el: XmlElement, range: string, flag: string): void {
  if (getAttr(el, range) !== undefined && getAttr(el, flag) === undefined) setAttr(el, flag, 'true');
}

function positionToGeneral(el: XmlElement, parents: XmlElement[]): void {
  for (const newer of ['dampratio', 'timeconst', 'inheritrange']) {
    if (getAttr(el, newer) !== undefined)
      throw new Error(`toLegacyMjcf: <position ${newer}> has no MuJoCo 2.2.2 equivalent`);
  }
  const kp = getAttr(el, 'kp');
  const kv = getAttr(el, 'kv');
  deleteAttr(el, 'kp');
  deleteAttr(el, 'kv');
  el.name = 'general';
  const inDefault = parents.some((p) => p.name === 'default');
  // An actuator without kp/kv takes its gains from its (already rewritten) default class. A
  // <position> default without them still means kp=1, kv=0 in MuJoCo 3.x, as written out here.
  if (kp === undefined && kv === undefined && !inDefault) return;
  // With only one of them, what the other inherits differs between versions: refuse to guess.
  if ((kp === undefined) !== (kv === undefined)) {
    const where = inDefault ? 'a <default><position>' : `<position name="${getAttr(el, 'name') ?? ''}">`;
    throw new Error(`toLegacyMjcf: ${where} sets only one of kp/kv; set both`);
  }
  const p = Number(kp ?? 1);
  const v = Number(kv ?? 0);
  if (!Number.isFinite(p) || !Number.isFinite(v)) throw new Error(`toLegacyMjcf: bad kp/kv '${kp}'/'${kv}'`);
  setAttr(el, 'gaintype', 'fixed');
  setAttr(el, 'biastype', 'affine');
  setAttr(el, 'gainprm', fmt(p));
  setAttr(el, 'biasprm', `0 ${fmt(-p)} ${fmt(-v)}`);
}

interface DefaultClass {
  parent?: string;
  element: XmlElement;
}

function collectDefaults(root: XmlElement): Map<string, DefaultClass> {
  const classes = new Map<string, DefaultClass>();
  const visit = (el: XmlElement, parent: string | undefined): void => {
    const name = getAttr(el, 'class') ?? 'main';
    classes.set(name, { parent, element: el });
    for (const child of el.children) if (child.name === 'default') visit(child, name);
  };
  for (const top of elements(root, 'default')) visit(top, undefined);
  return classes;
}

/** An attribute of <joint> resolved through the default-class chain. */
function jointDefault(
  defaults: Map<string, DefaultClass>,
  className: string,
  attr: string,
): string | undefined {
  for (let name: string | undefined = className; name !== undefined; name = defaults.get(name)?.parent) {
    const cls = defaults.get(name);
    if (!cls) break;
    const joint = cls.element.children.find((c) => c.name === 'joint');
    const value = joint && getAttr(joint, attr);
    if (value !== undefined) return value;
  }
  return undefined;
}

interface JointQpos {
  name: string;
  qpos0: number[];
  dofs: number;
}

/** Joints in qpos order (depth-first document order of the worldbody trees) with their qpos0. */
function jointsInOrder(
  root: XmlElement,
  defaults: Map<string, DefaultClass>,
  angleDegrees: boolean,
): JointQpos[] {
  const joints: JointQpos[] = [];
  const visitBody = (body: XmlElement, childclass: string): void => {
    const bodyClass = getAttr(body, 'childclass') ?? childclass;
    for (const el of body.children) {
      if (el.name === 'freejoint' || el.name === 'joint') {
        const cls = getAttr(el, 'class') ?? bodyClass;
        const type =
          el.name === 'freejoint'
            ? 'free'
            : (getAttr(el, 'type') ?? jointDefault(defaults, cls, 'type') ?? 'hinge');
        const name = getAttr(el, 'name') ?? `<unnamed ${type} joint>`;
        if (type === 'free') {
          for (const orient of ['euler', 'axisangle', 'xyaxes', 'zaxis']) {
            if (getAttr(body, orient) !== undefined)
              throw new Error(`toLegacyMjcf: free body uses ${orient}; pad its keyframe by hand`);
          }
          joints.push({
            name,
            qpos0: [
              ...numbers(getAttr(body, 'pos') ?? '0 0 0'),
              ...numbers(getAttr(body, 'quat') ?? '1 0 0 0'),
            ],
            dofs: 6,
          });
        } else if (type === 'ball') {
          joints.push({ name, qpos0: [1, 0, 0, 0], dofs: 3 });
        } else {
          const ref = Number(getAttr(el, 'ref') ?? jointDefault(defaults, cls, 'ref') ?? 0);
          joints.push({
            name,
            qpos0: [type === 'hinge' && angleDegrees ? (ref * Math.PI) / 180 : ref],
            dofs: 1,
          });
        }
      } else if (el.name === 'body') {
        visitBody(el, bodyClass);
      }
    }
  };
  for (const world of elements(root, 'worldbody')) visitBody(world, 'main');
  return joints;
}

function padKeyframes(root: XmlElement, defaults: Map<string, DefaultClass>, angleDegrees: boolean): void {
  const keys = elements(root, 'keyframe').flatMap((k) => k.children.filter((c) => c.name === 'key'));
  if (keys.length === 0) return;
  const joints = jointsInOrder(root, defaults, angleDegrees);
  const qpos0 = joints.flatMap((j) => j.qpos0);
  const nv = joints.reduce((sum, j) => sum + j.dofs, 0);
  for (const key of keys) {
    const qpos = getAttr(key, 'qpos');
    if (qpos !== undefined) {
      const values = numbers(qpos);
      if (values.length > qpos0.length)
        throw new Error(`toLegacyMjcf: keyframe qpos has ${values.length} values but nq is ${qpos0.length}`);
      if (values.length < qpos0.length)
        setAttr(key, 'qpos', [...values, ...qpos0.slice(values.length)].map(fmt).join(' '));
    }
    const qvel = getAttr(key, 'qvel');
    if (qvel !== undefined) {
      const values = numbers(qvel);
      if (values.length < nv)
        setAttr(
          key,
          'qvel',
          [...values, ...new Array<number>(nv - values.length).fill(0)].map(fmt).join(' '),
        );
    }
  }
}

function inlineIncludes(root: XmlElement, files: Record<string, XmlElement>): void {
  walk(root, (el) => {
    el.children = el.children.flatMap((child) => {
      if (child.name !== 'include') return [child];
      const file = getAttr(child, 'file') ?? '';
      const included = files[file];
      if (!included) throw new Error(`composeSceneXml: no content for <include file="${file}"/>`);
      if (included.name !== 'mujoco')
        throw new Error(`composeSceneXml: ${file} has root <${included.name}>, expected <mujoco>`);
      return included.children;
    });
  });
}

// ---------------------------------------------------------------------------------------------
// A minimal XML reader/writer for MJCF: elements and attributes only (comments, processing
// instructions and whitespace text are dropped; MJCF has no meaningful text content).

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (msg: string): never => {
    const line = xml.slice(0, i).split('\n').length;
    throw new Error(`parseXml: ${msg} at line ${line}`);
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.trim() !== '') fail(`unexpected text '${text.trim().slice(0, 40)}'`);
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) fail('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<?', i) || xml.startsWith('<!', i)) {
      const end = xml.indexOf('>', i);
      if (end === -1) fail('unterminated declaration');
      i = end + 1;
    } else if (xml.startsWith('</', i)) {
      const end = xml.indexOf('>', i);
      if (end === -1) fail('unterminated end tag');
      const name = xml.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> does not close <${open?.name ?? ''}>`);
      i = end + 1;
    } else {
      const nameMatch = /^<([A-Za-z_][\w.:-]*)/.exec(xml.slice(i, i + 200));
      if (!nameMatch) fail('bad start tag');
      const el: XmlElement = { name: nameMatch![1], attrs: [], children: [] };
      i += nameMatch![0].length;
      const attrRe = /\s*([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/y;
      for (;;) {
        attrRe.lastIndex = i;
        const m = attrRe.exec(xml);
        if (!m) break;
        el.attrs.push([m[1], m[3] ?? m[4] ?? '']);
        i = attrRe.lastIndex;
      }
      const close = /^\s*(\/?)>/.exec(xml.slice(i, i + 50));
      if (!close) fail(`bad attributes in <${el.name}>`);
      i += close![0].length;
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail('more than one root element');
      else root = el;
      if (close![1] !== '/') stack.push(el);
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> is not closed`);
  if (!root) fail('no root element');
  return root!;
}

export function serializeXml(root: XmlElement): string {
  const lines: string[] = [];
  const write = (el: XmlElement, depth: number): void => {
    const pad = '  '.repeat(depth);
    const attrs = el.attrs
      .map(([k, v]) => ` ${k}="${v.replace(/&(?![a-z]+;|#)/g, '&amp;').replace(/"/g, '&quot;')}"`)
      .join('');
    if (el.children.length === 0) {
      lines.push(`${pad}<${el.name}${attrs}/>`);
      return;
    }
    lines.push(`${pad}<${el.name}${attrs}>`);
    for (const child of el.children) write(child, depth + 1);
    lines.push(`${pad}</${el.name}>`);
  };
  write(root, 0);
  return lines.join('\n') + '\n';
}

function walk(
  el: XmlElement,
  visit: (el: XmlElement, parents: XmlElement[]) => void,
  parents: XmlElement[] = [],
): void {
  visit(el, parents);
  const next = [...parents, el];
  for (const child of el.children) walk(child, visit, next);
}

function elements(root: XmlElement, name: string): XmlElement[] {
  return root.children.filter((c) => c.name === name);
}

function getAttr(el: XmlElement, name: string): string | undefined {
  return el.attrs.find(([k]) => k === name)?.[1];
}

function setAttr(el: XmlElement, name: string, value: string): void {
  const entry = el.attrs.find(([k]) => k === name);
  if (entry) entry[1] = value;
  else el.attrs.push([name, value]);
}

function deleteAttr(el: XmlElement, name: string): void {
  el.attrs = el.attrs.filter(([k]) => k !== name);
}

function numbers(text: string): number[] {
  const values = text.trim().split(/\s+/).map(Number);
  if (values.some((v) => !Number.isFinite(v)))
    throw new Error(`toLegacyMjcf: '${text}' is not a list of numbers`);
  return values;
}

function fmt(v: number): string {
  return Number(v.toPrecision(12)).toString();
}
