import type { z } from 'zod';
import { ValidationError, type FieldError } from './errors.ts';

function describe(issue: z.core.$ZodIssue, location: string): FieldError[] {
  const base = [location, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: `${base}.${key}`, message: 'Unknown field' }));
  }
  return [{ path: base, message: issue.message }];
}

/** Validate `input` against `schema`; a failure becomes a 400 listing every field at fault. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, location: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => describe(issue, location));
  const first = errors[0];
  const detail = first ? `${first.path}: ${first.message}` : 'Invalid input';
  throw new ValidationError(errors.length > 1 ? `${detail} (and ${errors.length - 1} more)` : detail, errors);
}

/** Deeper than any request of this API (order JSON may nest 16 levels inside its envelope). */
export const MAX_JSON_DEPTH = 32;

/**
 * JSON.parse, refusing text nested deeper than `maxDepth` before parsing it: a few
 * kilobytes of brackets would otherwise overflow the stack of every recursive step
 * after it (validation, marshalling). One linear pass, strings skipped.
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth)
        throw new ValidationError(`JSON nested deeper than ${maxDepth} levels.`, [
          { path: 'body', message: `Nested deeper than ${maxDepth} levels` },
        ]);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return JSON.parse(text) as unknown;
}
