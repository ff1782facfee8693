// What the UI needs to know about this lab before anything else: version, the lab's folder, the
// default dataset file and the arms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labHome, projectRoot } from '../../core/paths.ts';
import { ARM_NAMES } from '../types.ts';
import type { Handlers } from '../dispatch.ts';
import { filesOf } from '../access.ts';

export const handlers: Handlers<'app'> = {
  'app.info': async (_input, context) => {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      productName: string;
      version: string;
    };
    return {
      name: pkg.productName,
      version: pkg.version,
      home: labHome(),
      defaultDb: filesOf(context).show(context.shell.defaultDb ?? join(labHome(), 'dataset.sqlite')),
      arms: ARM_NAMES,
      local: context.shell.local,
      ...(context.shell.student ? { student: context.shell.student } : {}),
      teacher: context.shell.local || context.shell.teacher === true,
    };
  },
};
