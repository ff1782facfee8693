// /dev/robot in one interpreter's in-memory file system: the program's only line to the parent.
// Python writes one JSON request per line ({"op": "task"}, {"op": "begin"}, {"op": "call", ...},
// {"op": "end", ...}) and reads the one-line answer to a task or a call. Everything it writes is checked here like any untrusted
// input; a malformed, oversized or out-of-order request ends the program on the spot as a sandbox
// violation (the thrown error unwinds every Python frame, so the program cannot carry on).

import { MAX_ARGS, MAX_MESSAGE, MAX_NAME, MAX_OUTPUT, PROGRAM_KINDS } from './program-limits.mjs';

const MAJOR = 64;
const MAX_REQUEST = 1 << 20; // the end of a program carries up to 64 K characters of output

/** Thrown into the interpreter when the program breaks the device protocol. */
export class DeviceViolation extends Error {}

/**
 * Install /dev/robot in `FS`. `session` answers the program's requests: `task()` gives the program
 * and scene at begin, `call(name, args)` returns the parent's reply object for a primitive call.
 */
export function installRobotDevice(FS, gate, session) {
  let phase = 'ready'; // 'ready' -> 'compiling' -> 'running' -> 'ended' (or 'broken')
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let answer = Buffer.alloc(0);
  let at = 0;
  let result;
  let violation;

  const refuse = (why) => {
    violation ??= why;
    phase = 'broken';
    throw new DeviceViolation(why);
  };

  const handle = (line) => {
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      refuse('the program wrote something other than JSON to the robot device');
    }
    const op = request && typeof request === 'object' ? request.op : undefined;
    if (op === 'task' && phase === 'ready') {
      phase = 'compiling';
      return session.task();
    }
    if (op === 'begin' && phase === 'compiling') {
      phase = 'running';
      gate.beginProgram();
      return undefined;
    }
    if (op === 'call' && phase === 'running') {
      const { name, args } = request;
      if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME)
        refuse('the program sent the robot device a call without a valid primitive name');
      if (!Array.isArray(args) || args.length > MAX_ARGS)
        refuse('the program sent the robot device a call without a valid argument list');
      return session.call(name, args);
    }
    if (op === 'end' && (phase === 'running' || phase === 'compiling')) {
      result = checkResult(request.result) ?? refuse('the program sent the robot device a malformed result');
      phase = 'ended';
      return undefined;
    }
    return refuse(
      `the program wrote an unexpected request to the robot device (${describeOp(op)} while ${phase})`,
    );
  };

  const device = FS.makedev(MAJOR, 0);
  FS.registerDevice(device, {
    open(stream) {
      gate.allowDevice(stream.fd);
    },
    close() {},
    write(_stream, buffer, offset, length) {
      if (phase === 'broken') refuse(violation);
      pending += decoder.decode(buffer.subarray(offset, offset + length), { stream: true });
      if (pending.length > MAX_REQUEST)
        refuse(`the program wrote a request longer than ${MAX_REQUEST} characters to the robot device`);
      for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const reply = handle(line);
        if (reply !== undefined) {
          answer = Buffer.from(JSON.stringify(reply) + '\n');
          at = 0;
        }
      }
      return length;
    },
    read(_stream, buffer, offset, length) {
      if (phase === 'broken') refuse(violation);
      const n = Math.min(length, answer.length - at);
      buffer.set(answer.subarray(at, at + n), offset);
      at += n;
      return n;
    },
  });
  FS.mkdev('/dev/robot', device);
  return {
    path: '/dev/robot',
    get result() {
      return result;
    },
    get violation() {
      return violation;
    },
  };
}

function checkResult(r) {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return undefined;
  const { ok, kind, message, line, output } = r;
  if (typeof ok !== 'boolean' || !PROGRAM_KINDS.has(kind) || ok !== (kind === 'completed')) return undefined;
  if (typeof message !== 'string' || message.length > MAX_MESSAGE) return undefined;
  if (typeof output !== 'string' || output.length > MAX_OUTPUT) return undefined;
  if (line !== undefined && line !== null && !(Number.isInteger(line) && line > 0)) return undefined;
  return { ok, kind, message, ...(line ? { line } : {}), output };
}

function describeOp(op) {
  return typeof op === 'string' ? `'${op.slice(0, 20)}'` : 'no op';
}
