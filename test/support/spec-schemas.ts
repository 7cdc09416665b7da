/**
 * Loads a committed contract (openapi.yaml, asyncapi.yaml) and validates data
 * against schemas inside it, resolving its `#/components/…` references. Each
 * schema is compiled once, however many responses or frames it checks.
 *
 * @example const { spec, check } = loadSpec<MySpec>('openapi.yaml', '2020-12'); check(schema, body);
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export function loadSpec<T extends { components: { schemas: Record<string, unknown> } }>(
  file: string,
  dialect: '2020-12' | 'draft-07',
) {
  const spec = parse(readFileSync(resolve(import.meta.dirname, '..', '..', file), 'utf8')) as T;
  const options = { strict: false, allErrors: true };
  const ajv = dialect === '2020-12' ? new Ajv2020(options) : new Ajv(options);
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addSchema({ $id: file, components: spec.components });
  const compiled = new Map<string, ValidateFunction>();

  /** Undefined when `data` matches `schema`, else what is wrong. */
  const check = (schema: unknown, data: unknown): string | undefined => {
    const text = JSON.stringify(schema);
    let validate = compiled.get(text);
    if (!validate) {
      validate = ajv.compile(JSON.parse(text.replaceAll('"#/components/', `"${file}#/components/`)));
      compiled.set(text, validate);
    }
    return validate(data) ? undefined : ajv.errorsText(validate.errors);
  };
  return { spec, check };
}
