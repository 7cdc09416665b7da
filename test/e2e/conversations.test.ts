// End-to-end: a room's read state (markers, receipts, unread counts on the order lists) and the
// admins' inbox of conversations waiting for an answer, through the local runtime.
import { beforeEach, describe, expect, it } from 'vitest';
import { api, inOneWindow, newAdmin, newUser, socketsClosedAfterEach, type Session } from './support.ts';

let customer: Session;
let stranger: Session;
let admin: Session;

const sockets = socketsClosedAfterEach();

const placeOrder = async (session: Session) =>
  (
    await api('POST', '/orders', {
      token: session.accessToken,
      body: { description: 'Conversation order', specifications: {}, quantity: 1 },
    })
  ).body as { id: string };

async function joined(session: Session, roomId: string) {
  const c = await sockets.ticket(session);
  c.send({ action: 'joinRoom', roomId });
  const history = await c.next((f) => f.type === 'chatHistory' || f.type === 'error');
  return { c, history };
}

type Socket = Awaited<ReturnType<typeof joined>>['c'];

async function say(c: Socket, roomId: string, content: string) {
  c.send({ action: 'sendMessage', roomId, content });
  return (await c.next((f) => f.type === 'newMessage' && f.message.content === content)).message as {
    id: string;
    createdAt: string;
  };
}

async function markRead(c: Socket, roomId: string, messageId: string) {
  c.send({ action: 'markRead', roomId, messageId });
  return c.next((f) => (f.type === 'readState' || f.type === 'error') && f.roomId === roomId);
}

/** The first item `match` picks, paging through a list (other tests' orders and rooms are in it too). */
async function findInPages(session: Session, path: string, match: (item: any) => boolean) {
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const query = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const answer = await api('GET', `${path}${query}`, { token: session.accessToken });
    expect(answer.status).toBe(200);
    const found = answer.body.items.find(match);
    if (found) return found;
    cursor = answer.body.nextCursor ?? undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** The order's line in the caller's list (their newest orders, or an admin's all). */
const listed = (session: Session, orderId: string) =>
  findInPages(session, '/orders', (item: { id: string }) => item.id === orderId);

/** The room's entry in the admins' inbox. */
const inboxEntry = (session: Session, roomId: string) =>
  findInPages(session, '/chat/inbox', (item: { roomId: string }) => item.roomId === roomId);

beforeEach(async () => {
  [customer, stranger, admin] = await Promise.all([newUser('convcustomer'), newUser('convstranger'), newAdmin('conv')]);
});

describe('read state', () => {
  it("counts what the other side wrote past each member's marker, and shows the receipt live", async () => {
    const { id: roomId } = await placeOrder(customer);
    const mine = await joined(customer, roomId);
    expect(mine.history.readState).toEqual({ side: 'customer', unread: 0, readUpTo: null, otherSideReadUpTo: null });
    const first = await say(mine.c, roomId, 'Is navy possible?');
    const second = await say(mine.c, roomId, 'And by Friday?');

    // The admin has read nothing: both customer messages are unread for them, none of their own count.
    const theirs = await joined(admin, roomId);
    expect(theirs.history.readState).toEqual({ side: 'admins', unread: 2, readUpTo: null, otherSideReadUpTo: null });
    expect((await listed(admin, roomId)).unread).toBe(2);
    expect((await listed(customer, roomId)).unread).toBe(0);

    // Reading the first: one left; the customer sees "Seen" under it.
    expect(await markRead(theirs.c, roomId, first.id)).toEqual({
      type: 'readState',
      roomId,
      side: 'admins',
      unread: 1,
      readUpTo: first.id,
      otherSideReadUpTo: null,
    });
    expect(await mine.c.next((f) => f.type === 'readReceipt')).toEqual({
      type: 'readReceipt',
      roomId,
      side: 'admins',
      messageId: first.id,
      readAt: expect.any(String),
    });
    expect(await markRead(theirs.c, roomId, second.id)).toMatchObject({ unread: 0, readUpTo: second.id });
    await mine.c.next((f) => f.type === 'readReceipt' && f.messageId === second.id);

    // Never back: marking the first again leaves the marker on the second, and no receipt goes out.
    expect(await markRead(theirs.c, roomId, first.id)).toMatchObject({ unread: 0, readUpTo: second.id });

    // The admin answers: unread for the customer until they read it; the answer doesn't count for the admin.
    const answer = await say(theirs.c, roomId, 'Navy it is.');
    expect((await listed(customer, roomId)).unread).toBe(1);
    expect((await listed(admin, roomId)).unread).toBe(0);
    const room = await api('GET', `/chat/rooms/${roomId}`, { token: customer.accessToken });
    expect(room.body.readState).toEqual({
      side: 'customer',
      unread: 1,
      readUpTo: null,
      otherSideReadUpTo: second.id,
    });
    expect(await markRead(mine.c, roomId, answer.id)).toMatchObject({
      unread: 0,
      readUpTo: answer.id,
      otherSideReadUpTo: second.id,
    });
    await theirs.c.next((f) => f.type === 'readReceipt' && f.side === 'customer' && f.messageId === answer.id);
    expect((await listed(customer, roomId)).unread).toBe(0);

    // Another admin has a marker of their own: for them the customer's two are unread.
    const colleague = await newAdmin('conv2');
    expect((await listed(colleague, roomId)).unread).toBe(2);
  });

  it('keeps the counts exact when both sides write at once', async () => {
    const { id: roomId } = await placeOrder(customer);
    const [mine, theirs] = await Promise.all([joined(customer, roomId), joined(admin, roomId)]);
    const written = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => say(mine.c, roomId, `customer ${i}`)),
      ...Array.from({ length: 6 }, (_, i) => say(theirs.c, roomId, `admin ${i}`)),
    ]);
    expect(new Set(written.map((m) => m.id)).size).toBe(12);
    expect((await listed(admin, roomId)).unread).toBe(6);
    expect((await listed(customer, roomId)).unread).toBe(6);
    const newest = written
      .map((m) => m.id)
      .sort()
      .at(-1)!;
    expect(await markRead(theirs.c, roomId, newest)).toMatchObject({ unread: 0 });
    expect(await markRead(mine.c, roomId, newest)).toMatchObject({ unread: 0 });
  });

  it("refuses markers outside the caller's rooms and messages that don't exist", async () => {
    const { id: roomId } = await placeOrder(customer);
    const mine = await joined(customer, roomId);
    const message = await say(mine.c, roomId, 'Private');
    const outsider = await sockets.ticket(stranger);
    // Another customer's room doesn't exist for them, whatever they name in it.
    expect(await markRead(outsider, roomId, message.id)).toMatchObject({ type: 'error', status: 404 });
    expect(await markRead(mine.c, roomId, '01JDZ9A1B2C3D4E5F6G7H8J9K0')).toMatchObject({
      type: 'error',
      status: 404,
    });
    mine.c.send({ action: 'markRead', roomId, messageId: 'not-an-id' });
    expect(await mine.c.next((f) => f.type === 'error')).toMatchObject({ status: 400, action: 'markRead' });
    // Nothing moved: the admin still has it unread, and no receipt was stored.
    expect((await listed(admin, roomId)).unread).toBe(1);
    const room = await api('GET', `/chat/rooms/${roomId}`, { token: admin.accessToken });
    expect(room.body.readState).toEqual({ side: 'admins', unread: 1, readUpTo: null, otherSideReadUpTo: null });
  });
});

describe("the admins' inbox", () => {
  it('holds a room from the customer’s first unanswered message until an admin answers', async () => {
    const { id: roomId } = await placeOrder(customer);
    const mine = await joined(customer, roomId);
    expect(await inboxEntry(admin, roomId)).toBeUndefined();
    const first = await say(mine.c, roomId, 'Hello?');
    const long = `Still there?   ${'x'.repeat(200)}`;
    const second = await say(mine.c, roomId, long);
    const entry = await inboxEntry(admin, roomId);
    expect(entry).toEqual({
      roomId,
      customer: { id: customer.user.id, name: customer.user.name },
      // The wait began with the first unanswered message.
      waitingSince: first.createdAt,
      lastMessage: {
        id: second.id,
        createdAt: second.createdAt,
        side: 'customer',
        senderName: customer.user.name,
        preview: `Still there? ${'x'.repeat(86)}…`,
      },
      assignee: null,
    });

    // Reading doesn't answer; an answer does.
    const theirs = await joined(admin, roomId);
    await markRead(theirs.c, roomId, second.id);
    expect(await inboxEntry(admin, roomId)).toBeDefined();
    await say(theirs.c, roomId, 'Here!');
    expect(await inboxEntry(admin, roomId)).toBeUndefined();

    // The customer writes again: a new wait, from the new message.
    const again = await say(mine.c, roomId, 'Thanks, one more thing');
    expect((await inboxEntry(admin, roomId)).waitingSince).toBe(again.createdAt);

    // A closed room waits for nobody.
    const closed = await api('POST', `/chat/rooms/${roomId}/close`, {
      token: admin.accessToken,
      body: { summary: 'Answered' },
    });
    expect(closed.status).toBe(200);
    expect(await inboxEntry(admin, roomId)).toBeUndefined();
  });

  it('tells each side as the conversation moves on, on connections joined to no room', async () => {
    const { id: roomId } = await placeOrder(customer);
    const [customerElsewhere, adminElsewhere] = await Promise.all([sockets.ticket(customer), sockets.ticket(admin)]);
    const changed = (c: Socket, waiting: boolean) =>
      c.next((f) => f.type === 'conversationChanged' && f.roomId === roomId && f.waiting === waiting);
    const mine = await joined(customer, roomId);
    const question = await say(mine.c, roomId, 'Anyone there?');
    expect(await changed(adminElsewhere, true)).toEqual({
      type: 'conversationChanged',
      roomId,
      waiting: true,
      lastMessage: expect.objectContaining({ id: question.id, side: 'customer', preview: 'Anyone there?' }),
    });
    const theirs = await joined(admin, roomId);
    const answer = await say(theirs.c, roomId, 'Yes!');
    // The customer's list learns of the answer; the admins' inbox of the end of the wait.
    expect((await changed(customerElsewhere, false)).lastMessage).toMatchObject({ id: answer.id, side: 'admins' });
    await changed(adminElsewhere, false);
    // The customer's own messages don't tell the customer; a close tells the admins the room stopped waiting.
    await say(mine.c, roomId, 'Thanks');
    await changed(adminElsewhere, true);
    theirs.c.send({ action: 'closeRoom', roomId, summary: 'Done' });
    expect(await changed(adminElsewhere, false)).toMatchObject({ lastMessage: null });
    expect(customerElsewhere.frames.filter((f: any) => f.type === 'conversationChanged')).toEqual([]);
  });

  it('is the oldest wait first, and the admins’ alone', async () => {
    const [a, b] = [await placeOrder(customer), await placeOrder(customer)];
    const mine = await joined(customer, a.id);
    mine.c.send({ action: 'joinRoom', roomId: b.id });
    await mine.c.next((f) => f.type === 'chatHistory' && f.roomId === b.id);
    await say(mine.c, a.id, 'first wait');
    await say(mine.c, b.id, 'second wait');
    const waits = [await inboxEntry(admin, a.id), await inboxEntry(admin, b.id)];
    expect(waits[0].waitingSince < waits[1].waitingSince).toBe(true);
    const page = await api('GET', '/chat/inbox?limit=100', { token: admin.accessToken });
    const since = page.body.items.map((item: { waitingSince: string }) => item.waitingSince);
    expect(since).toEqual([...since].sort());

    expect((await api('GET', '/chat/inbox', { token: customer.accessToken })).status).toBe(403);
    expect((await api('GET', '/chat/inbox')).status).toBe(401);
    const wrong = await api('GET', '/chat/inbox?cursor=forged.cursor', { token: admin.accessToken });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('totals', () => {
  it("keeps a customer's unread total across their orders, and tells their other connections when they read", async () => {
    const [first, second] = [await placeOrder(customer), await placeOrder(customer)];
    const total = async () => (await api('GET', '/orders?limit=1', { token: customer.accessToken })).body.unreadTotal;
    expect(await total()).toBe(0);
    const theirs = await joined(admin, first.id);
    await say(theirs.c, first.id, 'One');
    const last = await say(theirs.c, first.id, 'Two');
    theirs.c.send({ action: 'joinRoom', roomId: second.id });
    await theirs.c.next((f) => f.type === 'chatHistory' && f.roomId === second.id);
    await say(theirs.c, second.id, 'Three');
    // Across every order, not only the page asked for.
    expect(await total()).toBe(3);

    const elsewhere = await sockets.ticket(customer);
    const reader = await joined(customer, first.id);
    await markRead(reader.c, first.id, last.id);
    // The reader's other connection hears it, so its lists read their counts again.
    expect(await elsewhere.next((f) => f.type === 'conversationChanged' && f.roomId === first.id)).toMatchObject({
      waiting: false,
    });
    expect(await total()).toBe(1);
    // Reading the same again changes nothing.
    await markRead(reader.c, first.id, last.id);
    expect(await total()).toBe(1);
  });
});

describe('presence and typing', () => {
  const presence = (c: Socket, roomId: string, names: string[]) =>
    c.next(
      (f) =>
        f.type === 'presence' &&
        f.roomId === roomId &&
        [...f.members.map((m: { name: string }) => m.name)].sort().join('|') === [...names].sort().join('|'),
    );

  it('tells a room who is in it as people join, leave and drop, and who is typing (never stored, limited per connection)', async () => {
    const { id: roomId } = await placeOrder(customer);
    const mine = await joined(customer, roomId);
    // A joiner learns who is here with the history; the others hear the joiner arrive.
    expect(mine.history.present).toEqual([{ id: customer.user.id, name: customer.user.name, side: 'customer' }]);
    const theirs = await joined(admin, roomId);
    expect(theirs.history.present).toHaveLength(2);
    const both = await presence(mine.c, roomId, [customer.user.name, admin.user.name]);
    expect(both.members).toContainEqual({ id: admin.user.id, name: admin.user.name, side: 'admins' });
    expect(both.members).toContainEqual({ id: customer.user.id, name: customer.user.name, side: 'customer' });
    // A second tab of someone already here changes nothing: nobody is told.
    const secondTab = await joined(admin, roomId);
    expect(secondTab.history.present).toHaveLength(2);
    await secondTab.c.close();

    // Typing reaches the others, not the typer (all of this within one limit window).
    await inOneWindow('typing', 4000);
    theirs.c.send({ action: 'typing', roomId });
    expect(await mine.c.next((f) => f.type === 'userTyping')).toEqual({
      type: 'userTyping',
      roomId,
      user: { id: admin.user.id, name: admin.user.name, side: 'admins' },
    });
    // Six a connection per 10 s: the seventh is refused.
    for (let i = 0; i < 6; i++) theirs.c.send({ action: 'typing', roomId });
    expect(await theirs.c.next((f) => f.type === 'error')).toMatchObject({ status: 429, action: 'typing', roomId });
    expect(theirs.c.frames.some((f: { type: string }) => f.type === 'userTyping')).toBe(false);
    // Nothing of it is stored.
    expect((await api('GET', `/chat/rooms/${roomId}`, { token: customer.accessToken })).body.messages).toEqual([]);

    // Someone who can't see the room can't type in it.
    const outsider = await sockets.ticket(stranger);
    outsider.send({ action: 'typing', roomId });
    expect(await outsider.next((f) => f.type === 'error')).toMatchObject({ status: 404, action: 'typing' });

    // Leaving and dropping both tell the room (the second tab's drop above told nobody: the admin stayed).
    expect(mine.c.frames.filter((f: { type: string }) => f.type === 'presence')).toEqual([]);
    theirs.c.send({ action: 'leaveRoom', roomId });
    await presence(mine.c, roomId, [customer.user.name]);
    const again = await joined(admin, roomId);
    await presence(mine.c, roomId, [customer.user.name, admin.user.name]);
    await again.c.close();
    await presence(mine.c, roomId, [customer.user.name]);
  });
});
