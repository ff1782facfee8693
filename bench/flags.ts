// The benches' few command-line flags (`npm run bench:x -- --name value`), checked so a typo
// stops the bench with a clear message instead of running it with NaN.

/** The text after `--name`, or the fallback when the flag is absent. */
export function textFlag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

/** A positive number after `--name`, or the fallback when the flag is absent. */
export function numberFlag(name: string, fallback: number): number {
  const text = textFlag(name, String(fallback));
  const value = Number(text);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number, not ${text}`);
  return value;
}
