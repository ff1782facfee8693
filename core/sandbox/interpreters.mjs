// Fresh Pyodide interpreters for the runner. One interpreter is loaded and set up once (the robot
// API, the allowed modules) and its memory is snapshotted before any program has run; every
// program then gets a new interpreter restored from that snapshot: a new WebAssembly instance with
// its own memory, table, in-memory file system and JavaScript-side state, all discarded after the
// program. Nothing a program changes (modules, classes, builtins, sys settings, files, hooks) can
// reach the next one. Each interpreter's imports pass through its own gate (import-gate.mjs).
import { readFileSync } from 'node:fs';
import { loadPyodide } from 'pyodide';
import createPyodideModule from 'pyodide/pyodide.asm.mjs';
import { createGate } from './import-gate.mjs';
import { installRobotDevice } from './robot-device.mjs';
import { describeOutcome } from './interpreter-outcome.mjs';

const PYODIDE = new URL('./', import.meta.resolve('pyodide'));
const ignore = () => {};

/** Load, set up and snapshot the interpreter every program starts from. */
export async function createInterpreterSource(setupPython) {
  const wasm = await WebAssembly.compile(readFileSync(new URL('pyodide.asm.wasm', PYODIDE)));
  const lockFileContents = readFileSync(new URL('pyodide-lock.json', PYODIDE), 'utf8');
  const options = (gate) => ({
    jsglobals: {},
    env: {},
    stdin: () => null,
    stdout: ignore, // programs print through robot_api.py's capped capture; nothing else is read
    stderr: ignore,
    lockFileContents,
    createPyodideModule: linkedThrough(wasm, gate),
  });
  const maker = await loadPyodide({ ...options(createGate()), _makeSnapshot: true });
  maker.runPython(setupPython, { filename: 'robot_api.py' });
  const snapshot = maker.makeMemorySnapshot();

  return {
    /** A new interpreter, restored from the snapshot, ready to run exactly one program. */
    async fresh() {
      const gate = createGate();
      const pyodide = await loadPyodide({ ...options(gate), _loadSnapshot: snapshot });
      let session;
      const device = installRobotDevice(pyodide.FS, gate, {
        task: () => session.task,
        call: (name, args) => session.call(name, args),
      });
      pyodide.runPython(`_connect(${JSON.stringify(device.path)})`);
      const module = pyodide._module;
      let used = false;
      return {
        /** Run one program; `call(name, args)` answers its primitive calls with the parent's reply. */
        run(task, call) {
          if (used) throw new Error('an interpreter runs one program only');
          used = true;
          session = { task, call };
          const entry = module.stringToNewUTF8('run_program()');
          let thrown;
          try {
            // Straight into CPython: no JavaScript conversions on the way in or out.
            module._PyRun_SimpleString(entry);
          } catch (error) {
            thrown = error;
          }
          gate.shut();
          return describeOutcome({ gateViolation: gate.violation, device, thrown });
        },
        /**
         * Wipe the interpreter once its outcome is sent: the garbage collector may still call into
         * it (Pyodide's proxy finalizers), and must find no Python objects whose __del__ could run.
         */
        discard() {
          gate.shut();
          new Uint8Array(module.HEAP8.buffer).fill(0);
        },
      };
    },
  };
}

/** Instantiate Pyodide from the module compiled once, with every import behind `gate`. */
function linkedThrough(wasm, gate) {
  return async (settings) => {
    settings.instantiateWasm = (imports, done) => {
      // What Pyodide's own instantiateWasm adds before instantiating.
      const marker = Symbol('error marker');
      imports.env.Jsv_GetError_import = () => marker;
      imports.env.JsvError_Check = (value) => value === marker;
      for (const namespace of new Set([imports.env, imports.wasi_snapshot_preview1]))
        gate.wrapImports(namespace);
      WebAssembly.instantiate(wasm, imports).then((instance) => done(instance, wasm));
      return {};
    };
    const module = await createPyodideModule(settings);
    // Pyodide's fatal-error report calls back into the interpreter: only during set-up. A finished
    // interpreter may still be cleaned up by the garbage collector; its errors are moot.
    const fatal = module.API.fatal_error;
    module.API.fatal_error = (error) => {
      if (gate.state === 'open') return fatal(error);
      if (gate.state !== 'shut') throw error;
    };
    return module;
  };
}
