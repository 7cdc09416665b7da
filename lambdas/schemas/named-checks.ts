/**
 * A check of checks.ts as a zod check, remembered by name so the validator compiler
 * (local/compile-routes.ts) can call the same function from generated code: a closure
 * can't be copied into a file, a name and its arguments can.
 */
import * as z from 'zod';
import * as checks from './checks.ts';

export type CheckName = keyof typeof checks;
type ArgumentsAfterValue<F> = F extends (value: never, ...rest: infer R) => unknown ? R : never;

export const NAMED_CHECKS = new WeakMap<object, { name: CheckName; args: readonly unknown[] }>();

export function namedCheck<N extends CheckName>(name: N, ...args: ArgumentsAfterValue<(typeof checks)[N]>) {
  const run = checks[name] as (value: unknown, ...rest: unknown[]) => string | undefined;
  const check = z.superRefine((value, context) => {
    const problem = run(value, ...args);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });
  NAMED_CHECKS.set(check, { name, args });
  return check;
}
