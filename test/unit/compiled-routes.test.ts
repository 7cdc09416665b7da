/**
 * The validators compiled from the zod schemas (lambdas/generated/routes.ts) must answer exactly
 * as zod does: the same success, the same output (keys, order, defaults, trimming) and the same
 * issues (code, path, message). zod is the oracle: every request part, response and frame schema
 * of the route table gets a few hundred generated inputs, valid and not, from a seeded generator.
 */
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { httpRoutes, wsRoutes, type HttpRoute, type WsRoute } from '#lambdas/routes.ts';
import * as compiled from '#lambdas/generated/routes.ts';
import type { Validator } from '#lambdas/shared/compiled.ts';
import {
  httpRouteName,
  renderCompiledRoutes,
  COMPILED_ROUTES_PATH,
  RouteCompiler,
  wsRouteName,
} from '#local/compile-routes.ts';
import * as zod from 'zod';
import { readFileSync } from 'node:fs';

type Def = { type: string; [key: string]: unknown };
type Schema = z.ZodType & { _zod: { def: Def } };

/** A small seeded generator (mulberry32), so a failure replays. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  ' ',
  'a',
  'Al',
  '  Alice  ',
  'Alice',
  'x'.repeat(50),
  'x'.repeat(51),
  'x'.repeat(64),
  'x'.repeat(65),
  '😀'.repeat(26),
  '😀'.repeat(1000),
  'line\nbreak\ttab',
  'bell\u0007',
  'rtl\u202Eoverride',
  '01JDZ8Q4V3N9W2K7T6R5M4P3X2',
  '01jdz8q4v3n9w2k7t6r5m4p3x2',
  '3f1c2b8e-9a4d-4c51-8f0e-2d6b7a9c1e55',
  'Alice@Example.COM',
  'not-an-email',
  'Str0ng!Passw0rd',
  'weakpassword',
  '2026-11-29T12:00:00.000Z',
  '2026-02-30T12:00:00Z',
  '"3"',
  'W/"3"',
  '*',
  '3',
  '20',
  ' 20 ',
  '0',
  '100',
  '101',
  '1e1',
  '-5',
  'abc',
  'ok',
  'Bearer',
  'REVIEW',
  'ADMIN',
  'joinRoom',
  'sendMessage',
  'init.js',
  // An e-mailed code: six digits, and one short.
  '123456',
  '12345',
];
const NUMBERS = [0, 1, -1, 1.5, 20, 60, 100, 101, 1_000_000, 1_000_001, 2 ** 53, -(2 ** 53), 1e200, 1e-200];
const JUNK = [undefined, null, true, false, 0, 7, 'text', [], ['a'], {}, { length: 3 }];

function generator(seed: number) {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const chance = (p: number) => next() < p;
  // Each input has its own level of noise: none (every pick as valid as the generator can make it) to a lot.
  let noise = 1;
  const wrong = (p: number) => chance(p * noise);

  const json = (depth: number): unknown => {
    if (depth > 3 || chance(0.5)) return pick([...STRINGS.slice(0, 8), ...NUMBERS, true, null]);
    if (chance(0.5)) return Array.from({ length: Math.floor(next() * 3) }, () => json(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(next() * 3) }, () => [pick(['a', 'b', '', 'color']), json(depth + 1)]),
    );
  };

  /** A value for `schema`: usually of the right kind, sometimes anything. */
  const value = (schema: Schema): unknown => {
    if (wrong(0.08)) return pick(JUNK);
    const def = schema._zod.def;
    switch (def.type) {
      case 'optional':
        return chance(0.3) ? undefined : value(def.innerType as Schema);
      case 'nullable':
        return chance(0.2) ? null : value(def.innerType as Schema);
      case 'default':
        return chance(0.3) ? undefined : value(def.innerType as Schema);
      case 'string': {
        const patterns = ((def.checks ?? []) as { _zod: { def: { pattern?: RegExp } } }[])
          .map((check) => check._zod.def.pattern)
          .concat((schema._zod.def as { pattern?: RegExp }).pattern ?? [])
          .filter((p): p is RegExp => p instanceof RegExp);
        const fitting = STRINGS.filter((s) => patterns.every((p) => ((p.lastIndex = 0), p.test(s))));
        return !wrong(0.3) && fitting.length ? pick(fitting) : pick(STRINGS);
      }
      case 'number':
        return def.coerce && chance(0.7) ? pick(STRINGS.slice(27)) : pick(NUMBERS);
      case 'boolean':
        return !wrong(0.1) ? chance(0.5) : pick(JUNK);
      case 'literal':
        return !wrong(0.2) ? pick(def.values as unknown[]) : pick(STRINGS);
      case 'enum':
        return !wrong(0.2) ? pick(Object.values(def.entries as object)) : pick(STRINGS);
      case 'array':
        return Array.from({ length: Math.floor(next() * 3) }, () => value(def.element as Schema));
      case 'record':
      case 'lazy':
        return wrong(0.1)
          ? { big: 'x'.repeat(17_000) }
          : Object.fromEntries(Array.from({ length: Math.floor(next() * 3) }, () => [pick(['a', '', 'b']), json(0)]));
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [key, field] of Object.entries(def.shape as Record<string, Schema>)) {
          if (wrong(0.1)) continue;
          out[key] = value(field);
        }
        if (wrong(0.15)) out[pick(['extra', 'constructor', 'toString'])] = 1;
        if (wrong(0.05))
          return JSON.parse(`{"__proto__": {"polluted": 1}, ${JSON.stringify(out).slice(1)}`.replace(', }', '}'));
        return out;
      }
      case 'unknown':
        return json(0);
      default:
        throw new Error(`No generator for ${def.type}`);
    }
  };
  return (schema: Schema) => {
    noise = pick([0, 0.3, 1, 2]);
    return value(schema);
  };
}

/** zod's answer, as the compiled validator gives it. */
function zodAnswer(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    issues: result.error.issues.map((issue) => ({
      code: issue.code,
      path: issue.path,
      message: issue.message,
      ...('keys' in issue ? { keys: issue.keys } : {}),
    })),
  };
}

function compiledAnswer(validate: Validator, input: unknown) {
  const result = validate(input);
  if (result.success) return result;
  return {
    success: false,
    issues: result.issues.map(({ continue: _continue, ...issue }) => issue),
  };
}

const cases: { name: string; schema: z.ZodType; validate: Validator }[] = [];
const routes = compiled as unknown as Record<
  string,
  { request?: Record<string, Validator>; responses?: Record<string, Validator>; frame?: Validator }
>;
for (const [key, route] of Object.entries(httpRoutes) as [string, HttpRoute][]) {
  const target = routes[httpRouteName(key)]!;
  for (const [part, schema] of Object.entries(route.request ?? {})) {
    cases.push({ name: `${key} ${part}`, schema, validate: target.request![part]! });
  }
  for (const [status, response] of Object.entries(route.responses)) {
    const validate = target.responses![status];
    if (response.schema && validate) cases.push({ name: `${key} ${status}`, schema: response.schema, validate });
  }
}
for (const [key, route] of Object.entries(wsRoutes) as [string, WsRoute][]) {
  if (route.frame)
    cases.push({ name: `${key} frame`, schema: route.frame, validate: routes[wsRouteName(key)]!.frame! });
}

describe('compiled route validators', () => {
  it('are generated from the current schemas', () => {
    expect(readFileSync(COMPILED_ROUTES_PATH, 'utf8'), 'run npm run compile-routes').toBe(renderCompiledRoutes());
  });

  it.each(cases)('$name answers as zod does', ({ schema, validate }) => {
    const generate = generator(cases.findIndex((c) => c.validate === validate) + 1);
    let valid = 0;
    for (let i = 0; i < 400; i++) {
      const input = generate(schema as Schema);
      const expected = zodAnswer(schema, input);
      const actual = compiledAnswer(validate, input);
      expect(actual, JSON.stringify(input)?.slice(0, 300)).toStrictEqual(expected);
      expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
      if (expected.success) valid++;
    }
    // Both sides of each schema were exercised.
    expect(valid).toBeGreaterThan(0);
    expect(valid).toBeLessThan(400);
  });

  it('refuses, at build time, what it cannot compile exactly, saying what to do instead', () => {
    const compile = (schema: zod.ZodType) => new RouteCompiler().parse(schema as never);
    expect(() => compile(zod.string().refine((text) => text !== 'x'))).toThrow(/named checks/);
    expect(() => compile(zod.string().transform((text) => text.length))).toThrow(/does not compile/);
    expect(() =>
      compile(
        zod
          .string()
          .regex(/x/)
          .overwrite((text) => text.repeat(2)),
      ),
    ).toThrow(/trim and toLowerCase/);
    expect(() => compile(zod.union([zod.string(), zod.number()]))).toThrow(/does not compile/);
    expect(compile(zod.strictObject({ name: zod.string().trim().min(1) }))).toMatch(/^s\d+$/);
  });

  it("says which rule a value breaks, not its schema's message for every check", () => {
    const register = compiled.POST_auth_register.request.body!;
    const longEmail = `${'a'.repeat(250)}@example.com`;
    const result = register({ name: 'Alice', email: longEmail, password: 'Str0ng!Passw0rd' });
    expect(result.success ? [] : result.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['email', 'Must be at most 254 characters'],
    ]);
    const order = compiled.POST_orders.request.body!;
    const zero = order({ description: 'x', specifications: {}, quantity: 0 });
    const half = order({ description: 'x', specifications: {}, quantity: 1.5 });
    expect(zero.success ? '' : zero.issues[0]!.message).toBe('Too small: expected number to be >=1');
    expect(half.success ? '' : half.issues[0]!.message).toBe('Must be a whole number');
  });
});
