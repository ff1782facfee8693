// The runner's end of the protocol with the parent: one JSON message per line, stdin and stdout.
// Reads block (a program waiting for a primitive's reply is a synchronous Python call).
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const { readSync, writeSync } = fs; // taken before any other code runs
const MAX_LINE = 64 << 20; // a program and its scene; the parent is the only writer
const napper = new Int32Array(new SharedArrayBuffer(4));
const nap = (ms) => Atomics.wait(napper, 0, 0, ms);
const chunk = Buffer.alloc(1 << 16);
const decoder = new StringDecoder('utf8');
let pending = '';

/** Block until one message arrives from the parent; exit quietly when the parent has gone. */
export function readMessage() {
  for (;;) {
    const newline = pending.indexOf('\n');
    if (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      return JSON.parse(line);
    }
    if (pending.length > MAX_LINE) throw new Error('the parent sent a line longer than the runner accepts');
    let n;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      nap(0.02); // fd 0 may be non-blocking; replies usually come within microseconds
      continue;
    }
    if (n === 0) process.exit(0);
    pending += decoder.write(chunk.subarray(0, n));
  }
}

export function send(message) {
  const bytes = Buffer.from(JSON.stringify(message) + '\n');
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(1, bytes, at);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      nap(1); // the parent has not drained the pipe yet
    }
  }
}
