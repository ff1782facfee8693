// Errors a user can act on: each has a kind (for code) and a message naming the file, line or part.

export type SimErrorKind =
  | 'xml-parse' // the XML itself is malformed
  | 'mjcf-schema' // well-formed XML that MuJoCo's schema or compiler rejects
  | 'missing-file' // an include, mesh or texture that is not where the model says
  | 'not-an-arm' // a model without the gripper site or joints an arm needs
  | 'bad-input' // a value handed to the simulation that cannot be used
  | 'out-of-memory'; // the wasm heap is exhausted; the module was discarded

export class SimError extends Error {
  constructor(
    readonly kind: SimErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}

/** Turn MuJoCo's loader text into one clear sentence about `source` (a file name or "<string>"). */
export function describeLoadError(raw: unknown, source: string): SimError {
  const text = String((raw as Error)?.message ?? raw)
    .replace(/^MuJoCo Error:\s*/, '')
    .replace(/^Loading error:\s*/, '')
    .trim();
  const where = source === '<string>' ? 'the MJCF' : source;

  const parse = /XML parse error[\s\S]*?Error=XML_ERROR_(\w+)[\s\S]*?Line number=(\d+)(?::\s*(.*))?/.exec(text);
  if (parse) {
    const what = parse[1].toLowerCase().replace(/_/g, ' ');
    const detail = parse[3] ? ` (${parse[3].trim()})` : '';
    return new SimError('xml-parse', `XML parse error in ${where} at line ${parse[2]}: ${what}${detail}`);
  }

  const missing = /Error opening file '([^']+)'/.exec(text);
  if (missing) {
    const element = /Element '(\w+)', line (\d+)/.exec(text);
    const by = element ? ` (referenced by <${element[1]}> at line ${element[2]})` : '';
    return new SimError('missing-file', `file '${missing[1]}' not found next to ${where}${by}`);
  }

  const schema = /(?:XML Error: )?(?:Schema violation: )?([\s\S]*?)\n\s*Element '(\w+)', line (\d+)/.exec(text);
  if (schema) {
    return new SimError(
      'mjcf-schema',
      `invalid MJCF in ${where} at line ${schema[3]}, element <${schema[2]}>: ${schema[1].replace(/^XML Error: /, '').trim()}`,
    );
  }
  if (/Could not allocate memory/.test(text)) {
    return new SimError('out-of-memory', `MuJoCo ran out of memory loading ${where}`);
  }
  return new SimError('mjcf-schema', `invalid MJCF in ${where}: ${text.replace(/\s*\n\s*/g, '; ')}`);
}
