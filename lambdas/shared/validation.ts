import type { Issue, Validator } from './compiled.ts';
import { ValidationError, type FieldError } from './errors.ts';

function describe(issue: Issue, location: string): FieldError[] {
  const base = [location, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return issue.keys.map((key) => ({ path: `${base}.${key}`, message: 'Unknown field' }));
  }
  return [{ path: base, message: issue.message }];
}

/** Validate `input` with a route's compiled schema; a failure becomes a 400 listing every field at fault. */
export function parseWith(validate: Validator, input: unknown, location: string): unknown {
  const result = validate(input);
  if (result.success) return result.data;
  const errors = result.issues.flatMap((issue) => describe(issue, location));
  const first = errors[0];
  const detail = first ? `${first.path}: ${first.message}` : 'Invalid input';
  throw new ValidationError(errors.length > 1 ? `${detail} (and ${errors.length - 1} more)` : detail, errors);
}

/** Deeper than any request of this API (order JSON may nest 16 levels inside its envelope). */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses a parsed JSON value nested deeper than `maxDepth`. JSON.parse itself copes with
 * any depth, but a few kilobytes of brackets would overflow the stack of every recursive
 * step after it (validation, marshalling). Iterative, so it can't overflow itself.
 */
export function assertJsonDepth(value: unknown, location: string, maxDepth = MAX_JSON_DEPTH): void {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > maxDepth) {
      throw new ValidationError(`JSON nested deeper than ${maxDepth} levels.`, [
        { path: location, message: `Nested deeper than ${maxDepth} levels` },
      ]);
    }
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
}

/** JSON.parse with the depth limit above (WebSocket frames; HTTP bodies go through middy's parser). */
export function parseJson(text: string, location: string): unknown {
  const value: unknown = JSON.parse(text);
  assertJsonDepth(value, location);
  return value;
}
