// Training with a program of the user's choice (a PEFT/TRL script on a GPU workstation, a wrapper
// around any other trainer), run as a child process under the contract below. The lab writes the
// request, reads progress from stdout, and checks the adapter the program says it wrote.
//
// THE LOCAL TRAINER COMMAND CONTRACT
//
// Call. The configured command is an argv array, run without a shell, with one more argument: the
// path of a JSON request file the lab writes into the run's output folder (train-request.json):
//
//   { "method": "supervised" | "dpo",
//     "trainFile": "/abs/train.jsonl",          chat JSONL ({"messages": [...]}) for supervised,
//                                               DPO JSONL ({"input": {"messages": [...]},
//                                               "preferred_output": [...], "non_preferred_output": [...]})
//     "validationFile": "/abs/valid.jsonl",     optional, same format
//     "baseModel": "...",                       what the user entered: a model folder or id for
//                                               PEFT trainers, a GGUF path for llama.cpp-based ones
//     "outDir": "/abs/run-folder",              write everything here
//     "hyper": { "epochs", "learningRate", "batchSize", "rank", "alpha",
//                "maxSteps"?, "maxSeconds"?, "seed"? } }
//
// stdout: one JSON object per line.
//   {"type":"progress","step":N,"totalSteps":N,"epoch":N,"loss":X,"validLoss"?:X,"etaSeconds"?:N,
//    "tokensPerSecond"?:X}                      after each logged step
//   {"type":"message","text":"..."}           anything worth showing
//   {"type":"done","output":"<path>","format":"peft"|"gguf-lora"}   last, once the adapter is written
// Any other stdout line is shown as a message; keep library noise on stderr where possible.
// `output` may be relative to outDir. "peft" is a folder with adapter_config.json and
// adapter_model.safetensors (what PeftModel.save_pretrained writes); "gguf-lora" is a GGUF LoRA file.
//
// stderr: free text; the last 50 lines go into the error report when the run fails.
//
// Exit code 0 with a done line whose output exists is success. Any other exit code, death by a
// signal, or no done line is a failure. Cancel: SIGTERM to the command's process group, then SIGKILL
// 5 seconds later; save nothing partial under the output name on SIGTERM.
//
// A reference implementation for a CUDA machine is scripts/train_lora_peft.py (PEFT + TRL), and
// test/fixtures/stand-in-trainer.mjs is a dependency-free one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { TrainCancelled, TrainError } from './errors.ts';
import { checkTrainerOutput, parseTrainerLine, type AdapterFormat } from './command-protocol.ts';
import { ProgressReporter } from './progress.ts';
import { requireDataFiles } from './data-files.ts';
import type { TrainOutcome, TrainRequest, TrainRequestData, Trainer } from './types.ts';

export interface CommandTrainerOptions {
  /** The program and its first arguments; the request file's path is appended. No shell is involved. */
  command: string[];
  /** Added to this process's environment for the command. */
  env?: Record<string, string>;
  cwd?: string;
  /** How long a cancelled command has between SIGTERM and SIGKILL; default 5000 ms. */
  killAfterMs?: number;
}

/** The request file the command receives (paths absolute). */
export type CommandTrainRequestFile = TrainRequestData;

export const REQUEST_FILE = 'train-request.json';
const STDERR_LINES = 50;
/** After the command exits, how long its stdio may stay open (held by a stray child) before it is cut. */
const STDIO_GRACE_MS = 2000;

export class CommandTrainer implements Trainer {
  readonly kind = 'command' as const;

  constructor(private readonly options: CommandTrainerOptions) {
    if (!options.command.length || !options.command[0])
      throw new TrainError('the trainer command is empty: give the program to run (and its arguments)');
  }

  async train(request: TrainRequest): Promise<TrainOutcome> {
    await requireDataFiles(request.trainFile, request.validationFile);
    if (request.signal?.aborted) throw new TrainCancelled();
    const outDir = resolve(request.outDir);
    await mkdir(outDir, { recursive: true });
    const requestPath = join(outDir, REQUEST_FILE);
    const requestFile: CommandTrainRequestFile = {
      method: request.method,
      trainFile: resolve(request.trainFile),
      ...(request.validationFile ? { validationFile: resolve(request.validationFile) } : {}),
      baseModel: request.baseModel,
      outDir,
      hyper: request.hyper,
    };
    await writeFile(requestPath, JSON.stringify(requestFile, null, 2) + '\n');
    return this.run(requestPath, outDir, new ProgressReporter(request.onProgress), request.signal);
  }

  private run(
    requestPath: string,
    outDir: string,
    reporter: ProgressReporter,
    signal?: AbortSignal,
  ): Promise<TrainOutcome> {
    const [program, ...args] = this.options.command;
    const shown = this.options.command.join(' ');
    // Its own process group, so a cancel also reaches what the command started (a shell script's
    // python, data loader workers).
    const child = spawn(program, [...args, requestPath], {
      cwd: this.options.cwd,
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const stderr = new LineTail(STDERR_LINES);
    let done: { output: string; format: AdapterFormat } | undefined;
    let malformedDone: string | undefined;
    let spawnError: NodeJS.ErrnoException | undefined;
    let listenerError: unknown;
    let cancelled = false;
    let killed = false;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => {
        killed = true;
        signalGroup(child, 'SIGKILL');
      }, this.options.killAfterMs ?? 5000);
    };
    const onAbort = (): void => {
      cancelled = true;
      stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    createInterface({ input: child.stdout! }).on('line', (raw) => {
      const line = parseTrainerLine(raw);
      if (!line || listenerError !== undefined) return;
      try {
        if (line.type === 'progress') reporter.report(line.progress);
        else if (line.type === 'message') reporter.message(line.text);
        else if (line.type === 'done') done = line;
        else {
          if (line.kind === 'done') malformedDone = line.reason;
          reporter.message(
            `the trainer printed a malformed ${line.kind} line (${line.reason}): ${line.text}`,
          );
        }
      } catch (err) {
        // The listener (the caller's code) failed: the run cannot report any more, so it ends.
        listenerError = err;
        stop();
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
    child.on('error', (err) => (spawnError = err));
    child.on('exit', () => {
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, STDIO_GRACE_MS).unref();
    });

    return new Promise<TrainOutcome>((resolvePromise, reject) => {
      child.on('close', (code, exitSignal) => {
        clearTimeout(killTimer);
        signal?.removeEventListener('abort', onAbort);
        const settle = async (): Promise<TrainOutcome> => {
          if (spawnError) throw spawnFailure(program, spawnError);
          if (listenerError !== undefined) throw listenerError;
          if (cancelled)
            throw new TrainCancelled(
              killed
                ? `training was cancelled; the trainer command ignored SIGTERM and was killed`
                : 'training was cancelled; the trainer command stopped',
            );
          const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`;
          if (code !== 0) throw new TrainError(`the trainer command (${shown}) ${how}${stderr.report()}`);
          if (!done)
            throw new TrainError(
              `the trainer command (${shown}) ended without a {"type":"done",...} line on stdout` +
                (malformedDone ? ` (its done line was malformed: ${malformedDone})` : '') +
                stderr.report(),
            );
          const path = await checkTrainerOutput(done.output, done.format, outDir);
          return {
            kind: done.format,
            path,
            steps: reporter.latest.step,
            ...(reporter.finalLoss !== undefined ? { finalLoss: reporter.finalLoss } : {}),
          };
        };
        settle().then(resolvePromise, reject);
      });
    });
  }
}

function signalGroup(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // Already gone.
  }
}

function spawnFailure(program: string, err: NodeJS.ErrnoException): TrainError {
  if (err.code === 'ENOENT')
    return new TrainError(
      `the trainer command '${program}' was not found: give the full path of the program, or install it`,
      { cause: err },
    );
  if (err.code === 'EACCES')
    return new TrainError(
      `the trainer command '${program}' cannot be run (permission denied): is it executable?`,
      {
        cause: err,
      },
    );
  return new TrainError(`the trainer command '${program}' could not start: ${err.message}`, { cause: err });
}

/** The last lines of a stream, for an error report. */
class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly keep: number) {}

  push(line: string): void {
    this.lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (this.lines.length > this.keep) this.lines.shift();
  }

  /** "\n<last stderr lines>" or a note that there were none. */
  report(): string {
    return this.lines.length
      ? `; its last stderr lines:\n${this.lines.join('\n')}`
      : '; it wrote nothing to stderr';
  }
}
