// End-to-end: the local runtime's own behaviour (health, gateway answers, WebSocket upgrade auth).
import { beforeAll, describe, expect, it } from 'vitest';
import { api, connect, newUser, runtime, ticketSocket } from './support.ts';
import { decodePayload, emulatorSignedToken, forgedToken, packageKeyToken } from '../support/tokens.ts';

let accessToken: string;
beforeAll(async () => {
  // A real access token, issued by the local Cognito through POST /auth/login.
  accessToken = (await newUser('foundation')).accessToken;
});

describe('GET /health', () => {
  it('answers 200 with security headers and a request id', async () => {
    const response = await api('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok' });
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('apigw-requestid')).toMatch(/^[\w=-]{8,}$/);
  });
});

describe('local HTTP API gateway', () => {
  it("answers unknown routes with API Gateway's 404", async () => {
    const response = await api('GET', '/no/such/route');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: 'Not Found' });
  });

  it('answers a wrong method on a known path with 404 too', async () => {
    const response = await api('DELETE', '/health');
    expect(response.status).toBe(404);
  });

  it('answers CORS preflight for an allowed origin without invoking a handler', async () => {
    const response = await api('OPTIONS', '/health', {
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-methods')).toContain('GET');
  });

  it('gives no CORS headers to an origin that is not allowed', async () => {
    const response = await api('GET', '/health', { headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('WebSocket $connect authorizer', () => {
  const ticketFor = async (token: string) =>
    (await api('POST', '/chat/tickets', { token })).body.ticket as string | undefined;

  it('accepts a ticket, once', async () => {
    const ticket = (await ticketFor(accessToken))!;
    const outcome = await connect(`?ticket=${encodeURIComponent(ticket)}`);
    expect('socket' in outcome).toBe(true);
    if ('socket' in outcome) outcome.socket.close();
    expect(await connect(`?ticket=${encodeURIComponent(ticket)}`)).toEqual({ refusedWith: 401 });
  });

  it('refuses an upgrade without a ticket with 401', async () => {
    expect(await connect('')).toEqual({ refusedWith: 401 });
    expect(await connect('?ticket=made-up')).toEqual({ refusedWith: 401 });
  });

  it('refuses a valid access token in the query: tickets only, since query strings reach logs', async () => {
    expect(await connect(`?token=${accessToken}`)).toEqual({ refusedWith: 401 });
  });

  it('issues no ticket for a forged, altered, expired or ID token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const [head, , signature] = accessToken.split('.');
    const payload = { ...decodePayload(accessToken), 'cognito:groups': ['admin'] };
    const bad = {
      forged: forgedToken(decodePayload(accessToken)),
      // The key cognito-local ships in its package, the same on every install, signs nothing here.
      packageKey: packageKeyToken(decodePayload(accessToken)),
      altered: `${head}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`,
      expired: emulatorSignedToken(
        { ...decodePayload(accessToken), iat: now - 3600, exp: now - 1800 },
        runtime.dataDir,
      ),
      id: emulatorSignedToken({ ...decodePayload(accessToken), token_use: 'id', exp: now + 600 }, runtime.dataDir),
    };
    for (const [kind, token] of Object.entries(bad)) {
      expect((await api('POST', '/chat/tickets', { token })).status, kind).toBe(401);
    }
  });
});

describe('WebSocket frames the API does not understand', () => {
  it('answers invalid JSON and unknown actions with a 400 error frame naming the supported actions', async () => {
    const client = await ticketSocket({ accessToken });
    client.send('{not json');
    const invalid = await client.next((f) => f.type === 'error');
    expect(invalid).toMatchObject({ type: 'error', status: 400, message: expect.stringMatching(/Supported actions/) });
    client.send({ action: 'dance', roomId: 'r1' });
    const unknown = await client.next((f) => f.type === 'error');
    expect(unknown).toMatchObject({ type: 'error', status: 400, action: 'dance', roomId: 'r1' });
    expect(unknown.message).toContain('"dance"');
    await client.close();
  });

  it('closes the connection with 1009 for a frame over 128 KB, and keeps serving others', async () => {
    const client = await ticketSocket({ accessToken });
    client.send({ action: 'sendMessage', content: 'x'.repeat(130 * 1024) });
    expect((await client.closed).code).toBe(1009);
    expect((await api('GET', '/health')).status).toBe(200);
  });
});
