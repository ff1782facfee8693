// What the UI needs to know about this lab before anything else: version, the lab's folder, the
// default dataset file and the arms.
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCall } from './contract.ts';
import { labHome, projectRoot } from '../core/paths.ts';
import { ARM_NAMES } from '../core/sim/scene.ts';

export interface AppInfo {
  name: string;
  version: string;
  home: string;
  /** The dataset the UI opens unless told otherwise. */
  defaultDb: string;
  arms: readonly string[];
}

let defaultDb: string | undefined;

/** A shell may choose the dataset file (lab serve --db); otherwise it lives in the lab's folder. */
export function setDefaultDb(path: string): void {
  defaultDb = path;
}

export const appInfo = defineCall('app.info', z.object({}).strict(), async (): Promise<AppInfo> => {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
    productName: string;
    version: string;
  };
  return {
    name: pkg.productName,
    version: pkg.version,
    home: labHome(),
    defaultDb: defaultDb ?? join(labHome(), 'dataset.sqlite'),
    arms: ARM_NAMES,
  };
});
