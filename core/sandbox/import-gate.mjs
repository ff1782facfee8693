// The gate between a Pyodide interpreter and the runner's JavaScript. WebAssembly code can only
// reach JavaScript through the functions its instance imports, so every imported function is
// wrapped here. While the runner sets up an interpreter the gate is open; once a program starts,
// only the few imports a pure-Python program needs pass (calling its own functions, growing its
// memory, clocks, randomness, the robot device and stdout/stderr); anything else (a JS object,
// the file system, sockets, a shell, loading code) ends the program before any JavaScript runs.
// After the program the gate stays shut: nothing from that interpreter runs JavaScript again.

/** What a running program may call, by import name. */
const PROGRAM_IMPORTS = new Set([
  '_PyEM_TrampolineCall_JS', // calls a function of the interpreter's own table (JS entries are gated too)
  '_Py_CheckEmscriptenSignals_Helper',
  'emscripten_resize_heap',
  'emscripten_get_heap_max',
  'emscripten_get_now',
  'emscripten_date_now',
  'clock_time_get',
  'random_get',
  'fd_read', // only the robot device: see allowed()
  'fd_write', // only the robot device, stdout and stderr
]);
const STDOUT = 1;
const STDERR = 2;

const isWasmValue = (value) =>
  value instanceof WebAssembly.Global ||
  value instanceof WebAssembly.Memory ||
  value instanceof WebAssembly.Table;

/** Thrown into the interpreter when it calls past the gate; it unwinds every Python frame. */
export class GateClosed extends Error {}

export function createGate() {
  let state = 'open'; // 'open' (setup) -> 'program' -> 'shut'
  let deviceFd = -1;
  let violation;

  const allowed = (name, args) => {
    if (!PROGRAM_IMPORTS.has(name)) return false;
    if (name === 'fd_read') return args[0] === deviceFd;
    if (name === 'fd_write') return args[0] === deviceFd || args[0] === STDOUT || args[0] === STDERR;
    return true;
  };

  const check = (name, args) => {
    if (state === 'program' && allowed(name, args)) return;
    if (state === 'program') violation ??= name;
    throw new GateClosed(`the interpreter called ${name} past the sandbox's gate`);
  };

  return {
    /** Wrap every function of an import namespace in place (the same object Emscripten links against). */
    wrapImports(namespace) {
      for (const [name, fn] of Object.entries(namespace)) {
        if (isWasmValue(fn)) continue;
        if (typeof fn !== 'function') {
          // A callable the gate cannot wrap (a JSPI WebAssembly.Suspending where the engine has
          // it): the runner never needs it, so it is refused in every state.
          namespace[name] = Object.assign((...args) => {
            check(name, args);
            throw new GateClosed(`${name} is not available in the sandbox`);
          }, fn);
          continue;
        }
        const gated = function (...args) {
          if (state !== 'open') check(name, args);
          return fn.apply(this, args);
        };
        namespace[name] = Object.assign(gated, fn); // keeps .sig and friends for the dynamic linker
      }
    },
    /** The file descriptor of the robot device in this interpreter, the only one a program may read. */
    allowDevice(fd) {
      deviceFd = fd;
    },
    beginProgram() {
      if (state === 'open') state = 'program';
    },
    shut() {
      state = 'shut';
    },
    get state() {
      return state;
    },
    /** The first import a program tried to call past the gate, if any. */
    get violation() {
      return violation;
    },
  };
}
