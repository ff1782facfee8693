// Every program starts from a state no earlier program touched: each hostile program below tries
// to leave something behind (a patched module, class, builtin, interpreter setting, file, hook),
// and the next program on the same sandbox must see the interpreter as it was at start-up.
import { afterAll, describe, expect, it } from 'vitest';
import { PythonSandbox } from '../../../core/sandbox/python-sandbox.ts';
import { SYS, runRecorded } from './helpers.ts';

const sandbox = new PythonSandbox();
afterAll(() => sandbox.dispose());

const BUILTINS = `${SYS}.modules["builtins"]`;

/** [what the first program does, the first program, the second program, its output, its robot calls] */
const cases: [string, string, string, string, string[]][] = [
  ['patches math.pi', 'import math\nmath.pi = 3.0', 'import math\nprint(math.pi)', '3.141592653589793\n', []],
  [
    'replaces json.dumps, which the primitives use',
    'import json\njson.dumps = lambda *a, **k: "null"',
    'import json\nopen_gripper()\nprint(json.dumps([1, 2]))',
    '[1, 2]\n',
    ['open'],
  ],
  [
    'patches the JSON decoder class, which reads the scene and the replies',
    'import json\njson.decoder.JSONDecoder.decode = lambda self, s, *a: {"objects": [], "status": "hacked"}',
    'print(sorted(objects))\nprint(open_gripper()["status"])',
    "['red_block']\nreached\n",
    ['open'],
  ],
  [
    "replaces the primitives' request function through move_gripper.__globals__",
    'move_gripper.__globals__["_request"] = lambda name, args: {"status": "reached"}',
    'move_gripper([0.4, 0, 0.1], 0)',
    '',
    ['move 0.4,0,0.1 0'],
  ],
  [
    "redirects every later move through move_gripper.__globals__['_encode']",
    [
      'g = move_gripper.__globals__',
      'real = g["_encode"]',
      'g["_encode"] = lambda v: real([0.5, 0.1, 0.3]) if isinstance(v, list) else real(v)',
    ].join('\n'),
    'move_gripper([0.4, 0, 0.1], 0)',
    '',
    ['move 0.4,0,0.1 0'],
  ],
  [
    'patches builtins.len through __subclasses__()',
    `${BUILTINS}.len = lambda x: 42`,
    'print(len([1, 2, 3]))',
    '3\n',
    [],
  ],
  [
    'patches every dict holding abs() found through gc.get_referrers()',
    [
      `gc = ${BUILTINS}.__import__("gc")`,
      'for o in gc.get_referrers(abs):',
      '    if isinstance(o, dict):',
      '        o["abs"] = lambda x: "hacked"',
    ].join('\n'),
    'print(abs(-2))',
    '2\n',
    [],
  ],
  [
    "replaces builtins.exec so that every later program first runs the attacker's moves",
    [
      `b = ${BUILTINS}`,
      'real = b.exec',
      'def evil(code, ns=None, *rest):',
      '    ns["move_gripper"]([0.5, 0.1, 0.3], 0)',
      '    return real(code, ns, *rest)',
      'b.exec = evil',
    ].join('\n'),
    'pass',
    '',
    [],
  ],
  [
    "rewrites the runner's run_program so that every later program 'completes' without running",
    [
      `m = ${SYS}.modules["__main__"]`,
      'm.run_program.__code__ = (lambda *a, **k: {"ok": True, "kind": "completed", "message": "hacked", "output": ""}).__code__',
    ].join('\n'),
    'open_gripper()\nprint("ran")',
    'ran\n',
    ['open'],
  ],
  [
    "silences the print capture class in the runner's module",
    [
      `m = ${SYS}.modules["__main__"]`,
      'for v in list(m.__dict__.values()):',
      '    if isinstance(v, type) and "write" in v.__dict__:',
      '        v.write = lambda self, text: 0',
    ].join('\n'),
    'print("visible")',
    'visible\n',
    [],
  ],
  [
    "makes the scene lie by patching the scene object's class through __class__",
    'objects["red_block"].__class__.position = property(lambda self: (0.9, 0.6, 0.7))',
    'x, y, z = objects["red_block"].position\nmove_gripper([x, y, z + 0.1], 0)',
    '',
    [`move 0.5,0.1,${0.02 + 0.1} 0`],
  ],
  [
    'patches a class of an allowed module (collections.Counter)',
    'import collections\ncollections.Counter.most_common = lambda self, n=None: [("hacked", 0)]',
    'import collections\nprint(collections.Counter("aab").most_common(1))',
    "[('a', 2)]\n",
    [],
  ],
  [
    'replaces math in sys.modules',
    [
      `sys = ${SYS}`,
      'fake = type(sys)("math")',
      'fake.sqrt = lambda x: -1',
      'sys.modules["math"] = fake',
    ].join('\n'),
    'import math\nprint(math.sqrt(16))',
    '4.0\n',
    [],
  ],
  [
    'puts a finder on sys.meta_path that refuses fractions, and unloads it',
    [
      `sys = ${SYS}`,
      'class Refuse:',
      '    def find_spec(self, name, path=None, target=None):',
      '        if name == "fractions":',
      '            raise ImportError("hijacked")',
      'sys.meta_path.insert(0, Refuse())',
      'sys.modules.pop("fractions", None)',
    ].join('\n'),
    'import fractions\nprint(fractions.Fraction(1, 3))',
    '1/3\n',
    [],
  ],
  [
    'lowers the recursion limit',
    `${SYS}.setrecursionlimit(60)`,
    'def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(300))',
    '300\n',
    [],
  ],
  [
    'installs a trace function that breaks every later program',
    [
      `sys = ${SYS}`,
      'def trace(frame, event, arg):',
      '    if frame.f_code.co_filename == "<program>":',
      '        raise RuntimeError("traced")',
      '    return trace',
      'sys.settrace(trace)',
    ].join('\n'),
    'print("untraced")',
    'untraced\n',
    [],
  ],
  [
    'installs a gc callback that patches math.pi during the next program',
    [
      `gc = ${BUILTINS}.__import__("gc")`,
      'import math',
      'def hook(phase, info):',
      '    math.pi = "hacked"',
      'gc.callbacks.append(hook)',
    ].join('\n'),
    'import math\njunk = [[] for _ in range(100000)]\nprint(math.pi)',
    '3.141592653589793\n',
    [],
  ],
];

describe('Python sandbox: a program cannot leave state behind for the next one', () => {
  it.each(cases)(
    'the first program %s; the second is unaffected',
    async (_what, first, second, output, calls) => {
      const attacked = await runRecorded(sandbox, first);
      expect(attacked.calls).toEqual([]);
      const r = await runRecorded(sandbox, second);
      expect(r).toMatchObject({ ok: true, kind: 'completed', output });
      expect(r.calls).toEqual(calls);
    },
  );

  it('a file left in the in-memory file system is not there for the next program', async () => {
    const writer = [
      `f = ${BUILTINS}.open("/tmp/left-behind.txt", "w")`,
      'f.write("secret-from-the-first-program")',
      'f.close()',
    ].join('\n');
    await runRecorded(sandbox, writer);
    const reader = await runRecorded(sandbox, `print(${BUILTINS}.open("/tmp/left-behind.txt").read())`);
    expect(reader.ok).toBe(false);
    expect(reader.output).not.toContain('secret');
    expect((await runRecorded(sandbox, 'print("clean")')).output).toBe('clean\n');
  });

  it('a program that raised the recursion limit and overflowed the stack leaves the next one a working interpreter', async () => {
    const r = await runRecorded(
      sandbox,
      `${SYS}.setrecursionlimit(10 ** 6)\ndef f(n):\n    return f(n + 1)\nf(0)`,
    );
    expect(r).toMatchObject({ ok: false, kind: 'recursion' });
    const next = await runRecorded(sandbox, 'def f(n):\n    return f(n + 1)\nf(0)');
    expect(next).toMatchObject({ ok: false, kind: 'recursion', message: 'recursion too deep', line: 2 });
    expect((await runRecorded(sandbox, 'open_gripper()')).calls).toEqual(['open']);
  });
});
