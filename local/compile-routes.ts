/**
 * `npm run docs` (and `npm run compile-routes`): compiles the route table's zod schemas into plain
 * functions, written to lambdas/generated/routes.ts. A function's bundle then carries its own
 * route's validators — a few hundred bytes — instead of zod and every schema of the API (~110 KB,
 * a fifth of a bundle, and most of its import time). The schemas stay the one source of truth:
 * the contracts and the client's types come from them, the compiled code answers exactly as zod
 * would (same output, issue paths and messages; test/unit/compiled-routes.test.ts compares them on
 * every schema), and `--check` fails when the file is stale.
 *
 * Only what the schemas use compiles; anything else is refused here, at build time. Rules zod
 * can't state are named checks (lambdas/schemas/checks.ts), called by name from generated code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import * as z from 'zod';
import { httpRoutes, wsRoutes, type HttpRoute, type WsRoute } from '#lambdas/routes.ts';
import { NAMED_CHECKS } from '#lambdas/schemas/named-checks.ts';

export const COMPILED_ROUTES_PATH = resolve(import.meta.dirname, '..', 'lambdas', 'generated', 'routes.ts');

// zod's internals, as far as the compiler reads them.
interface Def {
  type: string;
  checks?: Check[];
  error?: (issue: unknown) => unknown;
  [key: string]: unknown;
}
interface Check {
  _zod: { def: Def & { check?: string }; traits: Set<string> };
}
interface Internals {
  def: Def;
  traits: Set<string>;
  optin?: 'optional' | 'defaulted';
  optout?: 'optional';
  innerType?: Schema;
}
type Schema = z.ZodType & { _zod: Internals };

const localeError = (issue: Record<string, unknown>): string =>
  (z.config().localeError as (issue: unknown) => string)(issue);

const unwrap = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : (value as { message?: string } | undefined)?.message;

const js = (value: unknown): string => JSON.stringify(value);

export class RouteCompiler {
  private readonly names = new Map<Schema, string>();
  private readonly bodies = new Map<string, string>();
  private readonly functions: string[] = [];
  private readonly constants = new Map<string, string>();
  readonly runtime = new Set<string>();
  readonly checks = new Set<string>();

  private use(name: string): string {
    this.runtime.add(name);
    return name;
  }

  private constant(source: string): string {
    let name = this.constants.get(source);
    if (!name) {
      name = `c${this.constants.size}`;
      this.constants.set(source, name);
    }
    return name;
  }

  /**
   * A check's message as zod resolves it: the check's own error, the owning schema's, then the
   * locale. Messages here may not depend on the input (none of ours does).
   */
  private message(issue: Record<string, unknown>, check: { _zod: { def: Def } } | undefined, owner: Schema): string {
    return unwrap(check?._zod.def.error?.(issue)) ?? unwrap(owner._zod.def.error?.(issue)) ?? localeError(issue);
  }

  /** A wrong type's own message (the check's, then the owning schema's), if the schema gives one. */
  private customWrongType(expected: string, owner: Schema, check?: Check): string | undefined {
    const issue = { code: 'invalid_type', expected };
    return unwrap(check?._zod.def.error?.(issue)) ?? unwrap(owner._zod.def.error?.(issue));
  }

  /** `message` for a wrong type: the locale's names the input's own type, so it is built at run time. */
  private wrongType(expected: string, owner: Schema, check?: Check): string {
    const custom = this.customWrongType(expected, owner, check);
    return custom === undefined ? `${this.use('wrongType')}(${js(expected)}, v)` : js(custom);
  }

  /** A custom message for a wrong type, or null for zod's own (the container helpers build it at run time). */
  private wrongTypeOrNull(owner: Schema, expected: string): string {
    return js(this.customWrongType(expected, owner) ?? null);
  }

  private issue(code: string, message: string, extra = ''): string {
    return `iss.push({ code: ${js(code)}, path: [], message: ${message}${extra} });`;
  }

  /** The name of `schema`'s compiled parse, compiled on first use. */
  parse(schema: Schema): string {
    const known = this.names.get(schema);
    if (known) return known;
    // Equal schemas declared apart (every `z.string()`) share one function.
    const body = this.body(schema);
    let name = this.bodies.get(body);
    if (!name) {
      name = `s${this.bodies.size}`;
      this.bodies.set(body, name);
      this.functions.push(`function ${name}(v: any, iss: Issue[]): any {\n${body}\n}`);
    }
    this.names.set(schema, name);
    return name;
  }

  private body(schema: Schema): string {
    const def = schema._zod.def;
    switch (def.type) {
      case 'optional': {
        const inner = def.innerType as Schema;
        if (inner._zod.optin === 'defaulted') throw new Error('optional() around a default() does not compile');
        return `  return v === undefined ? undefined : ${this.parse(inner)}(v, iss);`;
      }
      case 'nullable':
        return `  return v === null ? null : ${this.parse(def.innerType as Schema)}(v, iss);`;
      case 'default': {
        const fallback = js(def.defaultValue);
        return `  if (v === undefined) return ${fallback};\n  const out = ${this.parse(def.innerType as Schema)}(v, iss);\n  return out === undefined ? ${fallback} : out;`;
      }
      case 'lazy':
        if (this.isJson(schema)) {
          return `  if (!${this.use('isJsonValue')}(v)) ${this.issue('invalid_union', js('Invalid input'))}\n  return v;`;
        }
        throw new Error('Only z.json() compiles among lazy schemas');
      case 'unknown':
        return '  return v;';
      default:
        return this.withChecks(schema, this.typeCheck(schema));
    }
  }

  private isJson(schema: Schema): boolean {
    const inner = (schema._zod.def.getter as () => Schema)();
    const options = (inner._zod.def.options as Schema[] | undefined)?.map((option) => option._zod.def.type);
    return inner._zod.def.type === 'union' && options?.join() === 'string,number,boolean,null,array,record';
  }

  /** The type's own parse: refuses the wrong type, and builds the output of containers. */
  private typeCheck(schema: Schema): string {
    const def = schema._zod.def;
    const invalid = (expected: string, test: string) =>
      `  if (${test}) ${this.issue('invalid_type', this.wrongType(expected, schema))}`;
    switch (def.type) {
      case 'string':
        if (def.coerce) throw new Error('z.coerce.string() does not compile');
        return invalid('string', "typeof v !== 'string'");
      case 'boolean':
        return invalid('boolean', "typeof v !== 'boolean'");
      case 'number':
        return [
          def.coerce ? '  try { v = Number(v); } catch {}' : '',
          invalid('number', "typeof v !== 'number' || !Number.isFinite(v)"),
        ]
          .filter(Boolean)
          .join('\n');
      case 'literal':
      case 'enum': {
        const values = def.type === 'literal' ? (def.values as unknown[]) : Object.values(def.entries as object);
        const message = js(this.message({ code: 'invalid_value', values }, undefined, schema));
        return `  if (!${this.constant(`new Set(${js(values)})`)}.has(v)) ${this.issue('invalid_value', message)}`;
      }
      case 'array':
        return `  v = ${this.use('parseArray')}(v, iss, ${this.parse(def.element as Schema)}, ${this.wrongTypeOrNull(schema, 'array')});`;
      case 'record': {
        const keyType = def.keyType as Schema;
        if (keyType._zod.def.type !== 'string' || keyType._zod.def.checks?.length) {
          throw new Error('Only records keyed by z.string() compile');
        }
        return `  v = ${this.use('parseRecord')}(v, iss, ${this.parse(def.valueType as Schema)}, ${this.wrongTypeOrNull(schema, 'record')});`;
      }
      case 'object':
        return this.object(schema);
      default:
        throw new Error(`z.${def.type}() does not compile`);
    }
  }

  private object(schema: Schema): string {
    const def = schema._zod.def;
    const shape = def.shape as Record<string, Schema>;
    const catchall = (def.catchall as Schema | undefined)?._zod.def.type;
    if (catchall !== undefined && catchall !== 'never' && catchall !== 'unknown') {
      throw new Error(`An object with a ${catchall} catchall does not compile`);
    }
    // Each field: its key, parse, whether it may be absent or takes a default, whether its output may be undefined.
    const fields = Object.entries(shape)
      .filter(([key]) => key !== '__proto__')
      .map(
        ([key, field]) =>
          `[${js(key)}, ${this.parse(field)}, ${js(field._zod.optin ?? null)}, ${field._zod.optout === 'optional'}]`,
      );
    const unknownKeys = catchall === 'never' ? 'strict' : catchall === 'unknown' ? 'loose' : 'strip';
    const table = this.constant(`[${fields.join(', ')}] as const`);
    return `  v = ${this.use('parseObject')}(v, iss, ${table}, ${js(unknownKeys)}, ${this.wrongTypeOrNull(schema, 'object')});`;
  }

  /** The schema's checks (itself first when it is one, as zod runs them), after its type check. */
  private withChecks(schema: Schema, typeCheck: string): string {
    const checks = [
      ...(schema._zod.traits.has('$ZodCheck') ? [schema as unknown as Check] : []),
      ...(schema._zod.def.checks ?? []),
    ];
    // A container without checks is its parse: return it.
    if (!checks.length && /^ {2}v = [^\n]*;$/.test(typeCheck)) return typeCheck.replace('  v = ', '  return ');
    const lines = [checks.length ? '  const start = iss.length;' : '', typeCheck];
    const live = () => `!${this.use('aborted')}(iss, start)`;
    for (const check of checks) {
      const def = check._zod.def;
      const kind = def.check;
      if (def.when && kind !== 'min_length' && kind !== 'max_length')
        throw new Error('A check with `when` does not compile');
      switch (kind) {
        case 'min_length':
        case 'max_length': {
          const min = kind === 'min_length';
          const bound = (min ? def.minimum : def.maximum) as number;
          const code = min ? 'too_small' : 'too_big';
          const issue = (origin: string) => ({
            code,
            origin,
            [min ? 'minimum' : 'maximum']: bound,
            inclusive: true,
          });
          const messages = ['array', 'string', 'unknown'].map((origin) =>
            js(this.message(issue(origin), check, schema)),
          );
          const message = messages.every((m) => m === messages[0])
            ? messages[0]!
            : `${this.constant(`{ array: ${messages[0]}, string: ${messages[1]}, unknown: ${messages[2]} }`)}[${this.use('lengthOrigin')}(v)]`;
          // zod's default `when` for length checks: any value with a length, even after a wrong type.
          lines.push(
            `  if (v != null && v.length !== undefined && ${this.use('lengthOf')}(v) ${min ? '<' : '>'} ${bound}) ${this.issue(code, message, ', continue: true')}`,
          );
          break;
        }
        case 'greater_than':
        case 'less_than': {
          const min = kind === 'greater_than';
          const inclusive = def.inclusive as boolean;
          const value = def.value as number;
          if (typeof value !== 'number') throw new Error('Only numeric bounds compile');
          const issue = {
            code: min ? 'too_small' : 'too_big',
            origin: 'number',
            [min ? 'minimum' : 'maximum']: value,
            inclusive,
          };
          const test = `v ${min ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${value}`;
          lines.push(
            `  if (${live()} && !(${test})) ${this.issue(issue.code, js(this.message(issue, check, schema)), ', continue: true')}`,
          );
          break;
        }
        case 'number_format': {
          if (def.format !== 'safeint') throw new Error(`The number format ${String(def.format)} does not compile`);
          const big = { code: 'too_big', origin: 'int', maximum: Number.MAX_SAFE_INTEGER, inclusive: true };
          const small = { code: 'too_small', origin: 'int', minimum: Number.MIN_SAFE_INTEGER, inclusive: true };
          lines.push(
            `  if (${live()}) {`,
            `    if (!Number.isInteger(v)) ${this.issue('invalid_type', this.wrongType('int', schema, check))}`,
            `    else if (!Number.isSafeInteger(v)) {`,
            `      if (v > 0) ${this.issue('too_big', js(this.message(big, check, schema)), ', continue: true')}`,
            `      else ${this.issue('too_small', js(this.message(small, check, schema)), ', continue: true')}`,
            '    }',
            '  }',
          );
          break;
        }
        case 'string_format': {
          const pattern = def.pattern as RegExp | undefined;
          if (!pattern) throw new Error(`The string format ${String(def.format)} does not compile`);
          const issue = { code: 'invalid_format', origin: 'string', format: def.format, pattern: pattern.toString() };
          const regex = this.constant(pattern.toString());
          lines.push(
            `  if (${live()}) { ${regex}.lastIndex = 0; if (!${regex}.test(v)) ${this.issue('invalid_format', js(this.message(issue, check, schema)), ', continue: true')} }`,
          );
          break;
        }
        case 'overwrite': {
          const source = String(def.tx);
          const method = { '(input) => input.trim()': 'trim', '(input) => input.toLowerCase()': 'toLowerCase' }[source];
          if (!method) throw new Error(`The overwrite ${source} does not compile (only trim and toLowerCase)`);
          lines.push(`  if (${live()}) v = v.${method}();`);
          break;
        }
        case 'custom': {
          const named = NAMED_CHECKS.get(check);
          if (!named) throw new Error('Only named checks compile (lambdas/schemas/named-checks.ts), not refine()');
          this.checks.add(named.name);
          const args = [...named.args].map(js).join(', ');
          lines.push(
            `  if (${live()}) { const problem = ${named.name}(v${args ? `, ${args}` : ''}); if (problem !== undefined) ${this.issue('custom', 'problem', ', continue: true')} }`,
          );
          break;
        }
        default:
          throw new Error(`The ${String(kind)} check does not compile`);
      }
    }
    lines.push('  return v;');
    return lines.filter(Boolean).join('\n');
  }

  source(): string {
    return [...[...this.constants].map(([source, name]) => `const ${name} = ${source};`), '', ...this.functions].join(
      '\n',
    );
  }
}

/** `GET /orders/{id}` → `GET_orders_id`; `$connect` → `ws_connect`. */
export const httpRouteName = (key: string): string => key.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, '');
export const wsRouteName = (key: string): string => `ws_${key.replace(/^\$/, '')}`;

const isJsonAnswer = (contentType: string | readonly string[] | undefined) => contentType === undefined;

export function renderCompiledRoutes(): string {
  const compiler = new RouteCompiler();
  const routes: string[] = [];
  const validator = (schema: z.ZodType) => `/* @__PURE__ */ validator(${compiler.parse(schema as Schema)})`;
  const fields = (entries: [string, string | undefined][]) =>
    entries
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => `${key}: ${value}`)
      .join(', ');

  /** One route's constant: its key, access and limit, then what its kind compiles. */
  const declare = (
    key: string,
    name: string,
    type: string,
    route: HttpRoute | WsRoute,
    compiled: [string, string | undefined][],
  ) =>
    routes.push(
      `/** ${key} */`,
      `export const ${name}: ${type}<${js(key)}> = {`,
      `  ${fields([['key', js(key)], ['access', js(route.access)], ['rateLimit', route.rateLimit && js(route.rateLimit)], ...compiled])},`,
      '};',
    );
  for (const [key, route] of Object.entries(httpRoutes) as [string, HttpRoute][]) {
    const request = route.request ?? {};
    const parts = (['body', 'query', 'params', 'headers'] as const).map((part): [string, string | undefined] => [
      part,
      request[part] && validator(request[part]),
    ]);
    const responses = Object.entries(route.responses).map(([status, response]): [string, string | undefined] => [
      status,
      response.schema && isJsonAnswer(response.contentType) ? validator(response.schema) : undefined,
    ]);
    declare(key, httpRouteName(key), 'CompiledHttpRoute', route, [
      ['request', `{ ${fields(parts)} }`],
      ['responses', `{ ${fields(responses)} }`],
    ]);
  }
  for (const [key, route] of Object.entries(wsRoutes) as [string, WsRoute][]) {
    declare(key, wsRouteName(key), 'CompiledWsRoute', route, [
      ['twoWay', route.twoWay ? 'true' : undefined],
      ['frame', route.frame && validator(route.frame)],
    ]);
  }
  const actions = Object.keys(wsRoutes).filter((key) => !key.startsWith('$'));
  const runtime = ['validator', ...[...compiler.runtime].sort()];
  const here = relative(resolve(import.meta.dirname, '..'), import.meta.filename);
  return [
    `// Generated by \`npm run compile-routes\` (${here}) from lambdas/routes.ts and its zod schemas. Do not edit.`,
    '/* eslint-disable */',
    `import { ${runtime.join(', ')}, type CompiledHttpRoute, type CompiledWsRoute, type Issue } from '../shared/compiled.ts';`,
    compiler.checks.size ? `import { ${[...compiler.checks].sort().join(', ')} } from '../schemas/checks.ts';` : '',
    '',
    compiler.source(),
    '',
    ...routes,
    '',
    '/** The actions a frame may name. */',
    `export const WS_ACTIONS = ${js(actions)} as const;`,
    '',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const text = renderCompiledRoutes();
  if (process.argv.includes('--check')) {
    if (readFileSync(COMPILED_ROUTES_PATH, 'utf8') !== text) {
      console.error(`${relative(process.cwd(), COMPILED_ROUTES_PATH)} is stale: run npm run compile-routes`);
      process.exit(1);
    }
  } else {
    writeFileSync(COMPILED_ROUTES_PATH, text);
    console.log(`Wrote ${relative(process.cwd(), COMPILED_ROUTES_PATH)}`);
  }
}
