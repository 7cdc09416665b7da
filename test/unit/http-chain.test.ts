// Unit: the shared HTTP handler chain (parsing, validation, errors, headers). No network.
import { describe, expect, it, vi } from 'vitest';
import { GET_orders_id, PATCH_users_me } from '#lambdas/generated/routes.ts';
import { publicHttpHandler } from '#lambdas/shared/http-public.ts';
import { problemResponse, SECURITY_HEADERS } from '#lambdas/shared/http.ts';
import { ConflictError, TooManyRequestsError, ValidationError } from '#lambdas/shared/errors.ts';
import { parseWith } from '#lambdas/shared/validation.ts';
import { sessionFromClaims } from '#lambdas/shared/caller.ts';
import { handler as health } from '#lambdas/handlers/http/health.ts';
import { handler as loginHandler } from '#lambdas/handlers/http/auth-login.ts';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { call, httpEvent, mockSignedInCallers, OTHER_ID, userClaims } from '../support/events.ts';

describe('parseWith', () => {
  // A route's compiled schema: PATCH /users/me takes { name } (2–50 characters, trimmed).
  const validate = PATCH_users_me.request.body!;

  it('returns the parsed value', () => {
    expect(parseWith(validate, { name: ' Alice ' }, 'body')).toEqual({ name: 'Alice' });
  });

  it('lists every field at fault with its location, unknown fields included', () => {
    try {
      parseWith(validate, { name: '\u0007', extra: true }, 'body');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const paths = (error as ValidationError).errors.map((e) => e.path).sort();
      expect(paths).toEqual(['body.extra', 'body.name', 'body.name']);
      expect((error as ValidationError).message).toMatch(/and 2 more/);
    }
  });
});

describe('problemResponse', () => {
  it('exposes a typed error as problem+json with its status and headers', () => {
    const response = problemResponse(new TooManyRequestsError('Slow down', 5));
    expect(response.statusCode).toBe(429);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '5' });
    expect(JSON.parse(response.body!)).toEqual({
      type: 'about:blank',
      title: 'Too many requests',
      status: 429,
      detail: 'Slow down',
    });
  });

  it('hides everything about an unexpected error', () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.1 with password hunter2');
    const response = problemResponse(secret);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('at ');
  });

  it('puts the security headers on error answers too', () => {
    const response = problemResponse(new ConflictError('no'));
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers?.[name]).toBe(value);
  });
});

describe('sessionFromClaims', () => {
  // API Gateway renders every claim as a string; aws-jwt-verify hands numbers.
  const access = { sub: 'u1', token_use: 'access', jti: 'j1', iat: '1700000000', exp: '1700000900' };

  it('reads the session of an access token, with claims as API Gateway renders them', () => {
    expect(sessionFromClaims(access)).toEqual({ userId: 'u1', id: 'j1', startedAt: 1700000000, expiresAt: 1700000900 });
  });

  it('names the session by origin_jti and dates it by auth_time where AWS sets them', () => {
    expect(sessionFromClaims({ ...access, origin_jti: 'o1', auth_time: 1699990000, exp: 1700000900 })).toEqual({
      userId: 'u1',
      id: 'o1',
      startedAt: 1699990000,
      expiresAt: 1700000900,
    });
  });

  it('refuses ID tokens and tokens without exp, subject or id', () => {
    expect(sessionFromClaims({ ...access, token_use: 'id' })).toBeUndefined();
    const { exp: _exp, ...withoutExp } = access;
    expect(sessionFromClaims(withoutExp)).toBeUndefined();
    expect(sessionFromClaims({ ...access, sub: '' })).toBeUndefined();
    const { jti: _jti, ...withoutId } = access;
    expect(sessionFromClaims(withoutId)).toBeUndefined();
    expect(sessionFromClaims({ ...access, exp: 'soon' })).toBeUndefined();
    expect(sessionFromClaims(undefined)).toBeUndefined();
  });
});

describe('GET /health handler', () => {
  it('answers 200 JSON with every security header', async () => {
    const response = await call(health, httpEvent('GET /health'));
    expect(response.statusCode).toBe(200);
    expect(response.json.status).toBe('ok');
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['strict-transport-security']).toBeDefined();
  });
});

describe('the public chain', () => {
  it('refuses a signed-in route when the handler is made, not at its first request', () => {
    const signedIn = GET_orders_id as unknown as Parameters<typeof publicHttpHandler>[0];
    expect(() => publicHttpHandler(signedIn, async () => ({ status: 200 }))).toThrow(/is signed-in/);
  });
});

describe('the origin gate on public routes (deployed)', () => {
  it('admits only requests carrying CloudFront’s secret header, compared in constant time', async () => {
    process.env.ORIGIN_VERIFY_SECRET = 'a-secret-of-at-least-16-chars';
    vi.resetModules();
    const { handler: gate } = await import('#lambdas/handlers/http/origin-gate.ts');
    const event = (headers: Record<string, string>) => ({ headers }) as never;
    expect(await gate(event({ 'x-origin-verify': 'a-secret-of-at-least-16-chars' }))).toEqual({ isAuthorized: true });
    expect(await gate(event({ 'X-Origin-Verify': 'a-secret-of-at-least-16-chars' }))).toEqual({ isAuthorized: true });
    expect(await gate(event({ 'x-origin-verify': 'a-secret-of-at-least-16-chaRS' }))).toEqual({ isAuthorized: false });
    for (const wrong of [
      'a-secret-of-at-least-16-char',
      'a-secret-of-at-least-16-chars!',
      'a-secret-of-at-least-16-charé',
      '',
    ]) {
      expect(await gate(event({ 'x-origin-verify': wrong })), wrong).toEqual({ isAuthorized: false });
    }
    expect(await gate(event({}))).toEqual({ isAuthorized: false });
    delete process.env.ORIGIN_VERIFY_SECRET;
    vi.resetModules();
  });

  it('is checked again by every HTTP function: without the header, 403 before anything runs', async () => {
    process.env.ORIGIN_VERIFY_SECRET = 'a-secret-of-at-least-16-chars';
    vi.resetModules();
    const { handler: fresh } = await import('#lambdas/handlers/http/health.ts');
    const direct = await call(fresh, httpEvent('GET /health'));
    expect(direct.statusCode).toBe(403);
    const event = httpEvent('GET /health');
    const through = await call(fresh, {
      ...event,
      headers: { ...event.headers, 'x-origin-verify': process.env.ORIGIN_VERIFY_SECRET },
    });
    expect(through.statusCode).toBe(200);
    delete process.env.ORIGIN_VERIFY_SECRET;
    vi.resetModules();
  });
});

describe('request bodies (@middy/http-json-body-parser, answered by our error mapper)', () => {
  const login = (options: Parameters<typeof httpEvent>[1]) =>
    call(loginHandler, httpEvent('POST /auth/login', options));

  it.each([
    ['no body', {}, 400, 'A JSON request body is required.'],
    ['a body that is not JSON', { rawBody: '{"email":' }, 400, 'The request body is not valid JSON.'],
    [
      'a non-JSON content type',
      { rawBody: 'email=x', contentType: 'text/plain' },
      415,
      'Send the request body as application/json.',
    ],
    [
      'a __proto__ key',
      { rawBody: '{"__proto__":{"admin":true}}' },
      400,
      'The request body may not use the key "__proto__".',
    ],
    [
      'JSON nested 40 levels deep',
      { rawBody: '['.repeat(40) + ']'.repeat(40) },
      400,
      'JSON nested deeper than 32 levels.',
    ],
  ])('answers %s with problem+json %i', async (_case, options, status, detail) => {
    const response = await login(options);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status, detail });
  });

  it('reads a base64-encoded body like a plain one (its fields are then validated)', async () => {
    const event = httpEvent('POST /auth/login', { rawBody: Buffer.from('{"email":"x"}').toString('base64') });
    const response = await call(loginHandler, { ...event, isBase64Encoded: true });
    expect(response.statusCode).toBe(400);
    expect(response.json.errors.map((e: { path: string }) => e.path)).toContain('body.password');
  });

  it('checks who calls before what they sent: a regular user on an admin route gets 403 for a broken body', async () => {
    const dynamo = mockClient(DynamoDBDocumentClient);
    mockSignedInCallers(dynamo);
    const event = httpEvent('PATCH /users/{id}/role', {
      claims: userClaims(),
      params: { id: OTHER_ID },
      rawBody: '{not json',
    });
    // From this test's module registry: the chain loads the session check lazily, and the origin
    // gate's test above reset the registry, so a handler imported at the top would meet other copies
    // of the error classes than the session check throws.
    const { handler: changeRoleHandler } = await import('#lambdas/handlers/http/users-change-role.ts');
    expect((await call(changeRoleHandler, event)).statusCode).toBe(403);
    dynamo.restore();
  });
});
