// Every line from a runner is checked for type, fields and sizes before the parent acts on it.
import { describe, expect, it } from 'vitest';
import { MAX_RUNNER_LINE, parseRunnerMessage } from '../../../core/sandbox/runner-protocol.ts';

const result = { ok: true, kind: 'completed', message: 'done', output: '' };
const call = { type: 'call', nonce: 'n', seq: 1, name: 'open_gripper', args: [] };
const done = { type: 'done', nonce: 'n', result };
const line = (value: unknown): string => JSON.stringify(value);

describe('runner messages', () => {
  it('accepts the well-formed ones', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'ready', startupMs: 2500 },
      { type: 'ready', prepareMs: 180 },
      call,
      { ...call, seq: 7, name: 'move_gripper', args: [['0.4', '0.0', '0.1'], '0.0'] },
      done,
      { ...done, result: { ok: false, kind: 'runtime', message: 'NameError', line: 3, output: 'x\n' } },
      { ...done, result: { ok: false, kind: 'sandbox-violation', message: 'reached out', output: '' } },
    ])
      expect(parseRunnerMessage(line(message))).toEqual({ message });
  });

  const refused: [string, string, RegExp][] = [
    ['not JSON', 'this is not json', /not JSON/],
    ['not an object', '[1, 2]', /not an object/],
    ['null', 'null', /not an object/],
    ['an unknown type', line({ type: 'run' }), /unknown type "run"/],
    ['no type', line({ nonce: 'n' }), /unknown type/],
    ['a ready message with extra fields', line({ type: 'ready', call: {} }), /unknown fields/],
    ['an infinite start-up time', '{"type":"ready","startupMs":1e400}', /bad startupMs/],
    ['a negative preparation time', line({ type: 'ready', prepareMs: -1 }), /bad prepareMs/],
    ['a call without a nonce', line({ ...call, nonce: undefined }), /missing or unknown fields/],
    ['a call with a numeric nonce', line({ ...call, nonce: 5 }), /without a nonce/],
    ['a call with an extra field', line({ ...call, result }), /missing or unknown fields/],
    ['a call numbered 0', line({ ...call, seq: 0 }), /sequence number/],
    ['a call numbered 1.5', line({ ...call, seq: 1.5 }), /sequence number/],
    ['a call numbered "1"', line({ ...call, seq: '1' }), /sequence number/],
    ['a call with an empty name', line({ ...call, name: '' }), /primitive name/],
    ['a call with a long name', line({ ...call, name: 'x'.repeat(65) }), /primitive name/],
    ['a call with a numeric name', line({ ...call, name: 5 }), /primitive name/],
    ['a call with arguments that are not a list', line({ ...call, args: { 0: 1 } }), /argument list/],
    ['a call with nine arguments', line({ ...call, args: Array(9).fill(0) }), /argument list/],
    ['a done message without a result', line({ ...done, result: null }), /valid result/],
    ['a result with an extra field', line({ ...done, result: { ...result, calls: 3 } }), /valid result/],
    ['a result without output', line({ ...done, result: { ...result, output: undefined } }), /valid result/],
    [
      'a timeout reported by the runner',
      line({ ...done, result: { ...result, ok: false, kind: 'timeout' } }),
      /unknown kind "timeout"/,
    ],
    ['a failure that says ok', line({ ...done, result: { ...result, kind: 'runtime' } }), /ok disagrees/],
    ['a success that says not ok', line({ ...done, result: { ...result, ok: false } }), /ok disagrees/],
    ['a long message', line({ ...done, result: { ...result, message: 'm'.repeat(2001) } }), /bad message/],
    [
      'too much output',
      line({ ...done, result: { ...result, output: 'o'.repeat(2 * 65536 + 1) } }),
      /bad output/,
    ],
    ['line 0', line({ ...done, result: { ...result, ok: false, kind: 'runtime', line: 0 } }), /line number/],
    [
      'a fractional line',
      line({ ...done, result: { ...result, ok: false, kind: 'runtime', line: 2.5 } }),
      /line number/,
    ],
  ];

  it.each(refused)('refuses %s', (_what, text, why) => {
    const parsed = parseRunnerMessage(text);
    expect('error' in parsed && parsed.error).toMatch(why);
  });

  it('leaves room on a line for the largest result a runner can send', () => {
    const largest = line({
      ...done,
      result: { ...result, message: 'm'.repeat(2000), output: '\u0001'.repeat(65536) },
    });
    expect(largest.length).toBeLessThan(MAX_RUNNER_LINE);
    expect(parseRunnerMessage(largest)).toHaveProperty('message');
  });
});
