// End-to-end: each user's share (tickets, connections, joins, page reads, failed sign-ins) and each
// client address's (sign-ups, sign-ins at the edge) is bounded, over HTTP and WebSocket.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { EDGE_LIMITS } from '#lib/edge-limits.ts';
import { LIMITS, MAX_CONNECTIONS_PER_USER, MAX_ROOMS_PER_CONNECTION } from '#lambdas/limits/policy.ts';
import {
  api,
  connect,
  inOneWindow,
  newUser,
  placeOrder,
  runtime,
  socketsClosedAfterEach,
  STRONG_PASSWORD,
  uniqueEmail,
  type Client,
} from './support.ts';

const sockets = socketsClosedAfterEach();

/** A POST from another loopback address: the edge counts per client address. */
function postFrom(address: string, path: string, body: unknown) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    const url = new URL(path, runtime.httpUrl);
    const payload = JSON.stringify(body);
    const req = request(
      url,
      {
        method: 'POST',
        localAddress: address,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

async function joinAnswer(client: Client, roomId: string) {
  client.send({ action: 'joinRoom', roomId });
  return client.next((f) => (f.type === 'chatHistory' || f.type === 'error') && f.roomId === roomId);
}

describe('per-user limits', () => {
  it('tickets: past the limit a 429 with Retry-After, and nobody else is affected', async () => {
    const [greedy, bystander] = await Promise.all([newUser('tickets'), newUser('tickets-bystander')]);
    await inOneWindow('chatTicket');
    const answers = await Promise.all(
      Array.from({ length: LIMITS.chatTicket.limit + 5 }, () =>
        api('POST', '/chat/tickets', { token: greedy.accessToken }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(LIMITS.chatTicket.limit);
    const refused = answers.find((a) => a.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/WebSocket tickets/);
    expect((await api('POST', '/chat/tickets', { token: bystander.accessToken })).status).toBe(201);
  });

  it(`open connections: at most ${MAX_CONNECTIONS_PER_USER}, and a closed one makes room`, async () => {
    const user = await newUser('sockets');
    const open: Client[] = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_USER; i++) open.push(await sockets.ticket(user));
    const ticket = await api('POST', '/chat/tickets', { token: user.accessToken });
    expect(await connect(`?ticket=${encodeURIComponent(ticket.body.ticket)}`)).toEqual({ refusedWith: 429 });
    await open[0]!.close();
    // $disconnect runs just after the close, as in AWS.
    await expect
      .poll(
        async () => {
          const again = await api('POST', '/chat/tickets', { token: user.accessToken });
          const outcome = await connect(`?ticket=${encodeURIComponent(again.body.ticket)}`);
          if ('socket' in outcome) sockets.keep(new (open[0]!.constructor as typeof Client)(outcome.socket));
          return 'socket' in outcome;
        },
        { interval: 250, timeout: 2000 },
      )
      .toBe(true);
  });

  it(`room joins: ${LIMITS.roomJoin.limit} a minute, then an error frame with retryAfter`, async () => {
    const user = await newUser('joins');
    const order = await placeOrder(user);
    const client = await sockets.ticket(user);
    await inOneWindow('roomJoin');
    for (let i = 0; i < LIMITS.roomJoin.limit; i++) {
      expect((await joinAnswer(client, order.id)).type).toBe('chatHistory');
    }
    const refused = await joinAnswer(client, order.id);
    expect(refused).toMatchObject({ type: 'error', status: 429, action: 'joinRoom', roomId: order.id });
    expect(refused.retryAfter).toBeGreaterThan(0);
  });

  it(`rooms per connection: at most ${MAX_ROOMS_PER_CONNECTION}; leaving one makes room`, async () => {
    const user = await newUser('rooms');
    const orders = [];
    for (let i = 0; i <= MAX_ROOMS_PER_CONNECTION; i++) orders.push(await placeOrder(user, `Room ${i}`));
    const client = await sockets.ticket(user);
    for (const order of orders.slice(0, MAX_ROOMS_PER_CONNECTION)) {
      expect((await joinAnswer(client, order.id)).type).toBe('chatHistory');
    }
    const last = orders.at(-1)!;
    expect(await joinAnswer(client, last.id)).toMatchObject({ type: 'error', status: 409 });
    // Joining a room it is already in is no new membership.
    expect((await joinAnswer(client, orders[0]!.id)).type).toBe('chatHistory');
    client.send({ action: 'leaveRoom', roomId: orders[0]!.id });
    await client.next((f) => f.type === 'leftRoom');
    expect((await joinAnswer(client, last.id)).type).toBe('chatHistory');
  });

  it(`page reads: ${LIMITS.pageRead.limit} a minute over HTTP, then 429 with Retry-After`, async () => {
    const user = await newUser('reads');
    const order = await placeOrder(user);
    await inOneWindow('pageRead');
    const pages = await Promise.all(
      Array.from({ length: LIMITS.pageRead.limit + 3 }, (_, i) =>
        api('GET', i % 2 ? `/chat/rooms/${order.id}/messages` : `/orders/${order.id}/history`, {
          token: user.accessToken,
        }),
      ),
    );
    expect(pages.filter((p) => p.status === 200)).toHaveLength(LIMITS.pageRead.limit);
    expect(pages.filter((p) => p.status === 429).every((p) => Number(p.headers.get('retry-after')) > 0)).toBe(true);
  });

  it('failed sign-ins: past the limit the address is refused, the right password included', async () => {
    const user = await newUser('lockout');
    await inOneWindow('failedSignIn');
    for (let i = 0; i < LIMITS.failedSignIn.limit; i++) {
      const wrong = await api('POST', '/auth/login', { body: { email: user.email, password: 'Wr0ng!Passw0rd' } });
      expect(wrong.status).toBe(401);
    }
    const locked = await api('POST', '/auth/login', { body: { email: user.email, password: STRONG_PASSWORD } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same answer for an address with no account: it tells nothing about who has one.
    const nobody = uniqueEmail('nobody');
    for (let i = 0; i < LIMITS.failedSignIn.limit; i++) {
      await api('POST', '/auth/login', { body: { email: nobody, password: 'Wr0ng!Passw0rd' } });
    }
    expect((await api('POST', '/auth/login', { body: { email: nobody, password: STRONG_PASSWORD } })).status).toBe(429);
  });
});

describe('per-address limits at the edge', () => {
  it('sign-ups: past the limit from one address a 429 with Retry-After; another address is not affected', async () => {
    const rule = EDGE_LIMITS.find((limit) => limit.path === '/auth/register')!;
    const signUp = (address: string) =>
      postFrom(address, '/auth/register', { name: 'Edge Test', email: uniqueEmail('edge'), password: STRONG_PASSWORD });
    for (let i = 0; i < rule.limit; i++) expect((await signUp('127.0.0.2')).status).toBe(201);
    const refused = await signUp('127.0.0.2');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.message).toMatch(/Too many requests from your address/);
    expect((await signUp('127.0.0.3')).status).toBe(201);
  });

  it('sign-ins: past the limit from one address a 429, before any function runs', async () => {
    const rule = EDGE_LIMITS.find((limit) => limit.path === '/auth/login')!;
    const signIn = () => postFrom('127.0.0.4', '/auth/login', { email: uniqueEmail('edge-in'), password: 'x' });
    const answers = [];
    for (let i = 0; i <= rule.limit; i++) answers.push((await signIn()).status);
    expect(answers.slice(0, rule.limit).every((status) => status === 401 || status === 400)).toBe(true);
    expect(answers.at(-1)).toBe(429);
  });
});
