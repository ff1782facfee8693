// Write a result to stdout: text as is, or one JSON document.
export function print(value: unknown, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : String(value));
}
