// `lab`: the terminal shell over the lab's api. Each command parses its arguments, calls the lab
// through the same typed client as the UI, and prints text or, with --json, one JSON document.
// Commands are loaded on demand, so `lab --help` and `lab tasks` start without loading the lab.
import { parseArgs, UsageError, type ParsedArgs } from './args.ts';

const USAGE = `lab: BLAZER Lab command line

  lab sim info <model.xml> [--json]      bodies, joints, actuators, sites, geoms of an MJCF model
  lab sim state <scene|model.xml> [--json]
                                         the textual scene state an LLM program is given
                                         (built-in scenes: panda-table, panda-cube, so100-table, so100-cube)
  lab demo [--arm panda|so100] [--json]  a scripted pick-and-place with the three primitives
  lab tasks [--json]                     the task suite with each task's split and arms
  lab run --task <id> [--seed N] [--arm panda|so100] [--solver scripted|none] [--json] [--record out.json]
                                         run one episode; exit 0 on success, 3 on failure;
                                         --record writes the recording (30 Hz) for replay
  lab attempt --task <id> [--seed N] [--arm panda|so100] --program plan.py [--json] [--record out.json]
                                         run a Python robot program through the sandbox and verifier
  lab attempt --task <id> [--seed N] --model <file.gguf | openai:NAME@URL> [--adapter lora.gguf]
              [--format code|json] [--threads N] [--temperature T] [--json]
                                         ask a model for a program and run it (prompt, program, trace, success)
  lab prompt --task <id> [--seed N] [--arm panda|so100] [--format code|json] [--json]
                                         the exact prompt a model gets for that scene (nothing runs)
  lab models [--json] | lab models add <file.gguf> [--name N] | lab models remove <name>
  lab models add-endpoint <name> <openai:MODEL@URL>
                                         the lab's registered local models (names work wherever a model file does)
  lab generate --db lab.sqlite --tasks <ids|train|all> --teacher <scripted|model> [--adapter A] --scenes N [--samples K]
              [--first-scene S] [--temperature T] [--format code|json] [--workers W] [--concurrency C] [--threads N]
                                         zero-shot data generation; rerun the same command to resume
  lab dataset stats|list|show <id>|check|upgrade --db lab.sqlite [--task T] [--split S] [--success yes|no]
              [--model M] [--contains TEXT] [--limit N] [--order newest|oldest] [--after CURSOR] [--json]
                                         browse and check a dataset
  lab dataset export --db lab.sqlite --format chat|pairs|csv --out file [--validation 0.1]
                                         OpenAI chat JSONL of successes (+ .validation.jsonl), preference pairs, CSV
  lab dataset merge --db lab.sqlite other.sqlite...
                                         add datasets made on other machines (nothing duplicated)
  lab train set --db lab.sqlite --name N [--tasks a,b] [--method supervised|dpo] [--max-per-task K]
              [--validation 0.1] [--seed S] [--json]
                                         snapshot the verified episodes a student learns from
  lab train sets|jobs --db lab.sqlite [--json]
                                         the training sets, and the training jobs with their loss curves
  lab train --db lab.sqlite --set N --base <model> [--trainer builtin|command|openai] [--name ADAPTER]
              [--epochs E] [--lr X] [--batch B] [--rank R] [--alpha A] [--max-steps S] [--max-minutes M]
              [--command "python3 scripts/train_lora_peft.py" --trainer-base HF_MODEL] [--base-url URL] [--json]
                                         fine-tune a LoRA adapter (or a remote model) on a training set
  lab adapters [list] [--json] | lab adapters import <lora.gguf|peft-folder> --base <model> [--name N]
  lab adapters remove <name>
                                         the lab's LoRA adapters, each checked against its base model
  lab eval --db lab.sqlite --model <scripted|model> [--adapter A] --tasks train|heldout|all|ids --scenes N
              [--samples K] [--temperature T] [--format code|json] [--threads N] [--json]
                                         success per task on evaluation seeds, with 95% intervals
  lab eval list --db lab.sqlite | lab eval compare --db lab.sqlite RUN... [--json]
                                         the evaluation runs, and the paper's table comparing them
  lab robot ports [--json]               the USB serial ports, with a hint for known servo adapters
                                         (exit 1 when none is found, with what to check)
  lab robot scan --port P [--baud B] [--json]
                                         which SO-100 servos answer (id, model, joint), which are missing
                                         and what to check; exit 3 when some are missing
  lab robot calibrate --port P --name N [--baud B] [--json]
                                         calibrate the arm by hand, torque off: hold the reference pose and
                                         press Enter, move every joint through its range, press Enter to save
  lab robot calibrate --import FILE --name N [--json]
                                         import a LeRobot SO-100/SO-101 calibration file under a name
  lab robot calibrations [--json]        the saved arm calibrations
  lab robot jog --port P --calibration N (--joint NAME --by ANGLE | --pose a,b,c,d,e,f) [--baud B] [--json]
                                         torque on, move a joint by ANGLE from where it is (or go to the pose),
                                         print where the arm ended, torque off. Angles are radians, or degrees
                                         with deg: --by 0.2, --by 10deg, --by -5deg. Joints: shoulder_pan,
                                         shoulder_lift, elbow_flex, wrist_flex, wrist_roll, jaw. Ctrl-C e-stops
  lab robot run --port P --calibration N --task T [--seed S] (--program plan.py | --model M [--adapter A])
              [--format code|json] [--objects "name:x,y,z[,yaw];..."] [--db lab.sqlite] [--yes] [--mark yes|no]
                                         a program on the real arm: dry run in simulation from the real scene
                                         and joints, confirm, execute primitive by primitive (Ctrl-C e-stops),
                                         mark the trial (stored as real with --db), back to the start, torque off
  lab robot estop [--port P] [--baud B] [--json]
                                         from another terminal: e-stop the bridge that has P open (without
                                         --port: every running bridge); with no bridge on P, send torque off
                                         to servos 1..6 on P directly; exit 1 if nothing could be done
  lab robot status [--port P] [--json]   whether a lab process (its bridge) has the arm's port open
  lab serve-model <file.gguf> [--adapter lora.gguf] [--port 8123] [--token T] [--name N] [--threads N]
                                         share a local model as an OpenAI-compatible endpoint on 127.0.0.1
  lab serve [--host 127.0.0.1] [--port 8080] [--token-file F] [--class-token-file F] [--db lab.sqlite] [--robot]
                                         the lab UI and api for a browser (prints the URL with its token);
                                         --robot lets a browser on this machine drive the real arm
  lab dev tiny-model <out.gguf> [--lora <out-lora.gguf>] [--seed N] [--f16] [--json]
                                         write the tiny random-weight llama (and a LoRA adapter
                                         for it) used by the offline tests, then show their metadata
  lab dev model-info <file.gguf> [--json]
                                         architecture, parameters, context, template, quantisation
  lab lessons list [--json]              the course (lessons/*.md) and any lesson file refused, with its
                                         file, line and field
  lab lessons check <student> <lesson> [--db F] [--json]
                                         what the student has done in the lesson and what not (checks of
                                         their dataset are looked at now); exit 1 until it is complete
  lab lessons class [--csv FILE] [--json]
                                         every student × every lesson, with the last failure, as CSV
  lab help                               this text
`;

/** The usage entries of one command: its `  lab <command>` lines and their continuation lines. */
function usageOf(command: string): string {
  const lines: string[] = [];
  let inCommand = false;
  for (const line of USAGE.split('\n')) {
    if (line.startsWith('  lab ')) inCommand = line.startsWith(`  lab ${command} `);
    else if (!line.startsWith('   ')) inCommand = false;
    if (inCommand) lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

type Command = (args: ParsedArgs) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  sim: async () => (await import('./sim.ts')).simCommand,
  demo: async () => (await import('./sim.ts')).demoCommand,
  tasks: async () => (await import('./tasks.ts')).tasksCommand,
  run: async () => (await import('./tasks.ts')).runCommand,
  attempt: async () => (await import('./tasks.ts')).attemptCommand,
  prompt: async () => (await import('./tasks.ts')).promptCommand,
  models: async () => (await import('./models.ts')).modelsCommand,
  dev: async () => (await import('./models.ts')).devCommand,
  'serve-model': async () => (await import('./models.ts')).serveModelCommand,
  generate: async () => (await import('./generate.ts')).generateCommand,
  dataset: async () => (await import('./dataset.ts')).datasetCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  train: async () => (await import('./train.ts')).trainCommand,
  adapters: async () => (await import('./train.ts')).adaptersCommand,
  eval: async () => (await import('./eval.ts')).evalCommand,
  robot: async () => (await import('./robot.ts')).robotCommand,
  lessons: async () => (await import('./lessons.ts')).lessonsCommand,
};

const FLAGS = {
  booleans: ['json', 'f16', 'robot', 'yes'],
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
    'class-token-file',
    'csv',
    'method',
    'max-per-task',
    'set',
    'base',
    'trainer',
    'epochs',
    'lr',
    'batch',
    'rank',
    'alpha',
    'max-steps',
    'max-minutes',
    'command',
    'base-url',
    'trainer-base',
    'baud',
    'import',
    'calibration',
    'joint',
    'by',
    'pose',
    'objects',
    'mark',
  ],
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  const load = COMMANDS[command];
  if (!load) throw new UsageError(`unknown command '${command}'`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(usageOf(command));
    return 0;
  }
  const args = parseArgs(rest, FLAGS);
  const run = await load();
  try {
    return await run(args);
  } finally {
    const { closeLab } = await import('./lab.ts');
    await closeLab();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      // The whole usage for a command we do not know; otherwise one line, and where to look.
      const unknown = err.message.startsWith('unknown command');
      process.stderr.write(`lab: ${err.message}\n${unknown ? `\n${USAGE}` : ''}`);
      process.exitCode = 2;
      return;
    }
    const { kind, message, detail } = err as { kind?: string; message?: string; detail?: string };
    if (kind === 'stopped') {
      process.stderr.write('lab: stopped\n');
      process.exitCode = 130;
    } else if (kind !== undefined && kind !== 'internal') {
      process.stderr.write(`lab: ${message}\n`); // a problem the user can fix, named by the lab
      process.exitCode = 1;
    } else {
      // A bug: its stack, from this process or from the lab's side of the call.
      const stack =
        kind === 'internal'
          ? `${message}\n${detail ?? ''}`
          : err instanceof Error
            ? (err.stack ?? err.message)
            : String(err);
      process.stderr.write(`lab: ${kind === 'internal' ? '' : 'unexpected error: '}${stack}\n`);
      process.exitCode = 1;
    }
  },
);
