// The 3D view: a MuJoCo scene drawn with three.js, an orbit camera, and bodies moved to whatever
// poses the parent passes (a starting scene, a live run, a replay frame). It draws only when
// something changed, and counts the frames it drew so the replay's frame rate can be measured.
import { useEffect, useRef } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { applyPoses, buildScene, type BuiltScene } from '../scene/build-scene.ts';
import { renderStats } from '../stats.ts';
import type { SceneGeometry } from '../../api/types.ts';

interface Props {
  geometry?: SceneGeometry;
  poses?: number[];
  label?: string;
}

interface Viewer {
  renderer: THREE.WebGLRenderer;
  scene: THREE.Scene;
  camera: THREE.PerspectiveCamera;
  controls: OrbitControls;
  built?: BuiltScene;
  draw: () => void;
}

/** True when WebGL runs on the CPU (SwiftShader, llvmpipe): lab machines without a GPU, headless tests. */
function softwareRendering(): boolean {
  const gl = document.createElement('canvas').getContext('webgl2');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  const name = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
  gl?.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|software/i.test(name);
}

export function SceneView({ geometry, poses, label }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const viewer = useRef<Viewer | undefined>(undefined);

  useEffect(() => {
    const element = host.current!;
    let renderer: THREE.WebGLRenderer;
    try {
      // Multisampling costs a software renderer (no GPU) half its frame rate; GPUs get it.
      renderer = new THREE.WebGLRenderer({ antialias: !softwareRendering(), preserveDrawingBuffer: true });
    } catch {
      element.textContent = 'This browser cannot draw 3D (WebGL is not available).';
      return;
    }
    renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    element.appendChild(renderer.domElement);
    const scene = new THREE.Scene();
    scene.background = new THREE.Color(0xeef1f5);
    scene.add(new THREE.HemisphereLight(0xffffff, 0x8090a0, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.8);
    sun.position.set(1.5, -1, 3);
    scene.add(sun);
    const camera = new THREE.PerspectiveCamera(45, 1, 0.01, 50);
    camera.up.set(0, 0, 1);
    camera.position.set(1.5, -1.3, 1.1);
    const controls = new OrbitControls(camera, renderer.domElement);
    controls.target.set(0.4, 0, 0.2);
    let queued = false;
    const draw = (): void => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        renderer.render(scene, camera);
        renderStats.framesDrawn++;
      });
    };
    controls.addEventListener('change', draw);
    const resize = (): void => {
      const { clientWidth, clientHeight } = element;
      if (clientWidth === 0 || clientHeight === 0) return;
      renderer.setSize(clientWidth, clientHeight, false);
      camera.aspect = clientWidth / clientHeight;
      camera.updateProjectionMatrix();
      draw();
    };
    const observer = new ResizeObserver(resize);
    observer.observe(element);
    viewer.current = { renderer, scene, camera, controls, draw };
    resize();
    return () => {
      observer.disconnect();
      controls.dispose();
      viewer.current?.built?.dispose();
      renderer.dispose();
      renderer.domElement.remove();
      viewer.current = undefined;
    };
  }, []);

  useEffect(() => {
    const v = viewer.current;
    if (!v || !geometry) return;
    const built = buildScene(geometry, poses ?? []);
    v.scene.add(built.root);
    v.built = built;
    // Frame the robot and the objects (the table is big and flat, so it is left out of the bounds).
    const centre = built.bounds.getCenter(new THREE.Vector3());
    const size = built.bounds.getSize(new THREE.Vector3()).length();
    v.controls.target.copy(centre);
    // Far enough that the bounding sphere fits the vertical field of view, from the front right.
    const distance = (0.5 * Math.max(size, 0.4)) / Math.sin((v.camera.fov * Math.PI) / 360);
    v.camera.position
      .copy(centre)
      .add(new THREE.Vector3(0.8, -0.6, 0.45).normalize().multiplyScalar(distance));
    v.controls.update();
    v.draw();
    return () => {
      v.scene.remove(built.root);
      built.dispose();
      v.built = undefined;
    };
    // Poses are applied by the effect below; the meshes are rebuilt only for new geometry.
  }, [geometry]);

  useEffect(() => {
    const v = viewer.current;
    if (!v?.built || !poses) return;
    applyPoses(v.built.bodies, poses);
    v.draw();
  }, [poses]);

  return (
    <div
      className="scene-view"
      ref={host}
      data-testid="scene-view"
      aria-label={label ?? '3D view of the scene'}
    >
      {!geometry && <div className="scene-empty">Pick a task and a seed to see its scene.</div>}
    </div>
  );
}
