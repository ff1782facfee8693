// Events the core sends to the shells while a call runs: the UI's progress bars read these, the
// CLI draws its progress line from the same data.
import type { GenerationProgress } from '../core/generate/generate.ts';

export type ApiEvent =
  | { type: 'generation.progress'; db: string; progress: GenerationProgress }
  /** A model's answer as it is generated (attempts, test prompts). */
  | { type: 'model.text'; text: string };
