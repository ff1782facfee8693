// Finds the task modules: every `*.task.ts` (or built `.task.js`) file in tasks/ default-exports
// one task. Adding a task is adding a file.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { TaskDefinition } from './types.ts';
import { SimError } from '../sim/errors.ts';

const TASKS_DIR = fileURLToPath(new URL('../../tasks/', import.meta.url));
const TASK_FILE = /^([a-z][a-z0-9_]*)\.task\.(ts|js)$/;

let cache: Promise<TaskDefinition[]> | undefined;

export function loadTasks(dir = TASKS_DIR): Promise<TaskDefinition[]> {
  if (dir !== TASKS_DIR) return discover(dir);
  cache ??= discover(dir);
  return cache;
}

export async function findTask(id: string): Promise<TaskDefinition> {
  const tasks = await loadTasks();
  const task = tasks.find((t) => t.id === id);
  if (!task)
    throw new SimError('bad-input', `no task '${id}'; known tasks: ${tasks.map((t) => t.id).join(', ')}`);
  return task;
}

async function discover(dir: string): Promise<TaskDefinition[]> {
  const files = readdirSync(dir)
    .filter((f) => TASK_FILE.test(f))
    .sort();
  const tasks: TaskDefinition[] = [];
  for (const file of files) {
    const id = TASK_FILE.exec(file)![1];
    const module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: TaskDefinition };
    const task = module.default;
    const problem = !task
      ? 'has no default export'
      : task.id !== id
        ? `exports task id '${task.id}', which does not match its file name`
        : typeof task.setup !== 'function' ||
            typeof task.verify !== 'function' ||
            typeof task.solve !== 'function'
          ? 'needs setup(), verify() and solve()'
          : !['train', 'heldout'].includes(task.split)
            ? `has split '${task.split}' (use train or heldout)`
            : undefined;
    if (problem) throw new SimError('bad-input', `task module tasks/${file} ${problem}`);
    tasks.push(task!);
  }
  return tasks;
}
