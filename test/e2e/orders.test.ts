// End-to-end: the order lifecycle, ownership, paging, safe retries and concurrency through the local runtime.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, bootstrapAdmin, newUser, type Session } from './support.ts';

const validOrder = (n = 1) => ({
  description: `Order ${n}: 40 blue widgets`,
  specifications: { color: 'blue', size: { w: 10, h: 20 }, tags: ['a', 'b'] },
  quantity: 40,
  metadata: { source: 'e2e' },
});

const place = async (session: Session, body: unknown = validOrder(), headers: Record<string, string> = {}) =>
  api('POST', '/orders', { token: session.accessToken, body, headers });

const countOrders = async (session: Session): Promise<number> => {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: any = await api('GET', `/orders?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      token: session.accessToken,
    });
    count += page.body.items.length;
    cursor = page.body.nextCursor;
  } while (cursor);
  return count;
};

let owner: Session;
let other: Session;
let admin: Session;

beforeAll(async () => {
  [owner, other, admin] = await Promise.all([newUser('owner'), newUser('other'), bootstrapAdmin()]);
});

describe('POST /orders', () => {
  it('creates an order in REVIEW with its open chat room, Location and ETag', async () => {
    const response = await place(owner);
    expect(response.status).toBe(201);
    const order = response.body;
    expect(order).toMatchObject({
      userId: owner.user.id,
      ...validOrder(),
      status: 'REVIEW',
      version: 1,
      chatRoom: { id: order.id, isOpen: true },
    });
    expect(order.createdAt).toBe(order.updatedAt);
    expect(response.headers.get('location')).toBe(`/orders/${order.id}`);
    expect(response.headers.get('etag')).toBe('"1"');
  });

  it('defaults metadata to an empty object', async () => {
    const { metadata: _m, ...withoutMetadata } = validOrder();
    const response = await place(owner, withoutMetadata);
    expect(response.status).toBe(201);
    expect(response.body.metadata).toEqual({});
  });

  it('refuses admins (403) and anonymous callers (401)', async () => {
    const byAdmin = await place(admin);
    expect(byAdmin.status).toBe(403);
    expect((await api('POST', '/orders', { body: validOrder() })).status).toBe(401);
  });

  it.each([
    ['quantity 0', { ...validOrder(), quantity: 0 }, 'body.quantity'],
    ['quantity 1.5', { ...validOrder(), quantity: 1.5 }, 'body.quantity'],
    ['quantity "5"', { ...validOrder(), quantity: '5' }, 'body.quantity'],
    ['quantity 1,000,001', { ...validOrder(), quantity: 1_000_001 }, 'body.quantity'],
    ['an empty description', { ...validOrder(), description: '   ' }, 'body.description'],
    ['a 1001-character description', { ...validOrder(), description: 'x'.repeat(1001) }, 'body.description'],
    [
      'specifications over 16 KB',
      { ...validOrder(), specifications: { blob: 'x'.repeat(17 * 1024) } },
      'body.specifications',
    ],
    ['specifications that are not an object', { ...validOrder(), specifications: ['a'] }, 'body.specifications'],
    ['metadata over 16 KB', { ...validOrder(), metadata: { blob: 'x'.repeat(17 * 1024) } }, 'body.metadata'],
    [
      'nesting deeper than DynamoDB allows',
      { ...validOrder(), specifications: JSON.parse('{"a":'.repeat(20) + '1' + '}'.repeat(20)) },
      'body.specifications',
    ],
    // Refused while parsing, before any recursive step could overflow the stack.
    ['JSON nested 2,100 levels deep', { ...validOrder(), specifications: { deep: '__DEEP__' } }, 'body'],
    ['an empty key', { ...validOrder(), specifications: { '': 1 } }, 'body.specifications'],
    ['an unknown field', { ...validOrder(), status: 'COMPLETED' }, 'body.status'],
    ['a missing field', { description: 'x', quantity: 1 }, 'body.specifications'],
  ] as [string, unknown, string][])('answers 400 for %s and writes nothing', async (_case, body, path) => {
    const fresh = await newUser('badinput');
    const text = JSON.stringify(body).replace('"__DEEP__"', '['.repeat(2100) + ']'.repeat(2100));
    const response = await api('POST', '/orders', {
      token: fresh.accessToken,
      rawBody: text,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await countOrders(fresh)).toBe(0);
  });

  it('answers 400 for an Idempotency-Key over 255 characters', async () => {
    const response = await place(owner, validOrder(), { 'idempotency-key': 'k'.repeat(256) });
    expect(response.status).toBe(400);
  });
});

describe('safe retries with Idempotency-Key', () => {
  it('returns the original 201 for the same key and body, creating nothing', async () => {
    const user = await newUser('retrier');
    const key = randomUUID();
    const first = await place(user, validOrder(7), { 'idempotency-key': key });
    const second = await place(user, validOrder(7), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await countOrders(user)).toBe(1);
  });

  it('takes the same body with its keys in another order as the same request', async () => {
    const user = await newUser('reordered');
    const key = randomUUID();
    const first = await place(user, validOrder(3), { 'idempotency-key': key });
    const { description, specifications, quantity, metadata } = validOrder(3);
    const reordered = {
      metadata,
      quantity,
      specifications: { tags: specifications.tags, size: { h: 20, w: 10 }, color: specifications.color },
      description,
    };
    const second = await place(user, reordered, { 'idempotency-key': key });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(await countOrders(user)).toBe(1);
  });

  it('answers 422 for the same key with another body, and writes nothing', async () => {
    const user = await newUser('mismatch');
    const key = randomUUID();
    expect((await place(user, validOrder(1), { 'idempotency-key': key })).status).toBe(201);
    const mismatched = await place(user, validOrder(2), { 'idempotency-key': key });
    expect(mismatched.status).toBe(422);
    expect(await countOrders(user)).toBe(1);
  });

  it('scopes keys to the user: two users may use the same key', async () => {
    const [a, b] = await Promise.all([newUser('keyA'), newUser('keyB')]);
    const key = randomUUID();
    const first = await place(a, validOrder(), { 'idempotency-key': key });
    const second = await place(b, validOrder(), { 'idempotency-key': key });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.userId).toBe(b.user.id);
  });

  it('creates one order when the same request races itself, and every racer answers with it', async () => {
    const user = await newUser('racer');
    const key = randomUUID();
    const responses = await Promise.all([1, 2, 3].map(() => place(user, validOrder(), { 'idempotency-key': key })));
    for (const response of responses) expect(response.status).toBe(201);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(await countOrders(user)).toBe(1);
  });
});

describe('GET /orders/{id} and /orders/{id}/history for every caller', () => {
  let orderId: string;
  beforeAll(async () => {
    orderId = (await place(owner)).body.id;
  });

  it('shows the order to its owner and admins, with its ETag', async () => {
    for (const session of [owner, admin]) {
      const response = await api('GET', `/orders/${orderId}`, { token: session.accessToken });
      expect(response.status).toBe(200);
      expect(response.body.id).toBe(orderId);
      expect(response.headers.get('etag')).toBe('"1"');
    }
  });

  it('answers 404 to another user, as if it did not exist, and 401 to anonymous callers', async () => {
    expect((await api('GET', `/orders/${orderId}`, { token: other.accessToken })).status).toBe(404);
    expect((await api('GET', `/orders/${orderId}/history`, { token: other.accessToken })).status).toBe(404);
    expect((await api('PATCH', `/orders/${orderId}`, { token: other.accessToken, body: { quantity: 2 } })).status).toBe(
      404,
    );
    expect((await api('GET', `/orders/${orderId}`)).status).toBe(401);
    expect((await api('GET', `/orders/${orderId}/history`)).status).toBe(401);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    expect((await api('GET', '/orders/not-an-id', { token: owner.accessToken })).status).toBe(400);
    expect((await api('GET', '/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: admin.accessToken })).status).toBe(404);
  });
});

describe('the order lifecycle', () => {
  it('runs from REVIEW through PROCESSING to COMPLETED with the right edit rights and a full history', async () => {
    const created = (await place(owner)).body;
    const id = created.id;

    const edited = await api('PATCH', `/orders/${id}`, {
      token: owner.accessToken,
      body: { quantity: 41, metadata: { note: 'rush' } },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ quantity: 41, metadata: { note: 'rush' }, version: 2 });
    expect(edited.headers.get('etag')).toBe('"2"');

    expect(
      (await api('PATCH', `/orders/${id}/status`, { token: owner.accessToken, body: { status: 'PROCESSING' } })).status,
    ).toBe(403);
    expect(
      (await api('PATCH', `/orders/${id}/status`, { token: other.accessToken, body: { status: 'PROCESSING' } })).status,
    ).toBe(403);
    expect((await api('PATCH', `/orders/${id}/status`, { body: { status: 'PROCESSING' } })).status).toBe(401);

    const skip = await api('PATCH', `/orders/${id}/status`, {
      token: admin.accessToken,
      body: { status: 'COMPLETED' },
    });
    expect(skip.status).toBe(409);
    expect(skip.body.detail).toContain('PROCESSING');

    const processing = await api('PATCH', `/orders/${id}/status`, {
      token: admin.accessToken,
      body: { status: 'PROCESSING' },
    });
    expect(processing.status).toBe(200);
    expect(processing.body).toMatchObject({ status: 'PROCESSING', version: 3 });

    const ownerLate = await api('PATCH', `/orders/${id}`, { token: owner.accessToken, body: { quantity: 1 } });
    expect(ownerLate.status).toBe(409);
    const adminEdit = await api('PATCH', `/orders/${id}`, {
      token: admin.accessToken,
      body: { description: 'Adjusted by admin' },
    });
    expect(adminEdit.status).toBe(200);

    const back = await api('PATCH', `/orders/${id}/status`, { token: admin.accessToken, body: { status: 'REVIEW' } });
    expect(back.status).toBe(409);
    expect(back.body.detail).toContain('COMPLETED');

    expect(
      (await api('PATCH', `/orders/${id}/status`, { token: admin.accessToken, body: { status: 'COMPLETED' } })).status,
    ).toBe(200);
    const done = await api('PATCH', `/orders/${id}`, { token: admin.accessToken, body: { quantity: 5 } });
    expect(done.status).toBe(409);
    const again = await api('PATCH', `/orders/${id}/status`, {
      token: admin.accessToken,
      body: { status: 'COMPLETED' },
    });
    expect(again.status).toBe(409);

    const history = await api('GET', `/orders/${id}/history`, { token: owner.accessToken });
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
      'CREATED',
      'UPDATED',
      'STATUS_CHANGED',
      'UPDATED',
      'STATUS_CHANGED',
    ]);
    expect(history.body.items.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(history.body.items[1]).toMatchObject({
      by: { id: owner.user.id, role: 'REGULAR' },
      changes: { quantity: { from: 40, to: 41 }, metadata: { from: { source: 'e2e' }, to: { note: 'rush' } } },
    });
    expect(history.body.items[2]).toMatchObject({
      by: { id: admin.user.id, role: 'ADMIN' },
      changes: { status: { from: 'REVIEW', to: 'PROCESSING' } },
    });
    expect((await api('GET', `/orders/${id}/history`, { token: admin.accessToken })).body.items).toHaveLength(5);
  });

  it('answers 400 for an empty patch, an unknown field, a bad status and a malformed If-Match, changing nothing', async () => {
    const id = (await place(owner)).body.id;
    for (const body of [{}, { quantity: 0 }, { userId: other.user.id }, { status: 'COMPLETED' }]) {
      expect((await api('PATCH', `/orders/${id}`, { token: owner.accessToken, body })).status).toBe(400);
    }
    expect(
      (
        await api('PATCH', `/orders/${id}`, {
          token: owner.accessToken,
          body: { quantity: 2 },
          headers: { 'if-match': 'v1' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await api('PATCH', `/orders/${id}/status`, { token: admin.accessToken, body: { status: 'SHIPPED' } })).status,
    ).toBe(400);
    const unchanged = await api('GET', `/orders/${id}`, { token: owner.accessToken });
    expect(unchanged.body.version).toBe(1);
  });
});

describe('concurrent changes', () => {
  it('with If-Match: one of two concurrent PATCHes wins, the other gets 412', async () => {
    const id = (await place(owner)).body.id;
    const [a, b] = await Promise.all([
      api('PATCH', `/orders/${id}`, {
        token: owner.accessToken,
        body: { quantity: 2 },
        headers: { 'if-match': '"1"' },
      }),
      api('PATCH', `/orders/${id}`, {
        token: admin.accessToken,
        body: { quantity: 3 },
        headers: { 'if-match': '"1"' },
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const final = await api('GET', `/orders/${id}`, { token: owner.accessToken });
    expect(final.body.version).toBe(2);
    expect(final.body.quantity).toBe(a.status === 200 ? 2 : 3);
    const stale = await api('PATCH', `/orders/${id}`, {
      token: owner.accessToken,
      body: { quantity: 9 },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
  });

  it('without If-Match: both concurrent PATCHes land, one after the other, and none is lost', async () => {
    const id = (await place(owner)).body.id;
    const [a, b] = await Promise.all([
      api('PATCH', `/orders/${id}`, { token: owner.accessToken, body: { quantity: 77 } }),
      api('PATCH', `/orders/${id}`, { token: admin.accessToken, body: { description: 'Both changes kept' } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const final = await api('GET', `/orders/${id}`, { token: owner.accessToken });
    expect(final.body).toMatchObject({ quantity: 77, description: 'Both changes kept', version: 3 });
    const history = await api('GET', `/orders/${id}/history`, { token: owner.accessToken });
    expect(history.body.items).toHaveLength(3);
  });
});

describe('GET /orders paging', () => {
  let pager: Session;
  let created: string[]; // oldest first
  beforeAll(async () => {
    pager = await newUser('pager');
    created = [];
    for (let i = 0; i < 45; i++) created.push((await place(pager, validOrder(i))).body.id);
    // 15 of them move on to PROCESSING.
    for (const id of created.slice(0, 15)) {
      await api('PATCH', `/orders/${id}/status`, { token: admin.accessToken, body: { status: 'PROCESSING' } });
    }
  }, 60_000);

  const collect = async (session: Session, query: string) => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const response: any = await api(
        'GET',
        `/orders?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: session.accessToken },
      );
      expect(response.status).toBe(200);
      pages.push(response.body.items.map((o: { id: string }) => o.id));
      cursor = response.body.nextCursor;
    } while (cursor && pages.length < 1000);
    return pages;
  };

  it('pages through 45 orders with limit 20: no gaps, no duplicates, newest first', async () => {
    const pages = await collect(pager, 'limit=20');
    expect(pages.map((p) => p.length).slice(0, 2)).toEqual([20, 20]);
    const ids = pages.flat();
    expect(ids).toEqual([...created].reverse());
  });

  it('pages with a status filter', async () => {
    const review = (await collect(pager, 'limit=20&status=REVIEW')).flat();
    const processing = (await collect(pager, 'limit=20&status=PROCESSING')).flat();
    expect(review).toEqual(created.slice(15).reverse());
    expect(processing).toEqual(created.slice(0, 15).reverse());
    expect((await collect(pager, 'status=COMPLETED')).flat()).toEqual([]);
  });

  it("shows admins everybody's orders, including all of these exactly once, newest first", async () => {
    const ids = (await collect(admin, 'limit=100')).flat();
    expect(new Set(ids).size).toBe(ids.length);
    const positions = created.map((id) => ids.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => b - a)).toEqual(positions);
    const processing = (await collect(admin, 'limit=100&status=PROCESSING')).flat();
    for (const id of created.slice(0, 15)) expect(processing).toContain(id);
    for (const id of created.slice(15)) expect(processing).not.toContain(id);
  });

  it("never shows a regular user anybody else's orders", async () => {
    const ids = (await collect(other, 'limit=100')).flat();
    for (const id of created) expect(ids).not.toContain(id);
  });

  it.each(['limit=0', 'limit=101', 'limit=2.5', 'status=SHIPPED', 'cursor=abc', 'cursor=eyJrIjp7fX0.AAAA', 'extra=1'])(
    'answers 400 for %s',
    async (query) => {
      expect((await api('GET', `/orders?${query}`, { token: pager.accessToken })).status).toBe(400);
    },
  );

  it("refuses another user's cursor or another filter's cursor with 400", async () => {
    const first = await api('GET', '/orders?limit=5', { token: pager.accessToken });
    const cursor = encodeURIComponent(first.body.nextCursor);
    expect((await api('GET', `/orders?cursor=${cursor}`, { token: other.accessToken })).status).toBe(400);
    expect((await api('GET', `/orders?status=REVIEW&cursor=${cursor}`, { token: pager.accessToken })).status).toBe(400);
    expect((await api('GET', `/orders?cursor=${cursor}`, { token: admin.accessToken })).status).toBe(400);
    expect((await api('GET', `/orders?cursor=${cursor}`, { token: pager.accessToken })).status).toBe(200);
  });
});
