/**
 * fast-check arbitraries from the route table's zod schemas (through their JSON Schema), so the
 * fuzzer's valid requests are valid by the same definition the handlers use, and a new field or
 * route is fuzzed the moment it is declared. Covers what our schemas use: objects, strings with
 * lengths, patterns and formats, integers, enums, consts, records, arrays, unions and refs.
 */
import fc from 'fast-check';
import * as z from 'zod';

type JsonSchema = Record<string, any>;

/** Long strings are legal but slow to send by the thousand: valid ones stay short. */
const MAX_GENERATED_LENGTH = 40;
const MAX_REF_DEPTH = 4;

export function arbitraryFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return fromJsonSchema(root, root);
}

function fromJsonSchema(schema: JsonSchema, root: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  // Recursive schemas (free-form JSON values) are cut off: past a few references, a scalar.
  if (schema.$ref) {
    return depth > MAX_REF_DEPTH
      ? fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean())
      : fromJsonSchema(resolveRef(schema.$ref, root), root, depth + 1);
  }
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return fc.oneof(...union.map((s) => fromJsonSchema(s, root, depth)));
  switch (schema.type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? fromJsonSchema(schema.items, root, depth) : fc.jsonValue({ maxDepth: 1 }), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object':
      return objectFor(schema, root, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
  const target = name === undefined ? (ref === '#' ? root : undefined) : root.$defs?.[name];
  if (!target) throw new Error(`Unresolvable $ref ${ref}`);
  return target;
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? MAX_GENERATED_LENGTH, MAX_GENERATED_LENGTH));
  if (schema.pattern) {
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  }
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uuid') return fc.uuid();
  // Printable characters only: names and texts refuse controls, and a valid request should be valid.
  return fc.string({ minLength, maxLength }).filter((s) => s.trim().length >= Math.min(minLength, 1));
}

function objectFor(schema: JsonSchema, root: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>);
  if (properties.length === 0 && schema.additionalProperties && schema.additionalProperties !== true) {
    return fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }),
      fromJsonSchema(schema.additionalProperties, root, depth),
      {
        maxKeys: 4,
      },
    );
  }
  if (properties.length === 0)
    return fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  const record = Object.fromEntries(properties.map(([key, s]) => [key, fromJsonSchema(s, root, depth)]));
  return fc.record(record, { requiredKeys: (schema.required ?? []) as string[] }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

/** A valid object broken in one way: a key dropped, a value replaced, a key added, or a type swapped. */
export function mutated(valid: fc.Arbitrary<unknown>, nasty: fc.Arbitrary<string | number>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.constantFrom('drop', 'replace', 'extra', 'wrap'), fc.nat(), nasty)
    .map(([value, how, pick, junk]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return how === 'wrap' ? [value] : junk;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const key = keys.length ? keys[pick % keys.length]! : 'x';
      if (how === 'drop') delete copy[key];
      else if (how === 'replace') copy[key] = pick % 2 ? junk : { nested: junk };
      else if (how === 'extra') copy[String(junk)] = pick;
      else return [copy];
      return copy;
    });
}
