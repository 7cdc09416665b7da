/**
 * The request rules zod can't say by itself, as plain functions: the schemas run them through
 * `namedCheck` (named-checks.ts), and the validators compiled from the schemas (lambdas/generated)
 * call the very same functions, without zod. Each returns what is wrong, or undefined.
 */

// C0 controls but tab and newline, DEL, and the bidi embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069), which can make text read differently from what it says.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_LINE = /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

/** Free text (messages, summaries, descriptions) may hold newlines and tabs; a line (names) holds no control at all. */
export function controlCharacterProblem(text: string, kind: 'text' | 'line'): string | undefined {
  return (kind === 'text' ? CONTROL_IN_TEXT : CONTROL_IN_LINE).test(text)
    ? 'Must not contain control or bidirectional override characters'
    : undefined;
}

const MAX_JSON_BYTES = 16 * 1024;
// DynamoDB nests at most 32 levels; keep well inside that.
const MAX_JSON_DEPTH = 16;

/** DynamoDB stores numbers of magnitude 1e-130 up to (not including) 1e126, and 0. */
const storableNumber = (n: number) => n === 0 || (Math.abs(n) >= 1e-130 && Math.abs(n) < 1e126);

function storableProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `Must nest at most ${MAX_JSON_DEPTH} levels`;
  if (typeof value === 'number' && !storableNumber(value)) {
    return 'Numbers must be 0 or between 1e-130 and 1e126 in magnitude';
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = storableProblem(item, depth + 1);
      if (problem) return problem;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '') return 'Keys must not be empty';
      const problem = storableProblem(item, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** A JSON object of at most 16 KB serialized, storable as a DynamoDB map. */
export function storableJsonProblem(value: Record<string, unknown>, what: string): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_JSON_BYTES) return `${what} must be at most 16 KB as JSON (is ${bytes} bytes)`;
  return storableProblem(value, 1);
}

/** A change must change something. */
export function emptyChangeProblem(value: object): string | undefined {
  return Object.keys(value).length > 0 ? undefined : 'Send at least one field to change';
}
