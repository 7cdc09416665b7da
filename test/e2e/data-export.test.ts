// End-to-end: "your data" — everything the service holds about a user, in pages bounded by bytes
// and reads, joined by the client library into one document.
import { describe, expect, it } from 'vitest';
import { createOrderChatApi } from '../../client/src/index.ts';
import { EXPORT_PAGE_BYTES, EXPORT_PAGE_STEPS } from '#lambdas/export/page-bounds.ts';
import { api, bootstrapAdmin, newUser, placeOrder, runtime, type ApiResponse, type Session } from './support.ts';
import { plantMessages } from './planted.ts';

/** Every page of a user's export, as the API answers them. */
async function exportPages(session: Session) {
  const pages: { body: any; bytes: number }[] = [];
  let cursor: string | null = null;
  do {
    const response: ApiResponse = await api(
      'GET',
      `/users/me/data${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
      {
        token: session.accessToken,
      },
    );
    expect(response.status).toBe(200);
    pages.push({ body: response.body, bytes: Buffer.byteLength(response.text) });
    cursor = response.body.nextCursor;
  } while (cursor);
  return pages;
}

describe('downloading your data', () => {
  it('holds the profile, every order the user placed with its history, and its room’s messages with authors', async () => {
    const customer = await newUser('export');
    const admin = await bootstrapAdmin();
    const first = await placeOrder(customer, 'Export order one');
    const second = await placeOrder(customer, 'Export order two');
    await api('PATCH', `/orders/${first.id}/status`, { token: admin.accessToken, body: { status: 'PROCESSING' } });
    await plantMessages(first.id, { id: customer.user.id, name: customer.user.name, role: 'REGULAR' }, [
      'Navy, please',
    ]);
    await plantMessages(first.id, { id: admin.user.id, name: admin.user.name, role: 'ADMIN' }, ['Navy it is']);
    // Someone else's order is not theirs to take.
    const stranger = await newUser('export-stranger');
    const theirs = await placeOrder(stranger, 'Not yours');

    const pages = await exportPages(customer);
    expect(pages[0]!.body.profile).toMatchObject({ id: customer.user.id, email: customer.email });
    expect(pages.slice(1).every((page) => page.body.profile === null)).toBe(true);
    const orders = pages.flatMap((page) => page.body.orders);
    expect(orders.map((order: { id: string }) => order.id).sort()).toEqual([first.id, second.id].sort());
    expect(orders.map((order: { id: string }) => order.id)).not.toContain(theirs.id);
    const history = pages.flatMap((page) => page.body.history).filter((part) => part.orderId === first.id);
    expect(history.flatMap((part) => part.events).map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(['CREATED', 'STATUS_CHANGED']),
    );

    // The client library joins the pages into one document.
    const client = createOrderChatApi({ baseUrl: runtime.httpUrl });
    await client.signIn({ email: customer.email, password: customer.password });
    const document = await client.exportMyData();
    expect(document.profile.id).toBe(customer.user.id);
    expect(document.orders).toHaveLength(2);
    const one = document.orders.find((order) => order.id === first.id)!;
    expect(one.status).toBe('PROCESSING');
    expect(one.history.map((event) => event.version)).toEqual([1, 2]);
    expect(one.messages.map((message) => [message.content, message.sender.name, message.sender.role])).toEqual([
      ['Navy, please', customer.user.name, 'REGULAR'],
      ['Navy it is', admin.user.name, 'ADMIN'],
    ]);
    expect(document.orders.find((order) => order.id === second.id)!.messages).toEqual([]);
  });

  it('pages a large record by bytes and by reads, each message once, every page well under Lambda’s 6 MB', async () => {
    const customer = await newUser('export-big');
    const sender = { id: customer.user.id, name: customer.user.name, role: 'REGULAR' as const };
    const big = await placeOrder(customer, 'A long conversation');
    // 1,000 messages of 3,900 characters: about 4 MB of conversation in one room.
    const planted = await plantMessages(
      big.id,
      sender,
      Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(4, '0')} ${'x'.repeat(3895)}`),
    );
    // More orders than one page's reads reach.
    for (let i = 0; i < EXPORT_PAGE_STEPS / 2; i += 1) await placeOrder(customer, `Small order ${i}`);

    const pages = await exportPages(customer);
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) {
      expect(page.bytes).toBeLessThan(EXPORT_PAGE_BYTES + 1024 * 1024 + 64 * 1024);
      expect(page.bytes).toBeLessThan(6 * 1024 * 1024);
    }
    const messages = pages.flatMap((page) => page.body.messages).flatMap((part) => part.items);
    expect(messages.map((message: { id: string }) => message.id).sort()).toEqual([...planted].sort());
    expect(pages.flatMap((page) => page.body.orders)).toHaveLength(1 + EXPORT_PAGE_STEPS / 2);
  });

  it('is the caller’s own: anonymous callers get 401, another user’s cursor 400, an admin only their own orders', async () => {
    expect((await api('GET', '/users/me/data')).status).toBe(401);
    const customer = await newUser('export-own');
    for (let i = 0; i < EXPORT_PAGE_STEPS / 2; i += 1) await placeOrder(customer, `Own order ${i}`);
    const [first] = await exportPages(customer);
    expect(first!.body.nextCursor).toEqual(expect.any(String));
    const other = await newUser('export-other');
    const borrowed = await api('GET', `/users/me/data?cursor=${encodeURIComponent(first!.body.nextCursor)}`, {
      token: other.accessToken,
    });
    expect(borrowed.status).toBe(400);
    expect(borrowed.body.errors).toEqual([{ path: 'query.cursor', message: 'Invalid cursor' }]);
    expect((await api('GET', '/users/me/data?cursor=garbage', { token: customer.accessToken })).status).toBe(400);

    const admin = await bootstrapAdmin();
    const adminPages = await exportPages(admin);
    const adminOrders = adminPages.flatMap((page) => page.body.orders);
    expect(adminOrders.every((order: { userId: string }) => order.userId === admin.user.id)).toBe(true);
  });
});
