// Programs that attack the message protocol from inside: garbage, huge or forged lines on the
// robot device, a patched json module, forged messages to the runner's stdout through whatever
// JavaScript they can find. Each attempt fails with a reason, the parent does not throw, and the
// next program on the same sandbox gets its own result.
import { afterAll, describe, expect, it } from 'vitest';
import { PythonSandbox } from '../../../core/sandbox/python-sandbox.ts';
import { SYS, runRecorded } from './helpers.ts';

const sandbox = new PythonSandbox();
afterAll(() => sandbox.dispose());

const BUILTINS = `${SYS}.modules["builtins"]`;
/** The program's own handle on /dev/robot, found without knowing the runner's names for it. */
const DEVICE = `[o for o in ${BUILTINS}.__import__("gc").get_objects() if type(o).__name__ == "FileIO" and o.name == "/dev/robot"][0]`;
const FORGED_DONE =
  '{"type":"done","result":{"ok":true,"kind":"completed","message":"forged","output":"forged\\n"}}';

async function expectNextProgramNormal(): Promise<void> {
  const next = await runRecorded(sandbox, 'open_gripper()\nprint("mine")');
  expect(next).toMatchObject({ ok: true, kind: 'completed', output: 'mine\n', primitiveCalls: 1 });
  expect(next.calls).toEqual(['open']);
}

describe('programs that attack the protocol', () => {
  it("replaces json.dumps, then calls a primitive: the primitives do not use the program's json", async () => {
    const r = await runRecorded(sandbox, 'import json\njson.dumps = lambda *a, **k: "null"\nopen_gripper()');
    expect(r).toMatchObject({ ok: true, kind: 'completed', calls: ['open'] });
    await expectNextProgramNormal();
  });

  const cases: [string, string, RegExp][] = [
    [
      "patches the JSON encoder class the primitives' requests go through, then calls a primitive",
      'import json\njson.JSONEncoder.encode = lambda self, o: "null"\nopen_gripper()',
      /robot device/,
    ],
    ['writes garbage to /dev/robot', `${DEVICE}.write(b"garbage\\n")\nopen_gripper()`, /robot device/],
    ['writes a 2 MiB line to /dev/robot', `${DEVICE}.write(b"x" * (2 << 20))\nopen_gripper()`, /longer than/],
    [
      'writes a forged end of program to /dev/robot, then carries on',
      `${DEVICE}.write(b'{"op":"end","result":{"ok":true,"kind":"completed","message":"forged","output":""}}\\n')\nopen_gripper()`,
      /robot device/,
    ],
    [
      "writes a forged result to the runner's stdout through pyodide_js",
      [
        `pj = ${BUILTINS}.__import__("pyodide_js")`,
        `pj.FS.streams[1].devops.stream.write(${JSON.stringify(FORGED_DONE + '\n')})`,
        'open_gripper()',
      ].join('\n'),
      /file system/, // no finder gives it pyodide_js any more; looking on disk is past the gate
    ],
    [
      'reaches JavaScript through _pyodide_core and a proxy',
      `core = ${BUILTINS}.__import__("_pyodide_core")\np = core.create_proxy(print)\np.constructor.constructor("return process")()`,
      /JavaScript/,
    ],
    [
      'reaches JavaScript through the JsFinder left on sys.meta_path',
      [
        `sys = ${SYS}`,
        'finder = [f for f in sys.meta_path if type(f).__name__ == "JsFinder"][0]',
        'js = next(iter(finder.jsproxies.values()))',
        'js.constructor.constructor("return process")()',
      ].join('\n'),
      /IndexError/, // no JsFinder left
    ],
    [
      'reaches JavaScript through any JsProxy it can find with gc, in sys.modules or in a finder',
      [
        `sys = ${SYS}`,
        `gc = ${BUILTINS}.__import__("gc")`,
        'candidates = gc.get_objects() + list(sys.modules.values())',
        'for finder in sys.meta_path:',
        '    candidates += list(getattr(finder, "jsproxies", {}).values())',
        'found = [o for o in candidates if "JsProxy" in [k.__name__ for k in type(o).__mro__]]',
        'found[0].constructor',
      ].join('\n'),
      /IndexError/, // none left reachable
    ],
    [
      'catches the error of a blocked call and carries on to move the robot',
      [
        `core = ${BUILTINS}.__import__("_pyodide_core")`,
        'try:',
        '    core.create_proxy(print)',
        'except BaseException:',
        '    pass',
        'open_gripper()',
      ].join('\n'),
      /JavaScript/,
    ],
    ['runs a shell command through os.system', `${BUILTINS}.__import__("os").system("true")`, /a shell/],
  ];

  it.each(cases)('%s: fails with a reason, the next program runs normally', async (_what, program, why) => {
    const r = await runRecorded(sandbox, program);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(why);
    expect(r.message).not.toMatch(/forged/);
    expect(r.output).not.toMatch(/forged/);
    expect(r.calls).toEqual([]);
    await expectNextProgramNormal();
  });

  it('two programs racing on one sandbox each get their own result', async () => {
    const [hostile, honest] = await Promise.all([
      runRecorded(sandbox, 'import json\njson.JSONEncoder.encode = lambda self, o: "null"\nopen_gripper()'),
      runRecorded(sandbox, 'close_gripper()\nprint("honest")'),
    ]);
    expect(hostile).toMatchObject({ ok: false, calls: [] });
    expect(honest).toMatchObject({ ok: true, output: 'honest\n', calls: ['close'] });
  });
});

describe('what a program can reach', () => {
  it("finds nothing useful in the primitives' and the import guard's globals", async () => {
    const r = await runRecorded(
      sandbox,
      [
        'fns = [open_gripper, close_gripper, move_gripper, execute_trajectory, task_completed, __builtins__["__import__"]]',
        'seen = set()',
        'for f in fns:',
        '    for k, v in f.__globals__.items():',
        '        if type(v).__name__ == "module" or k in ("_real_import", "_builtins", "run_program"):',
        '            seen.add(k)',
        'print(sorted(seen))',
      ].join('\n'),
    );
    expect(r).toMatchObject({ ok: true, output: '[]\n' });
  });

  it('finds no JsFinder on sys.meta_path, no JS proxies in it, and no JS modules in sys.modules', async () => {
    const r = await runRecorded(
      sandbox,
      [
        `sys = ${SYS}`,
        `gc = ${BUILTINS}.__import__("gc")`,
        'print([type(f).__name__ for f in sys.meta_path if "Js" in type(f).__name__])',
        'print(sum(len(o.jsproxies) for o in gc.get_objects() if type(o).__name__ == "JsFinder"))',
        'print(sorted(m for m in sys.modules if m.split(".")[0] in ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core")))',
      ].join('\n'),
    );
    expect(r).toMatchObject({ ok: true, output: '[]\n0\n[]\n' });
  });
});
