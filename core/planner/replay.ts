// The program that made a stored episode, rebuilt from what the dataset kept: episodes are
// deterministic for (task, arm, seed, program), so the dataset stores programs, not recordings.
import { AnswerError, parseJsonPlan, planToPython } from './parse.ts';
import type { RunSpec } from './solve.ts';
import type { StoredEpisode } from '../../api/types.ts';

export function storedRun(episode: Pick<StoredEpisode, 'format' | 'answer' | 'program'>): RunSpec {
  if (episode.format === 'scripted') return { kind: 'scripted' };
  if (episode.format === 'json' && episode.answer !== null) {
    try {
      const plan = parseJsonPlan(episode.answer);
      return { kind: 'program', program: { format: 'json', source: planToPython(plan), plan } };
    } catch (err) {
      if (err instanceof AnswerError) return { kind: 'none' }; // no plan in the answer: nothing ran then either
      throw err;
    }
  }
  if (episode.program !== null)
    return { kind: 'program', program: { format: 'code', source: episode.program } };
  return { kind: 'none' };
}
