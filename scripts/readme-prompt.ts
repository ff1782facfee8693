// Writes the README's full example prompt (between `<!-- prompt:TASK:SEED -->` and
// `<!-- /prompt -->`) from `lab prompt`, so the README shows exactly what a model gets.
// Run: npx tsx scripts/readme-prompt.ts   (test/readme.test.ts checks it is current)
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const README = `${ROOT}README.md`;
const MARKER = /<!-- prompt:(\w+):(\d+) -->\n[\s\S]*?<!-- \/prompt -->/;

/** The README block for a task's prompt: `lab prompt`'s output in a fence. */
export function promptBlock(task: string, seed: number): string {
  const run = spawnSync(
    process.execPath,
    [`${ROOT}bin/lab.js`, 'prompt', '--task', task, '--seed', String(seed)],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`lab prompt failed: ${run.stderr}`);
  // Four backticks: the prompt itself holds a ``` fence.
  return `<!-- prompt:${task}:${seed} -->\n\n\`\`\`\`\n${run.stdout}\`\`\`\`\n\n<!-- /prompt -->`;
}

export function readmePromptMarker(readme: string): { task: string; seed: number; block: string } {
  const found = MARKER.exec(readme);
  if (!found) throw new Error('README has no <!-- prompt:TASK:SEED --> block');
  return { task: found[1], seed: Number(found[2]), block: found[0] };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(README, 'utf8');
  const { task, seed, block } = readmePromptMarker(readme);
  writeFileSync(README, readme.replace(block, promptBlock(task, seed)));
}
