// The sandboxed Python runner: a separate Node process (started by python-sandbox.ts with Node's
// permission model, a clean environment and no code generation from strings) that loads Pyodide
// once and then runs robot programs it receives as JSON lines on stdin. A primitive call from
// Python is written to the /dev/robot device; the runner forwards it to the parent and blocks
// until the parent's reply arrives, so Python never holds a JavaScript object.
import fs from 'node:fs';
import os from 'node:os';

// Pyodide's start-up asks for process.binding('constants'), which the permission model denies.
process.binding = (name) => {
  if (name === 'constants') return { fs: fs.constants, os: os.constants };
  throw new Error(`binding ${name} is not available in the sandbox`);
};

const send = (message) => fs.writeSync(1, JSON.stringify(message) + '\n');

let pending = '';
const chunk = Buffer.alloc(1 << 16);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Block until one line arrives from the parent (fd 0 may be non-blocking: retry on EAGAIN). */
function readLine() {
  for (;;) {
    const newline = pending.indexOf('\n');
    if (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      return line;
    }
    let n;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (err) {
      if (err.code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 0.02); // a short nap: replies usually come within microseconds
        continue;
      }
      throw err;
    }
    if (n === 0) process.exit(0); // the parent went away
    pending += chunk.toString('utf8', 0, n);
  }
}

const started = performance.now();
const { loadPyodide } = await import('pyodide');
let stray = '';
const pyodide = await loadPyodide({
  jsglobals: {},
  stdout: (text) => (stray = (stray + text + '\n').slice(-4096)),
  stderr: (text) => (stray = (stray + text + '\n').slice(-4096)),
});

// /dev/robot: Python writes one JSON request line, then reads the parent's one-line reply.
const { FS } = pyodide;
const device = FS.makedev(64, 0);
let request = '';
let reply = Buffer.alloc(0);
let replyAt = 0;
FS.registerDevice(device, {
  open() {},
  close() {},
  write(_stream, buffer, offset, length) {
    request += Buffer.from(buffer.subarray(offset, offset + length)).toString('utf8');
    if (request.length > 1 << 20) throw new FS.ErrnoError(27); // EFBIG: a request that large is hostile
    const newline = request.indexOf('\n');
    if (newline >= 0) {
      const line = request.slice(0, newline);
      request = request.slice(newline + 1);
      send({ type: 'call', call: JSON.parse(line) });
      reply = Buffer.from(readLine() + '\n');
      replyAt = 0;
    }
    return length;
  },
  read(_stream, buffer, offset, length) {
    const n = Math.min(length, reply.length - replyAt);
    buffer.set(reply.subarray(replyAt, replyAt + n), offset);
    replyAt += n;
    return n;
  },
});
FS.mkdev('/dev/robot', device);

pyodide.runPython(fs.readFileSync(new URL('./robot_api.py', import.meta.url), 'utf8'), {
  filename: 'robot_api.py',
});
const runProgram = pyodide.globals.get('run_program');
// Nothing from here on needs these: take them out of Python's reach.
pyodide.runPython(
  "import sys\nfor _m in ('js', 'pyodide_js', 'pyodide.ffi', 'pyodide', '_pyodide', 'micropip'):\n    sys.modules.pop(_m, None)\ndel sys, _m",
);
send({ type: 'ready', startupMs: Math.round(performance.now() - started) });

for (;;) {
  const message = JSON.parse(readLine());
  if (message.type !== 'run') continue;
  const outcome = runProgram(message.program, JSON.stringify(message.state));
  const result = outcome.toJs({ dict_converter: Object.fromEntries });
  outcome.destroy();
  send({ type: 'done', result });
}
