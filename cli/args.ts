// A small argument parser: positionals, --flag and --key value / --key=value. Unknown flags are
// errors so a typo never silently changes what a long run does. Values stay text, except where a
// number is expected: then a number if it reads as one, else the text itself, so the api's schema
// names the flag and what it got.

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], known: { booleans: string[]; values: string[] }): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (known.booleans.includes(key)) {
      flags[key] = true;
    } else if (known.values.includes(key)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${key} needs a value`);
      flags[key] = value;
    } else {
      throw new UsageError(`unknown option --${key}`);
    }
  }
  return { positionals, flags };
}

/** A flag's text as a number where it reads as one; anything else is passed on for the schema to refuse. */
export function numeric(value: string | true | undefined): number | string | true | undefined {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const n = Number(value);
  return Number.isNaN(n) ? value : n;
}

/** A flag's text, or undefined; a flag given without its value is a usage error. */
export function text(flags: ParsedArgs['flags'], name: string): string | undefined {
  const value = flags[name];
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

/** yes/no flags: anything else is refused, never read as "no". */
export function yesNo(value: string | true | undefined, flag: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || ['yes', 'true', 'y', '1'].includes(value)) return true;
  if (['no', 'false', 'n', '0'].includes(value)) return false;
  throw new UsageError(`${flag} must be yes or no, not '${value}'`);
}

export function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`${command} takes options only, not '${positionals[0]}'`);
}
