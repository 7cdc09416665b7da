// End-to-end (of the runtime itself): the local API Gateway over real sockets, with purpose-built handlers.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createHttpGateway } from '#local/http-gateway.ts';
import { createWsGateway } from '#local/ws-gateway.ts';
import type { Handler } from '#local/lambda-runner.ts';

const events: Record<string, any[]> = {};
const record = (name: string, event: any) => (events[name] ??= []).push(event);
let wsPort = 0;

const handlers: Record<string, Handler> = {
  echo: async (event: any) => {
    record('echo', event);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
      cookies: ['a=1', 'b=2'],
      body: JSON.stringify({ ok: true }),
    };
  },
  plain: async () => ({ hello: 'world' }),
  huge: async () => ({ statusCode: 200, body: 'x'.repeat(6 * 1024 * 1024) }),
  text: async () => 'just text',
  binary: async () => ({
    statusCode: 200,
    headers: { 'content-type': 'image/png' },
    body: Buffer.from([1, 2, 3]).toString('base64'),
    isBase64Encoded: true,
  }),
  crash: async () => {
    throw new Error('boom with secret detail');
  },
  slow: () => new Promise((r) => setTimeout(() => r({ statusCode: 200 }), 3000)),
  authorizer: async (event: any) => {
    record('authorizer', event);
    const token = event.queryStringParameters?.token;
    if (token === 'crash') throw new Error('authorizer bug');
    if (token === 'malformed') return { statusCode: 401 };
    if (token !== 'good' && token !== 'deny') throw new Error('Unauthorized');
    return {
      principalId: 'user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 'execute-api:Invoke', Effect: token === 'deny' ? 'Deny' : 'Allow', Resource: event.methodArn },
        ],
      },
      context: { userId: 'user-1', role: 'REGULAR' },
    };
  },
  connect: async (event: any) => {
    record('connect', event);
    return { statusCode: event.queryStringParameters?.refuse ? 400 : 200 };
  },
  disconnect: async (event: any) => {
    record('disconnect', event);
    return { statusCode: 200 };
  },
  echoFrame: async (event: any) => {
    record('echoFrame', event);
    const id = encodeURIComponent(event.requestContext.connectionId);
    await fetch(`http://127.0.0.1:${wsPort}/local/@connections/${id}`, { method: 'POST', body: `echo:${event.body}` });
    return { statusCode: 200 };
  },
  wsCrash: async () => {
    throw new Error('route bug');
  },
  silentTwoWay: async () => ({ statusCode: 200 }),
  // Holds its frame until a `release` frame of the same connection has run: only concurrency ends it.
  waitForRelease: async (event: any) => {
    record('waitForRelease', event);
    await new Promise<void>((resolve) => (releaseWaiting = resolve));
    return { statusCode: 200, body: JSON.stringify({ released: true }) };
  },
  release: async (event: any) => {
    record('release', event);
    releaseWaiting?.();
    return { statusCode: 200, body: JSON.stringify({ releasing: true }) };
  },
};
let releaseWaiting: (() => void) | undefined;

const loader = async (name: string) => handlers[name]!;
const silent = () => undefined;

const http = createHttpGateway({
  routes: {
    'POST /echo/{id}': { handler: 'echo', access: 'public' },
    'GET /plain': { handler: 'plain', access: 'public' },
    'GET /huge': { handler: 'huge', access: 'public' },
    'GET /text': { handler: 'text', access: 'public' },
    'GET /binary': { handler: 'binary', access: 'public' },
    'GET /crash': { handler: 'crash', access: 'public' },
    'GET /slow': { handler: 'slow', access: 'public', timeoutSeconds: 1 },
    'GET /private': { handler: 'plain', access: 'user' },
  },
  loader,
  authorizer: async (header) => (header === 'Bearer valid' ? { sub: 'u1', 'cognito:groups': '[admin]' } : undefined),
  cors: {
    allowOrigins: ['https://app.example'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['authorization'],
    exposeHeaders: ['etag'],
    maxAgeSeconds: 60,
  },
  throttle: { rateLimit: 1, burstLimit: 1000 },
  log: silent,
});

const ws = createWsGateway({
  stage: 'local',
  routes: {
    $connect: { handler: 'connect' },
    $disconnect: { handler: 'disconnect' },
    echo: { handler: 'echoFrame' },
    crash: { handler: 'wsCrash' },
    silent: { handler: 'silentTwoWay', twoWay: true },
    wait: { handler: 'waitForRelease', twoWay: true, timeoutSeconds: 5 },
    release: { handler: 'release', twoWay: true },
  },
  authorizer: { handler: 'authorizer', identitySource: ['route.request.querystring.token'] },
  loader,
  idleTimeoutMs: 1500,
  log: silent,
});

let httpUrl = '';
let wsUrl = '';
beforeAll(async () => {
  http.listen(0, '127.0.0.1');
  ws.server.listen(0, '127.0.0.1');
  await Promise.all([once(http, 'listening'), once(ws.server, 'listening')]);
  httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  wsPort = (ws.server.address() as AddressInfo).port;
  wsUrl = `ws://127.0.0.1:${wsPort}/local`;
});
afterAll(async () => {
  http.closeAllConnections();
  ws.server.closeAllConnections();
  await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => ws.server.close(r))]);
});

describe('HTTP API gateway', () => {
  it('builds a payload 2.0 event the way API Gateway does', async () => {
    const response = await fetch(`${httpUrl}/echo/a%20b?x=1&x=2&y=%41`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'c1=v1; c2=v2', 'x-multi': 'one', 'user-agent': 'tester' },
      body: '{"k":1}',
    });
    expect(response.status).toBe(200);
    const event = events.echo!.at(-1);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /echo/{id}',
      rawPath: '/echo/a%20b',
      rawQueryString: 'x=1&x=2&y=%41',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { x: '1,2', y: 'A' },
      pathParameters: { id: 'a b' },
      body: '{"k":1}',
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'POST /echo/{id}',
        stage: '$default',
        http: { method: 'POST', path: '/echo/a%20b', userAgent: 'tester' },
      },
    });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(event).not.toHaveProperty('stageVariables');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
  });

  it('keeps rawPath as sent: percent-encoding and dot segments are not resolved into another route', async () => {
    const { request } = await import('node:http');
    const statusOf = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${httpUrl}${path}`, { method: 'POST', path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{}');
      });
    expect(await statusOf('/echo/x/../y')).toBe(404);
    expect(await statusOf('/echo/a%2Fb')).toBe(200);
    expect(events.echo!.at(-1)).toMatchObject({ rawPath: '/echo/a%2Fb', pathParameters: { id: 'a/b' } });
  });

  it('sends non-text bodies base64-encoded', async () => {
    await fetch(`${httpUrl}/echo/1`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'raw',
    });
    expect(events.echo!.at(-1)).toMatchObject({ body: Buffer.from('raw').toString('base64'), isBase64Encoded: true });
  });

  it('turns a plain value into 200 JSON and a string into the body as-is', async () => {
    const plain = await fetch(`${httpUrl}/plain`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual({ hello: 'world' });
    expect(await (await fetch(`${httpUrl}/text`)).text()).toBe('just text');
  });

  it('decodes base64 response bodies', async () => {
    const response = await fetch(`${httpUrl}/binary`);
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('answers 500 {"message":"Internal Server Error"} when a handler throws, without details', async () => {
    const response = await fetch(`${httpUrl}/crash`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('{"message":"Internal Server Error"}');
  });

  it('answers 503 {"message":"Service Unavailable"} when a handler exceeds its timeout', async () => {
    const response = await fetch(`${httpUrl}/slow`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });

  it("holds Lambda's 6 MB payload quota: a larger event is a 413, a larger result a 500", async () => {
    const before = events.echo?.length ?? 0;
    const big = await fetch(`${httpUrl}/echo/1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(6 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(events.echo?.length ?? 0).toBe(before);
    const huge = await fetch(`${httpUrl}/huge`);
    expect(huge.status).toBe(500);
    expect(await huge.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 413 above 10 MB', async () => {
    const response = await fetch(`${httpUrl}/echo/1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
  });

  it('answers 401 {"message":"Unauthorized"} with www-authenticate from the JWT authorizer, and passes claims on', async () => {
    const refused = await fetch(`${httpUrl}/private`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ message: 'Unauthorized' });
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(`${httpUrl}/private`, { headers: { authorization: 'Bearer valid' } })).status).toBe(200);
  });

  it('answers preflight itself and replaces handler CORS headers with the configured ones', async () => {
    const preflight = await fetch(`${httpUrl}/echo/1`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-max-age')).toBe('60');
    const actual = await fetch(`${httpUrl}/echo/1`, {
      method: 'POST',
      headers: { origin: 'https://app.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const foreign = await fetch(`${httpUrl}/echo/1`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('survives a malformed request line', async () => {
    const { connect } = await import('node:net');
    const socket = connect((http.address() as AddressInfo).port, '127.0.0.1');
    socket.write('GARBAGE\r\n\r\n');
    const [reply] = await once(socket, 'data');
    expect(String(reply)).toMatch(/^HTTP\/1\.1 400/);
    socket.destroy();
    expect((await fetch(`${httpUrl}/plain`)).status).toBe(200);
  });
});

function open(query: string): Promise<WebSocket | number> {
  return new Promise((resolvePromise) => {
    const socket = new WebSocket(`${wsUrl}${query}`);
    socket.on('error', () => undefined);
    socket.once('open', () => resolvePromise(socket));
    socket.once('unexpected-response', (_req, res) => {
      resolvePromise(res.statusCode!);
      socket.terminate();
    });
  });
}
const nextMessage = (socket: WebSocket) => once(socket, 'message').then(([data]) => String(data));

describe('WebSocket API gateway', () => {
  it.each([
    ['', 401],
    ['?token=bad', 401],
    ['?token=deny', 403],
    ['?token=crash', 500],
    ['?token=malformed', 500],
    ['?token=good&refuse=1', 400],
  ])('refuses the upgrade %s with %i', async (query, status) => {
    expect(await open(query)).toBe(status);
  });

  it('passes the authorizer a REQUEST event and later events its context', async () => {
    const socket = (await open('?token=good')) as WebSocket;
    const authorizerEvent = events.authorizer!.at(-1);
    expect(authorizerEvent).toMatchObject({
      type: 'REQUEST',
      queryStringParameters: { token: 'good' },
      methodArn: expect.stringMatching(/\/local\/\$connect$/),
    });
    const connectEvent = events.connect!.at(-1);
    expect(connectEvent.requestContext).toMatchObject({
      eventType: 'CONNECT',
      routeKey: '$connect',
      authorizer: { principalId: 'user-1', userId: 'user-1' },
    });
    socket.send(JSON.stringify({ action: 'echo', n: 1 }));
    expect(await nextMessage(socket)).toBe('echo:{"action":"echo","n":1}');
    const messageEvent = events.echoFrame!.at(-1);
    expect(messageEvent.requestContext).toMatchObject({
      eventType: 'MESSAGE',
      routeKey: 'echo',
      authorizer: { userId: 'user-1' },
      messageId: expect.any(String),
    });
    socket.close(1000);
  });

  it('answers frames no route matches (and no $default) with the Forbidden frame', async () => {
    const socket = (await open('?token=good')) as WebSocket;
    socket.send('not json');
    expect(JSON.parse(await nextMessage(socket))).toMatchObject({
      message: 'Forbidden',
      connectionId: expect.any(String),
    });
    socket.close();
  });

  it('sends an empty frame for a two-way route whose result has no body, as API Gateway does', async () => {
    const socket = (await open('?token=good')) as WebSocket;
    socket.send(JSON.stringify({ action: 'silent' }));
    expect(await nextMessage(socket)).toBe('');
    socket.close();
  });

  it("runs a connection's frames concurrently, each stamped when it arrived", async () => {
    const socket = (await open('?token=good')) as WebSocket;
    const answers: string[] = [];
    socket.on('message', (data) => answers.push(String(data)));
    socket.send(JSON.stringify({ action: 'wait' }));
    socket.send(JSON.stringify({ action: 'release' }));
    // One at a time, `wait` would hold the connection until its integration timed out.
    await expect.poll(() => answers.length, { timeout: 2000 }).toBe(2);
    expect(answers.map((answer) => JSON.parse(answer))).toEqual([{ releasing: true }, { released: true }]);
    const [waited, released] = [events.waitForRelease!.at(-1), events.release!.at(-1)];
    expect(waited.requestContext.requestTimeEpoch).toBeLessThanOrEqual(released.requestContext.requestTimeEpoch);
    socket.close();
  });

  it('answers a crashing route with "Internal server error"', async () => {
    const socket = (await open('?token=good')) as WebSocket;
    socket.send(JSON.stringify({ action: 'crash' }));
    expect(JSON.parse(await nextMessage(socket))).toMatchObject({ message: 'Internal server error' });
    socket.close();
  });

  it('closes with 1009 above 128 KB and with 1003 on binary frames, running $disconnect each time', async () => {
    const big = (await open('?token=good')) as WebSocket;
    big.send(JSON.stringify({ action: 'echo', pad: 'x'.repeat(128 * 1024) }));
    const [code] = await once(big, 'close');
    expect(code).toBe(1009);
    const binary = (await open('?token=good')) as WebSocket;
    binary.send(Buffer.from([1, 2, 3]), { binary: true });
    const [binaryCode] = await once(binary, 'close');
    expect(binaryCode).toBe(1003);
    await new Promise((r) => setTimeout(r, 100));
    const codes = events.disconnect!.map((e) => e.requestContext.disconnectStatusCode);
    expect(codes).toEqual(expect.arrayContaining([1009, 1003]));
  });

  it('runs $disconnect when a socket vanishes without a close frame', async () => {
    const socket = (await open('?token=good')) as WebSocket;
    const connectionId = events.connect!.at(-1).requestContext.connectionId;
    socket.terminate();
    await new Promise((r) => setTimeout(r, 200));
    expect(events.disconnect!.some((e) => e.requestContext.connectionId === connectionId)).toBe(true);
  });

  it('closes idle connections', async () => {
    const socket = (await open('?token=good')) as WebSocket;
    const [code] = await once(socket, 'close');
    expect(code).toBe(1001);
  });

  it('serves @connections: GET describes, POST sends, DELETE disconnects, then 410 GoneException', async () => {
    const socket = (await open('?token=good')) as WebSocket;
    const id = encodeURIComponent(events.connect!.at(-1).requestContext.connectionId);
    const base = `http://127.0.0.1:${wsPort}`;
    const described = await fetch(`${base}/local/@connections/${id}`);
    expect(described.status).toBe(200);
    expect(await described.json()).toMatchObject({
      connectedAt: expect.any(String),
      lastActiveAt: expect.any(String),
      identity: { sourceIp: expect.any(String) },
    });
    const received = nextMessage(socket);
    expect((await fetch(`${base}/%40connections/${id}`, { method: 'POST', body: 'hi' })).status).toBe(200);
    expect(await received).toBe('hi');
    const closed = once(socket, 'close');
    expect((await fetch(`${base}/local/@connections/${id}`, { method: 'DELETE' })).status).toBe(204);
    await closed;
    const gone = await fetch(`${base}/local/@connections/${id}`, { method: 'POST', body: 'late' });
    expect(gone.status).toBe(410);
    expect(gone.headers.get('x-amzn-errortype')).toBe('GoneException');
  });
});

describe('stage throttling', () => {
  it('answers 429 {"message":"Too Many Requests"} once the burst is spent', async () => {
    const throttled = createHttpGateway({
      routes: { 'GET /plain': { handler: 'plain', access: 'public' } },
      loader,
      authorizer: async () => undefined,
      throttle: { rateLimit: 1, burstLimit: 3 },
      log: silent,
    });
    throttled.listen(0, '127.0.0.1');
    await once(throttled, 'listening');
    const url = `http://127.0.0.1:${(throttled.address() as AddressInfo).port}/plain`;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(url)).status);
    throttled.closeAllConnections();
    throttled.close();
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });
});
