// End-to-end: whatever users store, every item stays reachable and every answer fits its limit
// (API Gateway's 128 KB per WebSocket message, Lambda's 6 MB response), over HTTP and WebSocket.
import { describe, expect, it } from 'vitest';
import { api, newAdmin, newUser, placeOrder, socketsClosedAfterEach, type Session } from './support.ts';
import { plantMessages } from './planted.ts';

const WS_MESSAGE_BYTES = 128 * 1024;
const HTTP_PAGE_BYTES = 1024 * 1024;
const sockets = socketsClosedAfterEach();

/** 4,000 characters of three UTF-8 bytes each: 12 KB a message, the largest text a message holds. */
const heavy = (i: number) => `${String(i).padStart(4, '0')}${'☃'.repeat(3996)}`;

async function roomOf(label: string, count: number) {
  const customer = await newUser(label);
  const order = await placeOrder(customer);
  const sender = { id: customer.user.id, name: customer.user.name, role: 'REGULAR' as const };
  const ids = await plantMessages(
    order.id,
    sender,
    Array.from({ length: count }, (_, i) => heavy(i)),
  );
  return { customer, roomId: order.id as string, ids };
}

/** Every older page over HTTP, from the room's latest page, with each answer's size. */
async function readOverHttp(session: Session, roomId: string, limit: number) {
  const sizes: number[] = [];
  const first = await api('GET', `/chat/rooms/${roomId}`, { token: session.accessToken });
  expect(first.status).toBe(200);
  sizes.push(Buffer.byteLength(first.text));
  const ids: string[] = first.body.messages.map((m: { id: string }) => m.id);
  for (let cursor = first.body.nextCursor; cursor;) {
    const page = await api('GET', `/chat/rooms/${roomId}/messages?before=${cursor}&limit=${limit}`, {
      token: session.accessToken,
    });
    expect(page.status).toBe(200);
    sizes.push(Buffer.byteLength(page.text));
    ids.unshift(...page.body.items.map((m: { id: string }) => m.id));
    cursor = page.body.nextCursor;
  }
  return { ids, sizes };
}

describe('message pages', () => {
  it('reach every message of a room whose messages pass 1 MB a Query, each page within 1 MB', async () => {
    const { customer, roomId, ids } = await roomOf('heavy-http', 200);
    const read = await readOverHttp(customer, roomId, 100);
    expect(read.ids).toEqual(ids);
    expect(Math.max(...read.sizes)).toBeLessThanOrEqual(HTTP_PAGE_BYTES);
  });

  it('answer joinRoom and every resumed page within 128 KB, and a resume reaches the newest message', async () => {
    const { customer, roomId, ids } = await roomOf('heavy-ws', 120);
    const client = await sockets.ticket(customer);
    const sizes: number[] = [];
    client.socket.on('message', (data: Buffer) => sizes.push(data.length));

    client.send({ action: 'joinRoom', roomId });
    const latest = await client.next((f) => f.type === 'chatHistory');
    expect(latest.messages.length).toBeGreaterThan(0);
    expect(latest.messages.at(-1).id).toBe(ids.at(-1));
    expect(latest.nextCursor).toBe(latest.messages[0].id);

    // A client back from a drop resumes after the first message: it follows nextCursor to the end.
    const resumed: string[] = [];
    let after: string | null = ids[0]!;
    while (after) {
      client.send({ action: 'joinRoom', roomId, after });
      const page = await client.next((f) => f.type === 'chatHistory');
      resumed.push(...page.messages.map((m: { id: string }) => m.id));
      after = page.nextCursor;
    }
    expect(resumed).toEqual(ids.slice(1));
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(WS_MESSAGE_BYTES);
  });
});

describe('order history', () => {
  it('comes in pages within 1 MB that together hold every version once, oldest first', async () => {
    const customer = await newUser('history');
    const admin = await newAdmin('history-admin');
    const order = await placeOrder(customer);
    // Specifications of ~15 KB, changed 40 times: every event carries both sides (~30 KB).
    const big = (i: number) => ({ notes: `${i}`.repeat(1).padEnd(15_000, String.fromCharCode(97 + (i % 26))) });
    for (let i = 0; i < 40; i++) {
      const edited = await api('PATCH', `/orders/${order.id}`, {
        token: admin.accessToken,
        body: { specifications: big(i) },
      });
      expect(edited.status).toBe(200);
    }

    const versions: number[] = [];
    const sizes: number[] = [];
    let page = await api('GET', `/orders/${order.id}/history`, { token: customer.accessToken });
    for (;;) {
      expect(page.status).toBe(200);
      sizes.push(Buffer.byteLength(page.text));
      versions.unshift(...page.body.items.map((e: { version: number }) => e.version));
      if (page.body.nextCursor === null) break;
      page = await api('GET', `/orders/${order.id}/history?before=${page.body.nextCursor}`, {
        token: customer.accessToken,
      });
    }
    expect(versions).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(HTTP_PAGE_BYTES);

    // An older page is checked against who asks now, like the newest one.
    const stranger = await newUser('history-stranger');
    const refused = await api('GET', `/orders/${order.id}/history?before=10`, { token: stranger.accessToken });
    expect(refused.status).toBe(404);
  });

  it('starts with the order as placed, before and after its first change', async () => {
    const customer = await newUser('history-created');
    const order = await placeOrder(customer, 'As placed');
    const before = await api('GET', `/orders/${order.id}/history`, { token: customer.accessToken });
    expect(before.body).toMatchObject({ nextCursor: null, items: [{ version: 1, type: 'CREATED' }] });
    await api('PATCH', `/orders/${order.id}`, { token: customer.accessToken, body: { description: 'Changed' } });
    const after = await api('GET', `/orders/${order.id}/history?limit=1`, { token: customer.accessToken });
    expect(after.body).toMatchObject({ nextCursor: 2, items: [{ version: 2, type: 'UPDATED' }] });
    const first = await api('GET', `/orders/${order.id}/history?before=2`, { token: customer.accessToken });
    expect(first.body).toMatchObject({
      nextCursor: null,
      items: [{ version: 1, type: 'CREATED', changes: { description: { to: 'As placed' } } }],
    });
  });
});

describe('input DynamoDB could not store as sent', () => {
  it('refuses numbers past 2^53 with a 400 and stores nothing', async () => {
    const customer = await newUser('numbers');
    for (const n of ['12345678901234567890', '1e100', '9007199254740993']) {
      const response = await api('POST', '/orders', {
        token: customer.accessToken,
        rawBody: `{"description":"Big","specifications":{"n":${n}},"quantity":1}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status, n).toBe(400);
      expect(response.body.errors[0].message).toMatch(/9007199254740991/);
    }
    const mine = await api('GET', '/orders', { token: customer.accessToken });
    expect(mine.body.items).toEqual([]);
  });

  it('refuses invisible characters and names that pass for a role', async () => {
    for (const name of ['Root Admin (admin)', 'Eve\u200B', 'Mal\u2028lory', 'Trent\u{E0041}']) {
      const response = await api('POST', '/auth/register', {
        body: { name, email: `n-${Math.random().toString(36).slice(2)}@example.test`, password: 'Str0ng!Passw0rd' },
      });
      expect(response.status, JSON.stringify(name)).toBe(400);
    }
  });
});
