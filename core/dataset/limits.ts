// Size limits for what one episode stores. A runaway program or model can produce megabytes of
// failure text or trace; stored whole, a few such episodes make the dataset slow to browse and
// export. What is longer is cut, with a marker that says so, and the episode's `cut` column names
// the fields that were cut (exports leave such episodes out of training data).

/** Characters of text kept per field. */
export const TEXT_LIMITS = {
  instruction: 4_000,
  reason: 4_000,
  failure: 16_000,
  failureKind: 200,
  answer: 256_000,
  program: 256_000,
  format: 100,
  model: 1_000,
} as const;

/** Characters of JSON kept per field. */
export const JSON_LIMITS = {
  scene: 256_000,
  prompt: 512_000,
  trace: 1_000_000,
  sampling: 16_000,
} as const;

/** `text` cut to `limit` characters including a marker saying how much was kept. */
export function cutText(text: string, limit: number): { text: string; cut: boolean } {
  if (text.length <= limit) return { text, cut: false };
  const marker = (kept: number): string => `\n[cut by BLAZER Lab: kept ${kept} of ${text.length} characters]`;
  let kept = Math.max(0, limit - marker(limit).length);
  if (kept > 0 && isHighSurrogate(text.charCodeAt(kept - 1))) kept--; // never split a character in two
  return { text: text.slice(0, kept) + marker(kept), cut: true };
}

/**
 * `value` as JSON of at most `limit` characters. An array too long keeps its first items and ends
 * with a marker item; anything else too long becomes a marker object with the start of its JSON.
 */
export function boundJson(value: unknown, limit: number): { json: string | null; cut: boolean } {
  if (value === undefined) return { json: null, cut: false };
  const json = JSON.stringify(value) ?? null;
  if (json === null || json.length <= limit) return { json, cut: false };
  const room = limit - 200; // for the marker
  if (Array.isArray(value)) {
    const kept: string[] = [];
    let size = 2;
    for (const item of value) {
      const text = JSON.stringify(item) ?? 'null';
      if (size + text.length + 1 > room) break;
      kept.push(text);
      size += text.length + 1;
    }
    if (kept.length > 0) {
      const marker = JSON.stringify({
        cut: `BLAZER Lab kept ${kept.length} of ${value.length} items (${json.length} characters of JSON)`,
      });
      return { json: `[${[...kept, marker].join(',')}]`, cut: true };
    }
  }
  const preview = cutText(json, Math.min(Math.floor(room / 6), 4_000)).text; // escaping may grow it 6x
  return {
    json: JSON.stringify({ cut: `BLAZER Lab kept the first characters of ${json.length}`, preview }),
    cut: true,
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
