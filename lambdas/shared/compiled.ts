/**
 * What the validators compiled from the zod schemas (lambdas/generated/routes.ts, written by
 * local/compile-routes.ts) need at run time: the issue they report, and the few checks that
 * depend on the input. A function bundle carries these instead of zod itself.
 */
import type { Access, HttpRouteKey, WsRouteKey } from '../routes.ts';
import type { LimitKind } from '../limits/policy.ts';

/** One thing wrong with an input, as zod reports it (the same codes, paths and messages). */
export interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  /** Unrecognized keys, for `unrecognized_keys`. */
  keys?: string[];
  /** false when the issue stops the checks after it (a wrong type), as in zod. */
  continue?: boolean;
}

export type Validation<T = unknown> = { success: true; data: T } | { success: false; issues: Issue[] };
export type Validator<T = unknown> = (input: unknown) => Validation<T>;

/** A schema's compiled parse: pushes what is wrong to `issues` (paths relative to `input`) and returns the output. */
export type Parse = (input: unknown, issues: Issue[]) => unknown;

export function validator(parse: Parse): Validator {
  return (input) => {
    const issues: Issue[] = [];
    const data = parse(input, issues);
    return issues.length ? { success: false, issues } : { success: true, data };
  };
}

/** Whether an issue since `start` stops later checks (zod's `aborted`). */
export function aborted(issues: readonly Issue[], start: number): boolean {
  for (let i = start; i < issues.length; i++) if (issues[i]!.continue !== true) return true;
  return false;
}

/** Issues of a child, moved under `key`. */
export function prefixed(issues: Issue[], key: PropertyKey, into: Issue[]): void {
  for (const issue of issues) {
    issue.path.unshift(key);
    into.push(issue);
  }
}

function parsedType(value: unknown): string {
  const type = typeof value;
  if (type === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value);
  if (type !== 'object') return type;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const constructor = (value as { constructor?: { name?: string } }).constructor;
  if (Object.getPrototypeOf(value) !== Object.prototype && constructor) return String(constructor.name);
  return 'object';
}

/** zod's message for a value of the wrong type. */
export const wrongType = (expected: string, input: unknown): string =>
  `Invalid input: expected ${expected}, received ${parsedType(input)}`;

/** zod's "lengthable" origin of a length check's input. */
export const lengthOrigin = (input: unknown): 'array' | 'string' | 'unknown' =>
  Array.isArray(input) ? 'array' : typeof input === 'string' ? 'string' : 'unknown';

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** A string's length in code points, as zod measures it. */
export function codePointLength(text: string): number {
  if (!HIGH_SURROGATE.test(text)) return text.length;
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if ((text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/** A length as zod's length checks take it: code points for strings, `.length` for anything else. */
export const lengthOf = (input: { length: number }): number =>
  typeof input === 'string' ? codePointLength(input) : input.length;

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function isPlainObject(value: unknown): value is Record<PropertyKey, unknown> {
  if (!isObject(value)) return false;
  const constructor = value.constructor;
  if (constructor === undefined || typeof constructor !== 'function') return true;
  const prototype: unknown = constructor.prototype;
  return isObject(prototype) && Object.prototype.hasOwnProperty.call(prototype, 'isPrototypeOf');
}

/** zod's `z.json()`: strings, finite numbers, booleans, null, arrays and plain objects of them. */
export function isJsonValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isJsonValue);
      return isPlainObject(value) && Object.values(value).every(isJsonValue);
    default:
      return false;
  }
}

/** A route as its function needs it at run time: who may call, its limit, and its compiled schemas. */
export interface CompiledHttpRoute<K extends HttpRouteKey = HttpRouteKey> {
  key: K;
  access: Access;
  rateLimit?: LimitKind;
  request: { body?: Validator; query?: Validator; params?: Validator; headers?: Validator };
  /** Each success status's body schema (answers are shaped through it). */
  responses: Partial<Record<number, Validator>>;
}

export interface CompiledWsRoute<K extends WsRouteKey = WsRouteKey> {
  key: K;
  access: Access;
  rateLimit?: LimitKind;
  /** Answered by a route response (see `twoWay` in lambdas/routes.ts). */
  twoWay?: true;
  frame?: Validator;
}

const NONOPTIONAL = 'Invalid input: expected nonoptional, received undefined';

/** An object field: its key, its parse, whether it may be absent ('optional') or takes a default, whether its output may be undefined. */
export type Field = readonly [key: string, parse: Parse, optin: 'optional' | 'defaulted' | null, optional: boolean];

/** zod's object parse: fields in order, then keys it doesn't know refused ('strict'), dropped ('strip') or kept ('loose'). */
export function parseObject(
  input: unknown,
  issues: Issue[],
  fields: readonly Field[],
  unknownKeys: 'strict' | 'strip' | 'loose',
  wrongTypeMessage: string | null,
): unknown {
  if (!isObject(input)) {
    issues.push({ code: 'invalid_type', path: [], message: wrongTypeMessage ?? wrongType('object', input) });
    return input;
  }
  const out: Record<string, unknown> = {};
  for (const [key, parse, optin, optional] of fields) {
    const present = key in input;
    // zod's handlePropertyResult.
    if (!present && optional && optin === 'optional') continue;
    const inner: Issue[] = [];
    const value = parse(input[key], inner);
    if (inner.length) {
      if (optin !== null && optional && !present) continue;
      prefixed(inner, key, issues);
    }
    if (!present && optin === null) {
      if (!inner.length) issues.push({ code: 'invalid_type', path: [key], message: NONOPTIONAL });
      continue;
    }
    if (value !== undefined) out[key] = value;
    else if (present || (optin === 'defaulted' && !optional)) out[key] = undefined;
  }
  if (unknownKeys === 'strip') return out;
  const unknown: string[] = [];
  for (const key in input) {
    if (fields.some(([known]) => known === key)) continue;
    if (unknownKeys === 'strict') unknown.push(key);
    else if (key !== '__proto__') out[key] = input[key];
  }
  if (unknown.length) {
    const message = `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((key) => `"${key}"`).join(', ')}`;
    issues.push({ code: 'unrecognized_keys', path: [], message, keys: unknown, continue: true });
  }
  return out;
}

export function parseArray(input: unknown, issues: Issue[], element: Parse, wrongTypeMessage: string | null): unknown {
  if (!Array.isArray(input)) {
    issues.push({ code: 'invalid_type', path: [], message: wrongTypeMessage ?? wrongType('array', input) });
    return input;
  }
  const out = new Array<unknown>(input.length);
  for (let i = 0; i < input.length; i++) {
    const inner: Issue[] = [];
    out[i] = element(input[i], inner);
    if (inner.length) prefixed(inner, i, issues);
  }
  return out;
}

/** zod's record keyed by z.string(): own enumerable keys, symbols refused, `__proto__` skipped. */
export function parseRecord(input: unknown, issues: Issue[], value: Parse, wrongTypeMessage: string | null): unknown {
  if (!isPlainObject(input)) {
    issues.push({ code: 'invalid_type', path: [], message: wrongTypeMessage ?? wrongType('record', input) });
    return input;
  }
  const out: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(input)) {
    if (key === '__proto__' || !Object.prototype.propertyIsEnumerable.call(input, key)) continue;
    if (typeof key !== 'string') {
      issues.push({ code: 'invalid_key', path: [key], message: 'Invalid key in record' });
      continue;
    }
    const inner: Issue[] = [];
    out[key] = value(input[key], inner);
    if (inner.length) prefixed(inner, key, issues);
  }
  return out;
}
