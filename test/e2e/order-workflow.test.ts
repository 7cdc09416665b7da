// End-to-end: assignment, internal notes, finding and exporting orders, and lists kept current,
// for every kind of caller, through the local runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, bootstrapAdmin, newAdmin, newUser, placeOrder, socketsClosedAfterEach, type Session } from './support.ts';

let customer: Session;
let stranger: Session;
let admin: Session;
let colleague: Session;
const sockets = socketsClosedAfterEach();

beforeAll(async () => {
  [customer, stranger, admin, colleague] = await Promise.all([
    newUser('workflowcustomer'),
    newUser('workflowstranger'),
    newAdmin('workflowlead'),
    newAdmin('workflowcolleague'),
  ]);
});

const as = (session: Session | undefined) => (session ? { token: session.accessToken } : {});
const assign = (session: Session | undefined, id: string, assigneeId: string | null, ifMatch?: string) =>
  api('PUT', `/orders/${id}/assignee`, {
    ...as(session),
    body: { assigneeId },
    ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}),
  });
const ids = (page: { body: { items: { id: string }[] } }) => page.body.items.map((order) => order.id);

describe('assigning orders', () => {
  it('lets an admin take an order, give it to another admin and hand it back, each in the history', async () => {
    const { id } = await placeOrder(customer, 'To be assigned');
    const taken = await assign(admin, id, admin.user.id);
    expect(taken.status).toBe(200);
    expect(taken.body.assignee).toEqual({ id: admin.user.id, name: admin.user.name });
    expect(taken.headers.get('etag')).toBe(`"${taken.body.version}"`);
    // The same assignee again changes nothing.
    const again = await assign(admin, id, admin.user.id);
    expect(again.body.version).toBe(taken.body.version);
    const given = await assign(admin, id, colleague.user.id);
    expect(given.body.assignee).toEqual({ id: colleague.user.id, name: colleague.user.name });
    const handedBack = await assign(colleague, id, null);
    expect(handedBack.status).toBe(200);
    expect(handedBack.body.assignee).toBeNull();

    const history = await api('GET', `/orders/${id}/history`, as(admin));
    const assignments = history.body.items.filter((event: { type: string }) => event.type === 'ASSIGNED');
    expect(assignments.map((event: any) => [event.by.id, event.changes.assignee.to?.id ?? null])).toEqual([
      [admin.user.id, admin.user.id],
      [admin.user.id, colleague.user.id],
      [colleague.user.id, null],
    ]);
    // The customer sees who handles their order (and its history), as support tools show the agent.
    const seen = await api('GET', `/orders/${id}`, as(customer));
    expect(seen.body.assignee).toBeNull();
  });

  it('refuses customers, strangers and anonymous callers, and a non-admin or unknown assignee', async () => {
    const { id } = await placeOrder(customer, 'Assignment refused');
    expect((await assign(undefined, id, admin.user.id)).status).toBe(401);
    expect((await assign(customer, id, customer.user.id)).status).toBe(403);
    expect((await assign(stranger, id, admin.user.id)).status).toBe(403);
    const toCustomer = await assign(admin, id, customer.user.id);
    expect(toCustomer.status).toBe(422);
    expect(toCustomer.body.detail).toBe('Orders can only be assigned to an admin.');
    expect((await assign(admin, id, '00000000-0000-4000-8000-000000000000')).status).toBe(422);
    expect((await assign(admin, '01JDZ8Q4V3N9W2K7T6R5M4P3X2', admin.user.id)).status).toBe(404);
    const malformed = await api('PUT', `/orders/${id}/assignee`, { ...as(admin), body: { assigneeId: 'me' } });
    expect(malformed.status).toBe(400);
  });

  it('lets one of two admins assigning at once win; the other hears who has it (409), or 412 with a stale If-Match', async () => {
    const { id, version } = await placeOrder(customer, 'Two admins at once');
    const [first, second] = await Promise.all([
      assign(admin, id, admin.user.id),
      assign(colleague, id, colleague.user.id),
    ]);
    const statuses = [first.status, second.status].sort();
    const current = (await api('GET', `/orders/${id}`, as(admin))).body;
    if (statuses[0] === 200 && statuses[1] === 200) {
      // Both ran one after the other (no overlap): the later one stands, recorded twice.
      expect([admin.user.id, colleague.user.id]).toContain(current.assignee.id);
    } else {
      expect(statuses).toEqual([200, 409]);
      const loser = first.status === 409 ? first : second;
      expect(loser.body.detail).toMatch(new RegExp(`assigned to ${current.assignee.name}`));
    }
    const stale = await assign(admin, id, null, `"${version}"`);
    expect(stale.status).toBe(412);
    // Both based on the same version (If-Match): exactly one wins, however the two interleave.
    const { id: raced, version: seen } = await placeOrder(customer, 'Two admins, one version');
    const both = await Promise.all([
      assign(admin, raced, admin.user.id, `"${seen}"`),
      assign(colleague, raced, colleague.user.id, `"${seen}"`),
    ]);
    expect(both.map((answer) => answer.status).sort()).toEqual([200, 412]);
    const winner = both.find((answer) => answer.status === 200)!.body.assignee.id;
    expect((await api('GET', `/orders/${raced}`, as(admin))).body.assignee.id).toBe(winner);
  });

  it("hands a demoted admin's orders back to nobody, recorded as the demoting admin's doing", async () => {
    const leaving = await newAdmin('workflowleaving');
    const { id } = await placeOrder(customer, 'Assigned to someone demoted');
    expect((await assign(admin, id, leaving.user.id)).status).toBe(200);
    const boss = await bootstrapAdmin();
    expect(
      (await api('PATCH', `/users/${leaving.user.id}/role`, { ...as(boss), body: { role: 'REGULAR' } })).status,
    ).toBe(200);
    const order = (await api('GET', `/orders/${id}`, as(admin))).body;
    expect(order.assignee).toBeNull();
    const history = await api('GET', `/orders/${id}/history`, as(admin));
    expect(history.body.items.at(-1)).toMatchObject({
      type: 'ASSIGNED',
      by: { id: boss.user.id },
      changes: { assignee: { from: { id: leaving.user.id }, to: null } },
    });
    // Nor can anyone assign them orders now.
    expect((await assign(admin, id, leaving.user.id)).status).toBe(422);
    // Their token, the same as a minute ago, opens none of the workflow's admin routes any more.
    const refused = [
      await assign(leaving, id, null),
      await api('POST', `/orders/${id}/notes`, { ...as(leaving), body: { text: 'Still here?' } }),
      await api('GET', `/orders/${id}/notes`, as(leaving)),
      await api('GET', '/orders/export', as(leaving)),
      await api('GET', '/orders?assignee=none', as(leaving)),
      await api('GET', '/users/search?name=Test', as(leaving)),
      await api('GET', '/chat/inbox?assignee=me', as(leaving)),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403, 403, 403]);
  });

  it("hands a deleted admin's orders back to nobody", async () => {
    const leaving = await newAdmin('workflowdeleted');
    const { id } = await placeOrder(customer, 'Assigned to someone deleted');
    expect((await assign(admin, id, leaving.user.id)).status).toBe(200);
    const boss = await bootstrapAdmin();
    expect((await api('DELETE', `/users/${leaving.user.id}`, as(boss))).status).toBe(204);
    expect((await api('GET', `/orders/${id}`, as(admin))).body.assignee).toBeNull();
    const listed = await api('GET', `/orders?assignee=${leaving.user.id}`, as(admin));
    expect(listed.body.items).toEqual([]);
  });
});

describe('finding orders', () => {
  it('filters by assignee (me, none, an id), with a status and dates, each a page of its own', async () => {
    const mine = await placeOrder(customer, 'Mine to handle');
    const nobodys = await placeOrder(customer, 'Nobody handles it');
    expect((await assign(colleague, mine.id, colleague.user.id)).status).toBe(200);
    const assignedToMe = await api('GET', '/orders?assignee=me&limit=100', as(colleague));
    expect(ids(assignedToMe)).toContain(mine.id);
    expect(ids(assignedToMe)).not.toContain(nobodys.id);
    expect(assignedToMe.body.items.find((o: any) => o.id === mine.id)).toMatchObject({
      assignee: { id: colleague.user.id, name: colleague.user.name },
      customer: { id: customer.user.id, name: customer.user.name, email: customer.email },
      status: 'REVIEW',
    });
    const byId = await api('GET', `/orders?assignee=${colleague.user.id}&status=REVIEW`, as(admin));
    expect(ids(byId)).toContain(mine.id);
    const processing = await api('GET', `/orders?assignee=${colleague.user.id}&status=PROCESSING`, as(admin));
    expect(ids(processing)).not.toContain(mine.id);
    const unassigned = await api('GET', '/orders?assignee=none&status=REVIEW&limit=100', as(admin));
    expect(ids(unassigned)).toContain(nobodys.id);
    expect(ids(unassigned)).not.toContain(mine.id);
    const today = mine.createdAt.slice(0, 10);
    const dated = await api(
      'GET',
      `/orders?assignee=me&status=REVIEW&createdFrom=${today}&createdTo=${today}`,
      as(colleague),
    );
    expect(ids(dated)).toContain(mine.id);
    const undated = await api('GET', '/orders?assignee=me&status=REVIEW&createdTo=2000-01-01', as(colleague));
    expect(undated.body.items).toEqual([]);
    // An assignee's orders by date need a status (their sort key starts with it).
    const vague = await api('GET', `/orders?assignee=me&createdFrom=${today}`, as(colleague));
    expect(vague.status).toBe(400);
  });

  it("finds a customer's orders by their e-mail (any case) or id, and customers by a prefix of their name", async () => {
    const { id } = await placeOrder(customer, 'Found by e-mail');
    const byEmail = await api(
      'GET',
      `/orders?customerEmail=${encodeURIComponent(customer.email.toUpperCase())}`,
      as(admin),
    );
    expect(byEmail.status).toBe(200);
    expect(ids(byEmail)).toContain(id);
    expect(byEmail.body.items.every((o: any) => o.userId === customer.user.id)).toBe(true);
    const nobody = await api('GET', '/orders?customerEmail=nobody-at-all%40example.com', as(admin));
    expect(nobody.body).toMatchObject({ items: [], nextCursor: null });
    const byCustomer = await api('GET', `/orders?customerId=${customer.user.id}&status=REVIEW`, as(admin));
    expect(ids(byCustomer)).toContain(id);
    const found = await api(
      'GET',
      `/users/search?name=${encodeURIComponent(customer.user.name.slice(0, 8).toLowerCase())}&limit=100`,
      as(admin),
    );
    expect(found.status).toBe(200);
    expect(found.body.items).toContainEqual({
      id: customer.user.id,
      name: customer.user.name,
      email: customer.email,
      role: 'REGULAR',
    });
    // Both kinds of filter at once is no single index: refused.
    const both = await api('GET', `/orders?customerId=${customer.user.id}&assignee=none`, as(admin));
    expect(both.status).toBe(400);
    const backwards = await api('GET', '/orders?createdFrom=2026-12-02&createdTo=2026-12-01', as(admin));
    expect(backwards.status).toBe(400);
  });

  it('finds users by their name as it is now, and never a deleted account', async () => {
    const renamed = await newUser('workflowrenamed');
    const stamp = Date.now().toString(36);
    const answer = await api('PATCH', '/users/me', { ...as(renamed), body: { name: `Zed ${stamp}` } });
    expect(answer.status).toBe(200);
    const search = async (name: string) =>
      (await api('GET', `/users/search?name=${encodeURIComponent(name)}&limit=100`, as(admin))).body.items.map(
        (user: { id: string }) => user.id,
      );
    expect(await search(`zed ${stamp}`)).toEqual([renamed.user.id]);
    expect(await search(renamed.user.name)).not.toContain(renamed.user.id);
    expect((await api('DELETE', '/users/me', { ...as(renamed), body: { password: renamed.password } })).status).toBe(
      204,
    );
    expect(await search(`zed ${stamp}`)).toEqual([]);
  });

  it('lets customers filter their own orders by status and dates, never by assignee or customer', async () => {
    const { id, createdAt } = await placeOrder(customer, 'Own, filtered');
    const own = await api('GET', `/orders?status=REVIEW&createdFrom=${createdAt}`, as(customer));
    expect(ids(own)).toContain(id);
    expect(own.body.items.every((o: any) => o.userId === customer.user.id)).toBe(true);
    expect(own.body.items[0]).not.toHaveProperty('customer');
    expect((await api('GET', '/orders?assignee=none', as(customer))).status).toBe(403);
    expect((await api('GET', `/orders?customerId=${stranger.user.id}`, as(customer))).status).toBe(403);
    expect((await api('GET', `/orders?customerEmail=${encodeURIComponent(stranger.email)}`, as(customer))).status).toBe(
      403,
    );
    expect((await api('GET', '/users/search?name=Test', as(customer))).status).toBe(403);
    expect((await api('GET', '/users/search?name=Test')).status).toBe(401);
    expect((await api('GET', '/orders?createdFrom=yesterday', as(customer))).status).toBe(400);
  });

  it('binds a cursor to its filters: another filter’s cursor is refused', async () => {
    await Promise.all([placeOrder(customer, 'Paged one'), placeOrder(customer, 'Paged two')]);
    const first = await api('GET', `/orders?customerId=${customer.user.id}&limit=1`, as(admin));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await api(
      'GET',
      `/orders?customerId=${customer.user.id}&limit=1&cursor=${first.body.nextCursor}`,
      as(admin),
    );
    expect(next.status).toBe(200);
    expect(ids(next)).not.toEqual(ids(first));
    const elsewhere = await api('GET', `/orders?status=REVIEW&limit=1&cursor=${first.body.nextCursor}`, as(admin));
    expect(elsewhere.status).toBe(400);
  });
});

describe('internal notes', () => {
  const SECRET = `Internal: customer pays late ${Date.now()}`;

  it('lets admins write and read notes, newest first; refuses customers, strangers and anonymous callers', async () => {
    const { id } = await placeOrder(customer, 'Noted');
    const written = await api('POST', `/orders/${id}/notes`, { ...as(admin), body: { text: SECRET } });
    expect(written.status).toBe(201);
    expect(written.body).toMatchObject({ text: SECRET, by: { id: admin.user.id, name: admin.user.name } });
    await api('POST', `/orders/${id}/notes`, { ...as(colleague), body: { text: 'Second note' } });
    const read = await api('GET', `/orders/${id}/notes`, as(colleague));
    expect(read.status).toBe(200);
    expect(read.body.items.map((note: { text: string }) => note.text)).toEqual(['Second note', SECRET]);
    for (const session of [customer, stranger]) {
      expect((await api('GET', `/orders/${id}/notes`, as(session))).status).toBe(403);
      expect((await api('POST', `/orders/${id}/notes`, { ...as(session), body: { text: 'x' } })).status).toBe(403);
    }
    expect((await api('GET', `/orders/${id}/notes`)).status).toBe(401);
    expect(
      (await api('POST', `/orders/01JDZ8Q4V3N9W2K7T6R5M4P3X2/notes`, { ...as(admin), body: { text: 'x' } })).status,
    ).toBe(404);
    expect((await api('POST', `/orders/${id}/notes`, { ...as(admin), body: { text: '' } })).status).toBe(400);
  });

  it('never reach the customer: not in any answer, history, export, room or frame they can get', async () => {
    const { id } = await placeOrder(customer, 'Noted, then looked at by its customer');
    expect((await api('POST', `/orders/${id}/notes`, { ...as(admin), body: { text: SECRET } })).status).toBe(201);
    // Changes after the note: the history has pages to read.
    expect((await assign(admin, id, admin.user.id)).status).toBe(200);
    expect((await api('PATCH', `/orders/${id}/status`, { ...as(admin), body: { status: 'PROCESSING' } })).status).toBe(
      200,
    );
    const c = await sockets.ticket(customer);
    c.send({ action: 'joinRoom', roomId: id });
    const joined = await c.next((f) => f.type === 'chatHistory');
    c.send({ action: 'watchOrders' });
    await c.next((f) => f.type === 'watchingOrders');
    expect(
      (await api('POST', `/orders/${id}/notes`, { ...as(admin), body: { text: `${SECRET} (live)` } })).status,
    ).toBe(201);
    expect((await api('PATCH', `/orders/${id}/status`, { ...as(admin), body: { status: 'COMPLETED' } })).status).toBe(
      200,
    );
    await c.next((f) => f.type === 'orderStatusChanged');
    await c.next((f) => f.type === 'orderListChanged');
    const seen = [
      await api('GET', `/orders/${id}`, as(customer)),
      await api('GET', '/orders?limit=100', as(customer)),
      await api('GET', `/orders/${id}/history?limit=100`, as(customer)),
      await api('GET', `/chat/rooms/${id}`, as(customer)),
      await api('GET', `/chat/rooms/${id}/messages`, as(customer)),
      await api('GET', '/users/me/data', as(customer)),
    ];
    for (const answer of seen) {
      expect(answer.status).toBeLessThan(500);
      expect(answer.text).not.toContain('customer pays late');
    }
    expect(JSON.stringify([joined, ...c.pending()])).not.toContain('customer pays late');
  });
});

describe("the admins' inbox by assignee", () => {
  const waiting = async (session: Session, assignee: string) =>
    (await api('GET', `/chat/inbox?assignee=${assignee}&limit=100`, as(session))).body.items.map(
      (room: { roomId: string }) => room.roomId,
    );

  it('files a waiting room under its order’s assignee, and moves it when the order is reassigned', async () => {
    const assignedFirst = await placeOrder(customer, 'Assigned before anyone wrote');
    const writtenFirst = await placeOrder(customer, 'Written in before it was assigned');
    expect((await assign(admin, assignedFirst.id, colleague.user.id)).status).toBe(200);
    const c = await sockets.ticket(customer);
    for (const id of [assignedFirst.id, writtenFirst.id]) {
      c.send({ action: 'joinRoom', roomId: id });
      await c.next((f) => f.type === 'chatHistory' && f.roomId === id);
      c.send({ action: 'sendMessage', roomId: id, content: 'Anyone there?' });
      await c.next((f) => f.type === 'newMessage' && f.roomId === id);
    }
    expect(await waiting(colleague, 'me')).toContain(assignedFirst.id);
    expect(await waiting(colleague, 'me')).not.toContain(writtenFirst.id);
    // Each room of the inbox says who handles its order.
    const mine = (await api('GET', '/chat/inbox?assignee=me&limit=100', as(colleague))).body.items;
    expect(mine.find((room: { roomId: string }) => room.roomId === assignedFirst.id).assignee).toEqual({
      id: colleague.user.id,
      name: colleague.user.name,
    });
    expect(await waiting(admin, 'none')).toContain(writtenFirst.id);
    expect(await waiting(admin, 'none')).not.toContain(assignedFirst.id);
    // Reassigned while it waits: it moves at once.
    expect((await assign(admin, writtenFirst.id, colleague.user.id)).status).toBe(200);
    expect(await waiting(admin, colleague.user.id)).toContain(writtenFirst.id);
    expect(await waiting(admin, 'none')).not.toContain(writtenFirst.id);
    // The whole inbox still holds both; an answer takes a room out of every view of it.
    const all = (await api('GET', '/chat/inbox?limit=100', as(admin))).body.items.map((room: any) => room.roomId);
    expect(all).toEqual(expect.arrayContaining([assignedFirst.id, writtenFirst.id]));
    const a = await sockets.ticket(colleague);
    a.send({ action: 'joinRoom', roomId: writtenFirst.id });
    await a.next((f) => f.type === 'chatHistory');
    a.send({ action: 'sendMessage', roomId: writtenFirst.id, content: 'Here!' });
    await a.next((f) => f.type === 'newMessage');
    expect(await waiting(colleague, 'me')).not.toContain(writtenFirst.id);
    // Customers have no inbox; a filter of someone's inbox is refused to them too.
    expect((await api('GET', '/chat/inbox?assignee=me', as(customer))).status).toBe(403);
    expect((await api('GET', '/chat/inbox?assignee=someone', as(admin))).status).toBe(400);
  });
});

describe('exporting orders', () => {
  it('answers admins with the filtered list as CSV, formula cells defused, parts linked with rel="next"', async () => {
    const exporter = await newUser('workflowexporter');
    const risky = await placeOrder(exporter, '=HYPERLINK("http://evil.example","click")');
    await placeOrder(exporter, 'Plain, with "quotes", a comma\nand a new line');
    await placeOrder(exporter, '+1 more');
    const response = await api('GET', `/orders/export?customerId=${exporter.user.id}`, as(admin));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="orders.csv"');
    expect(response.headers.get('link')).toBeNull();
    const lines = response.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      '"Order","Placed at","Status","Customer","Customer e-mail","Quantity","Description","Assigned to","Chat"',
    );
    expect(response.text).toContain(`"${risky.id}"`);
    expect(response.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(response.text).toContain(`"'+1 more"`);
    expect(response.text).toContain('"Plain, with ""quotes"", a comma\nand a new line"');
    expect(response.text).toContain(`"${exporter.user.name}","${exporter.email}"`);
    for (const session of [customer, stranger])
      expect((await api('GET', '/orders/export', as(session))).status).toBe(403);
    expect((await api('GET', '/orders/export')).status).toBe(401);
  });
});

describe('lists that stay current', () => {
  it('tells watching admins of every order, a watching customer of their own only', async () => {
    const [adminSocket, customerSocket, strangerSocket] = await Promise.all([
      sockets.ticket(colleague),
      sockets.ticket(customer),
      sockets.ticket(stranger),
    ]);
    for (const socket of [adminSocket, customerSocket, strangerSocket]) socket.send({ action: 'watchOrders' });
    expect(await adminSocket.next((f) => f.type === 'watchingOrders')).toMatchObject({ watching: true, scope: 'all' });
    expect(await customerSocket.next((f) => f.type === 'watchingOrders')).toMatchObject({ scope: 'own' });
    await strangerSocket.next((f) => f.type === 'watchingOrders');

    const order = await placeOrder(customer, 'Watched');
    for (const socket of [adminSocket, customerSocket]) {
      expect(await socket.next((f) => f.type === 'orderListChanged' && f.orderId === order.id)).toMatchObject({
        change: 'placed',
        status: 'REVIEW',
      });
    }
    expect((await assign(admin, order.id, admin.user.id)).status).toBe(200);
    expect(
      await adminSocket.next((f) => f.type === 'orderListChanged' && f.change === 'assigned' && f.orderId === order.id),
    ).toMatchObject({
      orderId: order.id,
    });
    await api('PATCH', `/orders/${order.id}/status`, { ...as(admin), body: { status: 'PROCESSING' } });
    expect(
      await customerSocket.next(
        (f) => f.type === 'orderListChanged' && f.change === 'status' && f.orderId === order.id,
      ),
    ).toMatchObject({
      status: 'PROCESSING',
    });
    // The stranger watches their own orders: they heard of none of this.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(strangerSocket.pending().filter((f) => f.type === 'orderListChanged')).toEqual([]);

    customerSocket.send({ action: 'unwatchOrders' });
    expect(await customerSocket.next((f) => f.type === 'watchingOrders')).toMatchObject({ watching: false });
    await api('PATCH', `/orders/${order.id}`, { ...as(admin), body: { quantity: 3 } });
    expect(
      await adminSocket.next((f) => f.type === 'orderListChanged' && f.change === 'edited' && f.orderId === order.id),
    ).toMatchObject({
      orderId: order.id,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(customerSocket.pending().filter((f) => f.type === 'orderListChanged' && f.change === 'edited')).toEqual([]);
  });

  it('stops telling a demoted admin: their sockets close, and a new one watches their own orders only', async () => {
    const demoted = await newAdmin('workflowwatcher');
    const socket = await sockets.ticket(demoted);
    socket.send({ action: 'watchOrders' });
    expect(await socket.next((f) => f.type === 'watchingOrders')).toMatchObject({ scope: 'all' });
    const boss = await bootstrapAdmin();
    await api('PATCH', `/users/${demoted.user.id}/role`, { ...as(boss), body: { role: 'REGULAR' } });
    await socket.closed;
    const { login } = await import('./support.ts');
    const again = await login(demoted.email, demoted.password);
    const fresh = await sockets.ticket(again);
    fresh.send({ action: 'watchOrders' });
    expect(await fresh.next((f) => f.type === 'watchingOrders')).toMatchObject({ scope: 'own' });
    const order = await placeOrder(customer, 'Not for the demoted');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fresh.pending().filter((f) => f.type === 'orderListChanged' && f.orderId === order.id)).toEqual([]);
  });
});
