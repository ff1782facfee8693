// What a program's messages may hold, checked twice with the same numbers: by the robot device
// inside the runner (what Python writes) and by the parent (what the runner writes). Plain
// JavaScript: the runner runs without a TypeScript loader.

export const MAX_NAME = 64;
export const MAX_ARGS = 8;
export const MAX_MESSAGE = 2000;
/** robot_api.py's OUTPUT_LIMIT (65536 characters), in UTF-16 units. */
export const MAX_OUTPUT = 2 * 65536;
/** How a program's own report may say it ended. */
export const PROGRAM_KINDS = new Set([
  'completed',
  'syntax',
  'runtime',
  'forbidden',
  'recursion',
  'memory',
  'output',
  'stopped',
]);
