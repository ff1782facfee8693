// A small argument parser: positionals, --flag and --key value / --key=value. Unknown flags are
// errors so a typo never silently changes what a long run does.

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
