// The README's worked task example is the real file, so the README cannot drift from the code.
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { promptBlock, readmePromptMarker } from '../scripts/readme-prompt.ts';

it('README shows tasks/put_block_in_bin.task.ts verbatim as the worked example', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const task = readFileSync(new URL('../tasks/put_block_in_bin.task.ts', import.meta.url), 'utf8');
  expect(readme).toContain('```ts\n' + task + '```');
});

it("README shows a task's full prompt exactly as `lab prompt` prints it (npx tsx scripts/readme-prompt.ts updates it)", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const { task, seed, block } = readmePromptMarker(readme);
  expect(block).toBe(promptBlock(task, seed));
  expect(block).toContain('# blazer-prompt-v2');
}, 60_000);
