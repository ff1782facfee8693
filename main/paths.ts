// Where the desktop shell finds its built pieces, from source and from dist/ or the packaged app
// alike (projectRoot is the folder that holds assets/).
import { join } from 'node:path';
import { projectRoot } from '../core/paths.ts';

/** The built renderer: the folder scripts/build-renderer.ts writes (dist/ui; dist/renderer holds tsc's output of renderer/csp.ts). */
export const RENDERER_DIR = join(projectRoot, 'dist', 'ui');

/** The preload as one CommonJS file: a sandboxed preload cannot import local ESM files. */
export const PRELOAD_BUNDLE = join(projectRoot, 'dist', 'preload', 'index.cjs');
