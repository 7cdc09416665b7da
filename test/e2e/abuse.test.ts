// End-to-end: one user's abuse can't hurt another, bad input never gets a 5xx, and the local
// surfaces (@connections, Origin, gateway errors) are closed the way a deployed stage's are.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { httpRoutes, splitRouteKey } from '#lambdas/routes.ts';
import { LIMITS } from '#lambdas/limits/policy.ts';
import {
  api,
  connect,
  inOneWindow,
  newUser,
  placeOrder,
  runtime,
  storedMessages,
  socketsClosedAfterEach,
  type Session,
} from './support.ts';

const sockets = socketsClosedAfterEach();
const socketOf = sockets.ticket;

const order = (session: Session) => placeOrder(session, 'Abuse order');

describe('one user’s messages and writes', () => {
  it('a retry with the same clientMessageId never stores a second copy', async () => {
    const user = await newUser('retrier');
    const { id: roomId } = await order(user);
    const c = await socketOf(user);
    c.send({ action: 'joinRoom', roomId });
    await c.next((f) => f.type === 'chatHistory');
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      c.send({ action: 'sendMessage', roomId, content: 'once', clientMessageId: 'same' });
      ids.add((await c.next((f) => f.type === 'newMessage')).message.id);
    }
    expect(ids.size).toBe(1);
    expect(await storedMessages(user, roomId)).toHaveLength(1);
  });

  it('order writes are limited per user with 429 and Retry-After, and the limit is that user’s alone', async () => {
    const [greedy, other] = await Promise.all([newUser('greedy'), newUser('other-writer')]);
    await inOneWindow('orderWrite');
    const answers = await Promise.all(
      Array.from({ length: LIMITS.orderWrite.limit + 5 }, () =>
        api('POST', '/orders', {
          token: greedy.accessToken,
          body: { description: 'x', specifications: {}, quantity: 1 },
        }),
      ),
    );
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(LIMITS.orderWrite.limit);
    expect(refused).toHaveLength(5);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const listed = await api('GET', '/orders?limit=100', { token: greedy.accessToken });
    expect(listed.body.items).toHaveLength(LIMITS.orderWrite.limit);
    expect((await order(other)).id).toEqual(expect.any(String));
  });
});

describe('bad input', () => {
  const withParams = Object.keys(httpRoutes).filter((key) => key.includes('{'));

  it.each(withParams)('%s: a malformed percent-encoding in the path is a 4xx, signed in or not', async (key) => {
    const user = await newUser('percent');
    const { method, path } = splitRouteKey(key);
    const target = path.replace(/\{\w+\}/g, '%ZZ');
    for (const token of [undefined, user.accessToken]) {
      const response = await api(method, target, {
        ...(token ? { token } : {}),
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });

  it('refuses control and bidi override characters in names and messages, storing nothing', async () => {
    const user = await newUser('controls');
    for (const name of ['Eve\u0000', 'Eve\u202Eevil', 'Line\nbreak']) {
      expect((await api('PATCH', '/users/me', { token: user.accessToken, body: { name } })).status).toBe(400);
    }
    const { id: roomId } = await order(user);
    const c = await socketOf(user);
    c.send({ action: 'joinRoom', roomId });
    await c.next((f) => f.type === 'chatHistory');
    for (const content of ['bell\u0007', 'rtl \u2066x\u2069']) {
      c.send({ action: 'sendMessage', roomId, content });
      expect(await c.next((f) => f.type === 'error')).toMatchObject({ status: 400 });
    }
    c.send({ action: 'sendMessage', roomId, content: 'tabs\tand\nnewlines are fine' });
    await c.next((f) => f.type === 'newMessage');
    expect(await storedMessages(user, roomId)).toHaveLength(1);
  });

  it('answers a frame nested thousands of levels deep with a 400 error frame', async () => {
    const user = await newUser('deep-frame');
    const c = await socketOf(user);
    c.send(`{"action":"joinRoom","roomId":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ status: 400 });
  });

  it('closes a socket that sends a frame over 32 KB with 1009, as API Gateway does', async () => {
    const user = await newUser('big-frame');
    const c = await socketOf(user);
    c.send({ action: 'sendMessage', roomId: 'x', content: 'x'.repeat(33 * 1024) });
    expect((await c.closed).code).toBe(1009);
  });
});

describe('local surfaces', () => {
  const manageUrl = (id: string) => `${runtime.wsUrl.replace(/^ws/, 'http')}/@connections/${encodeURIComponent(id)}`;

  it('@connections refuses unsigned requests: nobody local can inject or cut frames', async () => {
    const user = await newUser('unsigned');
    const c = await socketOf(user);
    for (const method of ['POST', 'DELETE', 'GET']) {
      const response = await fetch(manageUrl('anything'), { method, ...(method === 'POST' ? { body: 'x' } : {}) });
      expect(response.status).toBe(403);
    }
    expect(c.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('WebSocket upgrades check Origin against the CORS allow-list before the ticket, as CloudFront does; clients without Origin still connect', async () => {
    const user = await newUser('origin');
    const ticket = async () => (await api('POST', '/chat/tickets', { token: user.accessToken })).body.ticket;
    const withOrigin = async (origin: string, given?: string) => {
      const url = `${runtime.wsUrl}?ticket=${encodeURIComponent(given ?? (await ticket()))}`;
      return new Promise<number>((resolve) => {
        const socket = new WebSocket(url, { origin });
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
        });
      });
    };
    const refusedTicket = await ticket();
    expect(await withOrigin('https://evil.example', refusedTicket)).toBe(403);
    // Refused at the edge, before any authorizer: the ticket is not spent (it dies within 60 s).
    const unspent = await connect(`?ticket=${encodeURIComponent(refusedTicket)}`);
    expect('socket' in unspent).toBe(true);
    if ('socket' in unspent) unspent.socket.close();
    expect(await withOrigin('http://localhost:5173')).toBe(101);
    const plain = await connect(`?ticket=${encodeURIComponent(await ticket())}`);
    expect('socket' in plain).toBe(true);
    if ('socket' in plain) plain.socket.close();
  });

  it('every service of the runtime listens on loopback only (DynamoDB Local included)', () => {
    const ports = [runtime.httpUrl, runtime.wsUrl, runtime.dynamoDbEndpoint, runtime.cognitoEndpoint].map(
      (url) => new URL(url).port,
    );
    for (const port of ports) {
      const listening = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
      expect(listening).not.toBe('');
      for (const line of listening.split('\n')) expect(line.split(/\s+/)[3]).toMatch(/^(\[::ffff:)?127\.0\.0\.1\]?:/);
    }
  });

  it("the gateway's own errors carry the security headers", async () => {
    const response = await fetch(`${runtime.httpUrl}/no-such-route`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age');
    const anonymous = await fetch(`${runtime.httpUrl}/orders`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-frame-options')).toBe('DENY');
  });
});
