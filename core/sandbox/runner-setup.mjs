// Imported first by python-runner.mjs, before Pyodide loads: adapts the process to Pyodide under
// Node's permission model and keeps stdout for the protocol alone.
import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

// The runner dies with its parent, even in the middle of a program that never yields.
new Worker(new URL('./lifeline.mjs', import.meta.url)).unref();

// Pyodide's start-up asks for process.binding('constants'), which the permission model denies.
process.binding = (name) => {
  if (name === 'constants') return { fs: fs.constants, os: os.constants };
  throw new Error(`binding ${name} is not available in the sandbox`);
};

// Anything Pyodide logs goes to stderr: stdout carries protocol lines only.
for (const level of ['log', 'info', 'debug']) console[level] = console.error;
