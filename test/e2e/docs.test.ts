// End-to-end: the contract and Swagger UI served by the API itself.
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '#lambdas/docs/openapi.ts';
import { api } from './support.ts';

describe('API documentation', () => {
  it('serves the OpenAPI document at /openapi.json to anyone', async () => {
    const response = await api('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
    expect(response.body.servers[0].url).toBe('/'); // "Authorize" and "Try it out" use the serving API
  });

  it('serves Swagger UI at /docs with a CSP that forbids inline scripts', async () => {
    const response = await api('GET', '/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.text).toContain('swagger-ui-bundle.js');
    // A page without an icon of its own makes every browser ask for /favicon.ico, a 404.
    expect(response.text).toContain('<link rel="icon" href="data:,">');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("'unsafe-inline' 'unsafe-eval'");
    expect(csp).toMatch(/frame-ancestors 'none'/);
  });

  it('serves the Swagger UI files and 404s anything else', async () => {
    const script = await api('GET', '/docs/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.text.length).toBeGreaterThan(100_000);
    const css = await api('GET', '/docs/swagger-ui.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    const init = (await api('GET', '/docs/init.js')).text;
    expect(init).toContain("url: '/openapi.json'");
    // A pasted token stays in the page, never in localStorage.
    expect(init).toContain('persistAuthorization: false');
    expect((await api('GET', '/docs/..%2Fpackage.json')).status).toBe(404);
    expect((await api('GET', '/docs/secrets.txt')).status).toBe(404);
  });
});
