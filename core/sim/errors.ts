// Errors a user can act on: each has a kind (for code) and a message naming the file, line or part.
import { LabError } from '../errors.ts';

export type SimErrorKind =
  | 'xml-parse' // the XML itself is malformed
  | 'mjcf-schema' // well-formed XML that MuJoCo's schema or compiler rejects
  | 'missing-file' // an include, mesh or texture that is not where the model says
  | 'not-an-arm' // a model without the gripper site or joints an arm needs
  | 'bad-input' // a value handed to the simulation that cannot be used
  | 'out-of-memory' // the wasm heap is exhausted; the module was discarded
  | 'engine-fault'; // the engine trapped (a bad model drove it out of bounds); the module was discarded

export class SimError extends LabError {
  declare readonly kind: SimErrorKind;
  constructor(kind: SimErrorKind, message: string) {
    super(kind, message);
  }
}

/** Turn MuJoCo's loader text into one clear sentence about `source` (a file name or "<string>"). */
export function describeLoadError(raw: unknown, source: string): SimError {
  const text = String((raw as Error)?.message ?? raw)
    .replace(/^MuJoCo Error:\s*/, '')
    .replace(/^Loading error:\s*/, '')
    .trim();
  const where = source === '<string>' ? 'the MJCF' : source;

  const parse = /XML parse error[\s\S]*?Error=XML_ERROR_(\w+)[\s\S]*?Line number=(\d+)(?::\s*(.*))?/.exec(
    text,
  );
  if (parse) {
    const element = /XMLElement name=(\w+)/.exec(parse[3] ?? '')?.[1];
    const what =
      parse[1] === 'MISMATCHED_ELEMENT' && element
        ? `<${element}> is not closed where it should be (mismatched end tag)`
        : parse[1].toLowerCase().replace(/_/g, ' ') + (parse[3] ? ` (${parse[3].trim()})` : '');
    return new SimError('xml-parse', `XML parse error in ${where} at line ${parse[2]}: ${what}`);
  }

  const missing = /Error opening file '([^']+)'/.exec(text);
  if (missing) {
    const element = /Element '(\w+)', line (\d+)/.exec(text);
    const by = element ? ` (referenced by <${element[1]}> at line ${element[2]})` : '';
    return new SimError('missing-file', `file '${missing[1]}' not found next to ${where}${by}`);
  }

  const schema = /(?:XML Error: )?(?:Schema violation: )?([\s\S]*?)\n\s*Element '(\w+)', line (\d+)/.exec(
    text,
  );
  if (schema) {
    return new SimError(
      'mjcf-schema',
      `invalid MJCF in ${where} at line ${schema[3]}, element <${schema[2]}>: ${schema[1].replace(/^XML Error: /, '').trim()}`,
    );
  }
  const compile = /^Error: ([\s\S]*?)\n\s*Element name '([^']*)', id \d+(?:, line (\d+))?/.exec(text);
  if (compile) {
    const line = compile[3] ? ` at line ${compile[3]}` : '';
    const name = compile[2] ? ` ('${compile[2]}')` : '';
    return new SimError('mjcf-schema', `invalid MJCF in ${where}${line}: ${compile[1].trim()}${name}`);
  }
  if (/Could not allocate memory/.test(text)) {
    return new SimError('out-of-memory', `MuJoCo ran out of memory loading ${where}`);
  }
  return new SimError('mjcf-schema', `invalid MJCF in ${where}: ${text.replace(/\s*\n\s*/g, '; ')}`);
}
