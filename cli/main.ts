// `lab`: the terminal shell over core/. Each command parses its arguments, calls core, and prints
// text or, with --json, one JSON document.
import { parseArgs, UsageError } from './args.ts';
import { simCommand } from './sim.ts';
import { demoCommand } from './demo.ts';
import { runCommand, tasksCommand } from './tasks.ts';
import { attemptCommand } from './attempt.ts';
import { devCommand, DEV_USAGE } from './dev.ts';
import { serveModelCommand } from './serve-model.ts';
import { modelsCommand } from './models.ts';
import { generateCommand } from './generate.ts';
import { datasetCommand } from './dataset.ts';
import { serveCommand } from './serve.ts';
import { isUserError } from '../api/errors.ts';

const USAGE = `lab: BLAZER Lab command line

  lab sim info <model.xml> [--json]      bodies, joints, actuators, sites, geoms of an MJCF model
  lab sim state <scene|model.xml> [--json]
                                         the textual scene state an LLM program is given
                                         (built-in scenes: panda-table, panda-cube, so100-table, so100-cube)
  lab demo [--arm panda|so100] [--json]  a scripted pick-and-place with the three primitives
  lab tasks [--json]                     the task suite with each task's split and arms
  lab run --task <id> [--seed N] [--arm panda|so100] [--solver scripted|none] [--json] [--record out.json]
                                         run one episode; exit 0 on success, 3 on failure;
                                         --record writes the trajectory (30 Hz) for replay
  lab attempt --task <id> [--seed N] [--arm panda|so100] --program plan.py [--json]
                                         run a Python robot program through the sandbox and verifier
  lab attempt --task <id> [--seed N] --model <file.gguf | openai:NAME@URL> [--adapter lora.gguf]
              [--format code|json] [--threads N] [--temperature T] [--json]
                                         ask a model for a program and run it (prompt, program, trace, success)
  lab models [--json] | lab models add <file.gguf> [--name N] | lab models remove <name>
  lab models add-endpoint <name> <openai:MODEL@URL>
                                         the lab's registered local models (names work wherever a model file does)
  lab generate --db lab.sqlite --tasks <ids|train|all> --teacher <scripted|model> --scenes N [--samples K]
              [--first-scene S] [--temperature T] [--format code|json] [--workers W] [--concurrency C] [--threads N]
                                         zero-shot data generation; rerun the same command to resume
  lab dataset stats|list|show <id>|check --db lab.sqlite [--task T] [--split S] [--success yes|no]
              [--model M] [--contains TEXT] [--limit N] [--order newest|oldest] [--after CURSOR] [--json]
                                         browse and check a dataset
  lab dataset export --db lab.sqlite --format chat|pairs|csv --out file [--validation 0.1]
                                         OpenAI chat JSONL of successes (+ .validation.jsonl), preference pairs, CSV
  lab dataset merge --db lab.sqlite other.sqlite...
                                         add datasets made on other machines (nothing duplicated)
  lab serve-model <file.gguf> [--adapter lora.gguf] [--port 8123] [--token T] [--name N] [--threads N]
                                         share a local model as an OpenAI-compatible endpoint on 127.0.0.1
  lab serve [--host 127.0.0.1] [--port 8080] [--token-file F] [--db lab.sqlite]
                                         the lab UI and api for a browser (prints the URL with its token)
${DEV_USAGE}
  lab help                               this text
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest, {
    booleans: ['json', 'f16'],
    values: [
      'arm',
      'task',
      'seed',
      'solver',
      'record',
      'program',
      'model',
      'adapter',
      'format',
      'threads',
      'temperature',
      'lora',
      'port',
      'token',
      'name',
      'host',
      'db',
      'tasks',
      'teacher',
      'scenes',
      'samples',
      'workers',
      'split',
      'success',
      'contains',
      'limit',
      'after',
      'out',
      'validation',
      'first-scene',
      'order',
      'concurrency',
      'token-file',
    ],
  });
  switch (command) {
    case 'sim':
      return simCommand(args);
    case 'demo':
      return demoCommand(args);
    case 'tasks':
      return tasksCommand(args);
    case 'run':
      return runCommand(args);
    case 'attempt':
      return attemptCommand(args);
    case 'serve-model':
      return serveModelCommand(args);
    case 'models':
      return modelsCommand(args);
    case 'generate':
      return generateCommand(args);
    case 'dataset':
      return datasetCommand(args);
    case 'dev':
      return devCommand(args);
    case 'serve':
      return serveCommand(args);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`lab: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (isUserError(err)) {
      process.stderr.write(`lab: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `lab: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
