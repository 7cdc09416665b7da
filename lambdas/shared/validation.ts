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
