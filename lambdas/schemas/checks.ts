/**
 * The request rules zod can't say by itself, as plain functions: the schemas run them through
 * `namedCheck` (named-checks.ts), and the validators compiled from the schemas (lambdas/generated)
 * call the very same functions, without zod. Each returns what is wrong, or undefined.
 */

/*
 * Characters that are invisible or change the layout of the text around them: controls (Cc),
 * formatting characters (Cf: zero-width spaces and joiners, bidi embeddings, overrides and isolates,
 * the BOM, soft hyphens, the tag block), line and paragraph separators (Zl, Zp) and lone surrogates
 * (Cs, not text at all). Free text keeps newline and tab; a zero-width joiner is kept inside an emoji
 * sequence (👩‍💻), where it joins two pictographs and nothing else.
 */
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\u{FE0F}?)\u200D(?=\p{Extended_Pictographic})/gu;
const INVISIBLE_IN_TEXT = /[^\P{Cc}\n\t]|[\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const INVISIBLE_IN_LINE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Free text (messages, summaries, descriptions) may hold newlines and tabs; a line (names) holds no control at all. */
export function controlCharacterProblem(text: string, kind: 'text' | 'line'): string | undefined {
  const visible = text.includes('\u200D') ? text.replace(EMOJI_JOINER, '') : text;
  return (kind === 'text' ? INVISIBLE_IN_TEXT : INVISIBLE_IN_LINE).test(visible)
    ? 'Must not contain control, invisible or bidirectional formatting characters'
    : undefined;
}

/*
 * Words that name a role. The chat shows each author's role beside their name; a name that says
 * "admin" would let a customer pass for staff, so names set through the API can't hold one (after
 * folding width, accents and the Cyrillic and Greek letters that look Latin).
 */
const ROLE_WORDS = /(?:^|[^a-z])(?:admin|administrator|moderator|staff|support|system)(?:$|[^a-z])/;
const LATIN_LOOKALIKES: Record<string, string> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ԁ: 'd',
  ѕ: 's',
  ո: 'n',
  м: 'm',
  т: 't',
  α: 'a',
  ο: 'o',
  ι: 'i',
  ν: 'v',
  τ: 't',
  ı: 'i',
  ɑ: 'a',
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
};
const foldForRoleWords = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/./gu, (c) => LATIN_LOOKALIKES[c] ?? c);

export function roleWordProblem(name: string): string | undefined {
  return ROLE_WORDS.test(foldForRoleWords(name))
    ? 'Must not contain a role word (admin, administrator, moderator, staff, support, system)'
    : undefined;
}

const MAX_JSON_BYTES = 16 * 1024;
// DynamoDB nests at most 32 levels; keep well inside that.
const MAX_JSON_DEPTH = 16;

/**
 * What DynamoDB stores and gives back as the same JavaScript number: DynamoDB holds 0 and magnitudes
 * from 1e-130, and the SDK refuses to write a number beyond Number.MAX_SAFE_INTEGER (it could not be
 * read back exactly), so anything past 2^53 − 1 is refused here, before any write.
 */
const storableNumber = (n: number) => n === 0 || (Math.abs(n) >= 1e-130 && Math.abs(n) <= Number.MAX_SAFE_INTEGER);

function storableProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `Must nest at most ${MAX_JSON_DEPTH} levels`;
  if (typeof value === 'number' && !storableNumber(value)) {
    return 'Numbers must be 0 or between 1e-130 and 9007199254740991 (2^53 − 1) in magnitude';
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
