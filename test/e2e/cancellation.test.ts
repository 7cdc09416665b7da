// End-to-end: cancelling an order with a reason, for every kind of caller, through the local runtime.
import { beforeEach, describe, expect, it } from 'vitest';
import { api, bootstrapAdmin, newUser, placeOrder, socketsClosedAfterEach, type Session } from './support.ts';

let customer: Session;
let stranger: Session;
let admin: Session;
const sockets = socketsClosedAfterEach();

beforeEach(async () => {
  [customer, stranger, admin] = await Promise.all([newUser('canceller'), newUser('cancelstranger'), bootstrapAdmin()]);
});

const cancel = (session: Session | undefined, id: string, body: unknown = { reason: 'Ordered the wrong size' }) =>
  api('POST', `/orders/${id}/cancel`, { ...(session ? { token: session.accessToken } : {}), body });
const moveTo = (id: string, status: string) =>
  api('PATCH', `/orders/${id}/status`, { token: admin.accessToken, body: { status } });

async function joined(session: Session, roomId: string) {
  const c = await sockets.ticket(session);
  c.send({ action: 'joinRoom', roomId });
  await c.next((f) => f.type === 'chatHistory');
  return c;
}

describe('cancelling an order', () => {
  it('lets a customer cancel their own order in review: for good, with its room closed on the reason, told to the room and kept in the history', async () => {
    const { id } = await placeOrder(customer, 'To be cancelled');
    const listening = await joined(admin, id);
    const answer = await cancel(customer, id);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'CANCELLED',
      chatRoom: { isOpen: false },
      cancellation: { reason: 'Ordered the wrong size', by: customer.user.id, at: expect.any(String) },
    });
    expect(answer.headers.get('etag')).toBe(`"${answer.body.version}"`);
    // The room hears the close (the reason is its summary) and the status, in that order.
    expect(await listening.next((f) => f.type === 'roomClosed')).toMatchObject({
      roomId: id,
      summary: 'Ordered the wrong size',
      closedBy: customer.user.id,
    });
    expect(await listening.next((f) => f.type === 'orderStatusChanged')).toMatchObject({
      orderId: id,
      status: 'CANCELLED',
      previousStatus: 'REVIEW',
    });
    const history = await api('GET', `/orders/${id}/history`, { token: customer.accessToken });
    expect(history.body.items.at(-1)).toMatchObject({
      type: 'CANCELLED',
      by: { id: customer.user.id, role: 'REGULAR' },
      changes: { status: { from: 'REVIEW', to: 'CANCELLED' }, reason: { to: 'Ordered the wrong size' } },
    });
    const room = await api('GET', `/chat/rooms/${id}`, { token: customer.accessToken });
    expect(room.body).toMatchObject({ isOpen: false, summary: 'Ordered the wrong size' });
    // Listed under its status; nothing moves it on, edits it or cancels it again.
    const listed = await api('GET', '/orders?status=CANCELLED&limit=100', { token: customer.accessToken });
    expect(listed.body.items.map((order: { id: string }) => order.id)).toContain(id);
    expect((await moveTo(id, 'PROCESSING')).status).toBe(409);
    expect((await api('PATCH', `/orders/${id}`, { token: customer.accessToken, body: { quantity: 2 } })).status).toBe(
      409,
    );
    expect((await api('PATCH', `/orders/${id}`, { token: admin.accessToken, body: { quantity: 2 } })).status).toBe(409);
    const again = await cancel(customer, id);
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe('This order is cancelled already.');
  });

  it('lets an admin cancel an order in review or processing, not a completed one; a customer only in review', async () => {
    const { id } = await placeOrder(customer, 'Processing, then cancelled');
    expect((await moveTo(id, 'PROCESSING')).status).toBe(200);
    const refused = await cancel(customer, id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/only be cancelled while in REVIEW/);
    const cancelled = await cancel(admin, id, { reason: 'Out of stock' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancellation).toMatchObject({ reason: 'Out of stock', by: admin.user.id });

    const { id: done } = await placeOrder(customer, 'Completed');
    await moveTo(done, 'PROCESSING');
    await moveTo(done, 'COMPLETED');
    expect((await cancel(admin, done)).status).toBe(409);
  });

  it('is refused to anyone who may not see the order, and without a reason; the status route takes no cancellation', async () => {
    const { id } = await placeOrder(customer, 'Not theirs');
    expect((await cancel(stranger, id)).status).toBe(404);
    expect((await cancel(undefined, id)).status).toBe(401);
    for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(1001) }, { reason: 'ok', extra: 1 }]) {
      const answer = await cancel(customer, id, body);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await moveTo(id, 'CANCELLED')).status).toBe(400);
    expect((await api('GET', `/orders/${id}`, { token: customer.accessToken })).body.status).toBe('REVIEW');
  });

  it('races a status change: exactly one wins, and the other is told the state it met', async () => {
    const { id } = await placeOrder(customer, 'Raced');
    const [cancelled, moved] = await Promise.all([cancel(customer, id), moveTo(id, 'PROCESSING')]);
    expect([cancelled.status, moved.status].sort()).toEqual([200, 409]);
    const order = (await api('GET', `/orders/${id}`, { token: customer.accessToken })).body;
    expect(order.status).toBe(cancelled.status === 200 ? 'CANCELLED' : 'PROCESSING');
  });
});
