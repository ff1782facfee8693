// Types for program-limits.mjs (plain JavaScript: the runner runs without a TypeScript loader).
export const MAX_NAME: number;
export const MAX_ARGS: number;
export const MAX_MESSAGE: number;
export const MAX_OUTPUT: number;
export const PROGRAM_KINDS: ReadonlySet<string>;
