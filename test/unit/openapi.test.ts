// Unit: the API contract is generated, committed, valid, and enforced by the contract checker.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { httpRoutes, splitRouteKey } from '#lambdas/routes.ts';
import { OPENAPI_JSON_PATH, OPENAPI_PATH, renderOpenApi, renderOpenApiJson } from '#local/openapi.ts';
import { checkContract } from '../support/contract.ts';
import { buildOpenApi } from '#lambdas/docs/openapi.ts';
import { GATEWAY_MESSAGES } from '#lambdas/schemas/common.ts';

describe('openapi.yaml', () => {
  it('is exactly what `npm run openapi` generates from the route table', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApi());
  });

  it('is served from the JSON copy `npm run openapi` writes beside the compiled routes', () => {
    expect(readFileSync(OPENAPI_JSON_PATH, 'utf8')).toBe(renderOpenApiJson());
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

describe('the served contract tells the truth', () => {
  it('names no fixed host: the API serving it is the server, whatever its port', () => {
    expect(buildOpenApi().servers).toEqual([{ url: '/', description: expect.any(String) }]);
  });

  it('shows each API Gateway error with the message API Gateway sends for that status', () => {
    const spec = buildOpenApi() as any;
    const seen = new Set<number>();
    for (const operations of Object.values(spec.paths) as any[]) {
      for (const operation of Object.values(operations) as any[]) {
        for (const [status, response] of Object.entries(operation.responses) as [string, any][]) {
          const gateway = response.content?.['application/json'];
          if (!gateway || Number(status) < 400) continue;
          expect(gateway.example, `${operation.operationId} ${status}`).toEqual({
            message: GATEWAY_MESSAGES[Number(status)],
          });
          seen.add(Number(status));
        }
      }
    }
    expect([...seen].sort()).toEqual([401, 413, 429, 500, 503]);
  });
});
