// Unit: the API contract is generated, committed, valid, and enforced by the contract checker.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { httpRoutes, splitRouteKey } from '#lambdas/routes.ts';
import { OPENAPI_PATH, renderOpenApi } from '#local/openapi.ts';
import { checkContract } from '../support/contract.ts';

describe('openapi.yaml', () => {
  it('is exactly what `npm run openapi` generates from the route table', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApi());
  });

  it('passes a maintained OpenAPI 3.1 validator', async () => {
    const result = await validate(resolve(OPENAPI_PATH));
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('documents every route with its success statuses', () => {
    const spec = readFileSync(OPENAPI_PATH, 'utf8');
    for (const [key, route] of Object.entries(httpRoutes)) {
      const { path } = splitRouteKey(key);
      expect(spec).toContain(`  ${path}:`);
      for (const status of Object.keys(route.responses)) expect(spec).toContain(`"${status}":`);
    }
  });
});

describe('contract checker', () => {
  it('accepts a documented answer', () => {
    expect(() =>
      checkContract('GET', 'http://x/health', 200, 'application/json', {
        status: 'ok',
        time: new Date().toISOString(),
      }),
    ).not.toThrow();
  });

  it('rejects an undocumented status', () => {
    expect(() => checkContract('GET', 'http://x/health', 418, 'application/json', {})).toThrow(/does not list/);
  });

  it('rejects an undocumented field', () => {
    expect(() =>
      checkContract('GET', 'http://x/health', 200, 'application/json', {
        status: 'ok',
        time: new Date().toISOString(),
        extra: 1,
      }),
    ).toThrow(/does not match/);
  });

  it('rejects an undocumented media type', () => {
    expect(() => checkContract('GET', 'http://x/users/me', 401, 'text/plain', 'no')).toThrow(/not documented/);
  });
});
