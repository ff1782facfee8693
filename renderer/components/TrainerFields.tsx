// The trainer and what it needs besides the set and base: the built-in trainer (this machine's CPU),
// a local trainer command (its argv), or an OpenAI-compatible fine-tuning API (its base URL). The
// command and the API are the lab's operator's: they run a program on, or spend the key of, the
// lab machine.
import type { TrainerKind } from '../../api/types.ts';
import { Segmented, TextField } from './common.tsx';

const TRAINERS: { id: TrainerKind; title: string }[] = [
  { id: 'builtin', title: 'Built-in' },
  { id: 'command', title: 'Command' },
  { id: 'openai', title: 'OpenAI API' },
];

/** A command line as argv (no shell): words, or "quoted" / 'quoted' strings. */
export function argv(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

export function TrainerFields({
  trainer,
  onTrainer,
  command,
  onCommand,
  baseURL,
  onBaseURL,
}: {
  trainer: TrainerKind;
  onTrainer: (trainer: TrainerKind) => void;
  command: string;
  onCommand: (command: string) => void;
  baseURL: string;
  onBaseURL: (url: string) => void;
}) {
  return (
    <>
      <Segmented
        options={TRAINERS.map((t) => ({ value: t.id, label: t.title }))}
        value={trainer}
        onChange={onTrainer}
        testId="trainer"
      />
      {trainer === 'builtin' && (
        <p className="muted">
          Trains a LoRA on this machine's CPU: for small models with F32/F16 weights (the tiny test model up
          to a few tens of millions of parameters). Supervised sets only.
        </p>
      )}
      {trainer === 'command' && (
        <>
          <TextField
            label="Trainer command (no shell; the request file is appended)"
            value={command}
            onChange={onCommand}
            testId="trainer-command"
          />
          <p className="muted" data-testid="operator-note">
            For the lab's operator: the command runs a program on the lab machine, so only the desktop app or
            the CLI there may start it.
          </p>
        </>
      )}
      {trainer === 'openai' && (
        <>
          <TextField
            label="Fine-tuning API base URL"
            value={baseURL}
            onChange={onBaseURL}
            placeholder="https://api.openai.com/v1"
            testId="trainer-base-url"
          />
          <p className="muted" data-testid="operator-note">
            For the lab's operator: the job spends the key in BLAZER_API_KEY or OPENAI_API_KEY on the lab
            machine, so only the desktop app or the CLI there may start it. The learning rate is sent as the
            API's multiplier.
          </p>
        </>
      )}
    </>
  );
}
