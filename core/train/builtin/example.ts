// One training example as token ids: the prompt exactly as the app feeds it to the model, then the
// answer and the end-of-turn token. The loss is on the answer and the end token only.

export interface TokenizedExample {
  /** prompt + answer + end-of-turn token. */
  tokens: Int32Array;
  /** How many of the tokens are prompt (no loss on them). */
  promptLength: number;
}

/** Tokens the model reads: all but the last (nothing is predicted after the end token). */
export function inputLength(example: TokenizedExample): number {
  return example.tokens.length - 1;
}

/** Positions whose next-token prediction is trained: the last prompt token up to the last answer token. */
export function lossPositions(example: TokenizedExample): Int32Array {
  const first = example.promptLength - 1;
  const count = example.tokens.length - example.promptLength;
  return Int32Array.from({ length: count }, (_, i) => first + i);
}

/** The token each loss position should predict. */
export function lossTargets(example: TokenizedExample): Int32Array {
  return example.tokens.slice(example.promptLength);
}

/** The number of tokens the loss is averaged over. */
export function lossTokenCount(example: TokenizedExample): number {
  return example.tokens.length - example.promptLength;
}
