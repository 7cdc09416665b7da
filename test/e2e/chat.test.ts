// End-to-end: per-order chat rooms over the WebSocket API, with several real clients.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { api, connect, newAdmin, newUser, openSocket, socketsClosedAfterEach, type Session } from './support.ts';
import { membersOf, plantExpiredTicket, plantVanishedConnection } from './planted.ts';

let owner: Session;
let other: Session;
let admin: Session;

const order = async (session: Session) =>
  (
    await api('POST', '/orders', {
      token: session.accessToken,
      body: { description: 'Chat order', specifications: { a: 1 }, quantity: 1 },
    })
  ).body;

const sockets = socketsClosedAfterEach();
const client = sockets.ticket;

async function joined(session: Session, roomId: string, after?: string) {
  const c = await client(session);
  c.send({ action: 'joinRoom', roomId, ...(after ? { after } : {}) });
  const history = await c.next((f) => f.type === 'chatHistory' || f.type === 'error');
  return { c, history };
}

const isMessage = (content: string) => (f: any) => f.type === 'newMessage' && f.message.content === content;

// Fresh users for every test: each opens sockets, and a user may have only so many tickets a minute.
beforeEach(async () => {
  [owner, other, admin] = await Promise.all([newUser('chatowner'), newUser('chatother'), newAdmin('chat')]);
});

describe('connecting', () => {
  it('accepts a single-use ticket from POST /chat/tickets, and refuses it the second time', async () => {
    const issued = await api('POST', '/chat/tickets', { token: owner.accessToken });
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ ticket: expect.any(String), expiresIn: 60 });
    const first = await connect(`?ticket=${encodeURIComponent(issued.body.ticket)}`);
    expect('socket' in first).toBe(true);
    if ('socket' in first) first.socket.close();
    expect(await connect(`?ticket=${encodeURIComponent(issued.body.ticket)}`)).toEqual({ refusedWith: 401 });
  });

  it('refuses an expired ticket, a made-up ticket, and anonymous ticket requests', async () => {
    const ticket = randomBytes(32).toString('base64url');
    await plantExpiredTicket(ticket, owner.user.id);
    expect(await connect(`?ticket=${ticket}`)).toEqual({ refusedWith: 401 });
    expect(await connect(`?ticket=${randomBytes(32).toString('base64url')}`)).toEqual({ refusedWith: 401 });
    expect((await api('POST', '/chat/tickets')).status).toBe(401);
  });

  it('binds the ticket to its user: messages sent on it carry that user', async () => {
    const { id: roomId } = await order(owner);
    const issued = await api('POST', '/chat/tickets', { token: owner.accessToken });
    const c = sockets.keep(await openSocket(`?ticket=${encodeURIComponent(issued.body.ticket)}`));
    c.send({ action: 'joinRoom', roomId });
    await c.next((f) => f.type === 'chatHistory');
    c.send({ action: 'sendMessage', roomId, content: 'via ticket' });
    const echo = await c.next(isMessage('via ticket'));
    expect(echo.message.sender).toEqual({ id: owner.user.id, name: owner.user.name, role: 'REGULAR' });
  });
});

describe('a conversation', () => {
  it('delivers every message once to every joined connection, in order, sender included', async () => {
    const { id: roomId } = await order(owner);
    const [laptop, phone, adminClient] = await Promise.all([
      joined(owner, roomId),
      joined(owner, roomId),
      joined(admin, roomId),
    ]);
    for (const { history } of [laptop, phone, adminClient]) {
      expect(history).toMatchObject({
        type: 'chatHistory',
        roomId,
        room: { isOpen: true, summary: null, closedAt: null },
        messages: [],
        nextCursor: null,
      });
    }
    // The same connection joining twice still gets each message once.
    laptop.c.send({ action: 'joinRoom', roomId });
    await laptop.c.next((f) => f.type === 'chatHistory');

    // API Gateway runs the frames of one connection in parallel, so a client that cares about
    // order sends the next message after the acknowledgement (its own newMessage) of the last.
    const contents = ['one', 'two', 'three', 'four', 'five'];
    const acknowledged = [];
    for (const content of contents) {
      laptop.c.send({ action: 'sendMessage', roomId, content });
      acknowledged.push(await laptop.c.next(isMessage(content)));
    }
    adminClient.c.send({ action: 'sendMessage', roomId, content: 'from admin' });

    for (const { c } of [laptop, phone, adminClient]) {
      const received = c === laptop.c ? acknowledged : [];
      if (c !== laptop.c) for (const content of contents) received.push(await c.next(isMessage(content)));
      expect(received.map((f) => f.message.content)).toEqual(contents);
      const ids = received.map((f) => f.message.id);
      expect([...ids].sort()).toEqual(ids);
      expect(received[0].message).toMatchObject({
        roomId,
        clientMessageId: null,
        sender: { id: owner.user.id, role: 'REGULAR' },
      });
      const fromAdmin = await c.next(isMessage('from admin'));
      expect(fromAdmin.message.sender).toMatchObject({ id: admin.user.id, role: 'ADMIN', name: expect.any(String) });
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const { c } of [laptop, phone, adminClient]) {
      expect(c.pending().filter((f) => f.type === 'newMessage')).toEqual([]);
    }
    const room = await api('GET', `/chat/rooms/${roomId}`, { token: owner.accessToken });
    expect(room.body.messages.map((m: any) => m.content)).toEqual([...contents, 'from admin']);
  });

  it('creates no second message for a repeated clientMessageId and sends the original back to the sender only', async () => {
    const { id: roomId } = await order(owner);
    const [sender, listener] = await Promise.all([joined(owner, roomId), joined(admin, roomId)]);
    sender.c.send({ action: 'sendMessage', roomId, content: 'once', clientMessageId: 'cm-1' });
    const original = await sender.c.next(isMessage('once'));
    await listener.c.next(isMessage('once'));
    sender.c.send({ action: 'sendMessage', roomId, content: 'once (retry)', clientMessageId: 'cm-1' });
    const replay = await sender.c.next((f) => f.type === 'newMessage');
    expect(replay.message).toEqual(original.message);
    expect(replay.message.clientMessageId).toBe('cm-1');
    await new Promise((r) => setTimeout(r, 300));
    expect(listener.c.pending().filter((f) => f.type === 'newMessage')).toEqual([]);
    const room = await api('GET', `/chat/rooms/${roomId}`, { token: admin.accessToken });
    expect(room.body.messages).toHaveLength(1);
  });

  it('lets a reconnecting client resume with `after` without gaps', async () => {
    const { id: roomId } = await order(owner);
    const sender = await joined(admin, roomId);
    const reader = await joined(owner, roomId);
    sender.c.send({ action: 'sendMessage', roomId, content: 'seen' });
    const seen = await reader.c.next(isMessage('seen'));
    await reader.c.close();
    for (const content of ['missed 1', 'missed 2', 'missed 3']) {
      sender.c.send({ action: 'sendMessage', roomId, content });
      await sender.c.next(isMessage(content));
    }
    const back = await joined(owner, roomId, seen.message.id);
    expect(back.history.messages.map((m: any) => m.content)).toEqual(['missed 1', 'missed 2', 'missed 3']);
    expect(back.history.nextCursor).toBeNull();
  });

  it('stops delivering a room after leaveRoom', async () => {
    const { id: roomId } = await order(owner);
    const [stayer, leaver] = await Promise.all([joined(admin, roomId), joined(owner, roomId)]);
    leaver.c.send({ action: 'leaveRoom', roomId });
    expect(await leaver.c.next((f) => f.type === 'leftRoom')).toEqual({ type: 'leftRoom', roomId });
    stayer.c.send({ action: 'sendMessage', roomId, content: 'after leave' });
    await stayer.c.next(isMessage('after leave'));
    await new Promise((r) => setTimeout(r, 300));
    expect(leaver.c.pending().filter((f) => f.type === 'newMessage')).toEqual([]);
  });

  it('cleans up a connection that vanished without $disconnect, and nobody else misses the message', async () => {
    const { id: roomId } = await order(owner);
    const [sender, listener] = await Promise.all([joined(owner, roomId), joined(admin, roomId)]);
    // One socket killed without a close frame: its $disconnect forgets it (and tells the room who is left).
    const killed = await joined(owner, roomId);
    killed.c.socket.terminate();
    await expect.poll(async () => (await membersOf(roomId)).length, { timeout: 5000 }).toBe(2);
    // Planted after every join and leave: each of those tells the room who is in it, which would find it gone.
    const ghost = randomBytes(11).toString('base64');
    await plantVanishedConnection(ghost, owner.user.id, roomId);
    expect(await membersOf(roomId)).toContain(ghost);

    sender.c.send({ action: 'sendMessage', roomId, content: 'still delivered' });
    await sender.c.next(isMessage('still delivered'));
    await listener.c.next(isMessage('still delivered'));
    // The fan-out removes what @connections answered 410 for once it has posted to everyone: wait for
    // that state rather than a fixed time (a busy machine takes longer than 200 ms).
    await expect.poll(() => membersOf(roomId), { timeout: 5000 }).not.toContain(ghost);
    await expect.poll(async () => (await membersOf(roomId)).length, { timeout: 5000 }).toBe(2);
  });
});

describe('who may do what', () => {
  it('refuses another user on every action with 404, naming the action and room', async () => {
    const { id: roomId } = await order(owner);
    const { c, history } = await joined(other, roomId);
    expect(history).toMatchObject({ type: 'error', action: 'joinRoom', roomId, status: 404 });
    c.send({ action: 'sendMessage', roomId, content: 'intruder' });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ action: 'sendMessage', roomId, status: 404 });
    c.send({ action: 'closeRoom', roomId, summary: 'nope' });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({
      action: 'closeRoom',
      roomId,
      status: 403,
      message: 'Only admins may send closeRoom.',
    });
    for (const path of [`/chat/rooms/${roomId}`, `/chat/rooms/${roomId}/messages`]) {
      expect((await api('GET', path, { token: other.accessToken })).status).toBe(404);
      expect((await api('GET', path)).status).toBe(401);
    }
    const room = await api('GET', `/chat/rooms/${roomId}`, { token: owner.accessToken });
    expect(room.body.messages).toEqual([]);
  });

  it('refuses closeRoom from the regular owner with 403', async () => {
    const { id: roomId } = await order(owner);
    const { c } = await joined(owner, roomId);
    c.send({ action: 'closeRoom', roomId, summary: 'mine' });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({
      status: 403,
      action: 'closeRoom',
      roomId,
      message: 'Only admins may send closeRoom.',
    });
    const close = await api('POST', `/chat/rooms/${roomId}/close`, {
      token: owner.accessToken,
      body: { summary: 'mine' },
    });
    expect(close.status).toBe(403);
  });

  it.each([
    [{ action: 'sendMessage', content: '' }, 'frame.content'],
    [{ action: 'sendMessage', content: 'x'.repeat(4001) }, 'frame.content'],
    [{ action: 'sendMessage', content: 'ok', clientMessageId: 'c'.repeat(65) }, 'frame.clientMessageId'],
    [{ action: 'sendMessage', content: 'ok', sender: { id: 'forged' } }, 'frame.sender'],
    [{ action: 'joinRoom', after: 'not-an-id' }, 'frame.after'],
    [{ action: 'closeRoom', summary: '' }, 'frame.summary'],
  ])('answers %o with a 400 error frame and stores nothing', async (frame, _path) => {
    const { id: roomId } = await order(owner);
    // Who may send comes before what was sent: closeRoom is checked as an admin sends it.
    const c = await client(frame.action === 'closeRoom' ? admin : owner);
    c.send({ ...frame, roomId });
    const error = await c.next((f) => f.type === 'error');
    expect(error).toMatchObject({ type: 'error', status: 400, action: frame.action, roomId });
    const room = await api('GET', `/chat/rooms/${roomId}`, { token: owner.accessToken });
    expect(room.body).toMatchObject({ isOpen: true, messages: [] });
  });

  it('answers a malformed room id with a 400 error frame and a 400 over HTTP', async () => {
    const c = await client(owner);
    c.send({ action: 'joinRoom', roomId: '../etc' });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ status: 400, action: 'joinRoom' });
    expect((await api('GET', '/chat/rooms/not-a-room', { token: owner.accessToken })).status).toBe(400);
  });
});

describe('closing a room', () => {
  it('closes over the WebSocket: members get roomClosed and the status push, and sending is refused with 409', async () => {
    const created = await order(owner);
    const roomId = created.id;
    const [customer, adminClient] = await Promise.all([joined(owner, roomId), joined(admin, roomId)]);
    adminClient.c.send({ action: 'closeRoom', roomId, summary: 'Agreed on 40 blue widgets' });
    for (const { c } of [customer, adminClient]) {
      const closed = await c.next((f) => f.type === 'roomClosed');
      expect(closed).toEqual({
        type: 'roomClosed',
        roomId,
        summary: 'Agreed on 40 blue widgets',
        closedAt: expect.any(String),
        closedBy: admin.user.id,
      });
      const status = await c.next((f) => f.type === 'orderStatusChanged');
      expect(status).toEqual({
        type: 'orderStatusChanged',
        orderId: roomId,
        status: 'PROCESSING',
        previousStatus: 'REVIEW',
        changedAt: expect.any(String),
      });
    }
    customer.c.send({ action: 'sendMessage', roomId, content: 'too late' });
    expect(await customer.c.next((f) => f.type === 'error')).toMatchObject({
      status: 409,
      message: 'Chat room is closed',
      action: 'sendMessage',
      roomId,
    });
    adminClient.c.send({ action: 'closeRoom', roomId, summary: 'again' });
    expect(await adminClient.c.next((f) => f.type === 'error')).toMatchObject({ status: 409, action: 'closeRoom' });

    const room = await api('GET', `/chat/rooms/${roomId}`, { token: owner.accessToken });
    expect(room.body).toMatchObject({
      id: roomId,
      orderId: roomId,
      isOpen: false,
      summary: 'Agreed on 40 blue widgets',
      closedBy: admin.user.id,
    });
    const fetched = await api('GET', `/orders/${roomId}`, { token: owner.accessToken });
    expect(fetched.body).toMatchObject({ status: 'PROCESSING', chatRoom: { id: roomId, isOpen: false } });
    const history = await api('GET', `/orders/${roomId}/history`, { token: owner.accessToken });
    expect(history.body.items.at(-1)).toMatchObject({
      type: 'ROOM_CLOSED',
      changes: { status: { from: 'REVIEW', to: 'PROCESSING' } },
    });
    const rejoin = await joined(owner, roomId);
    expect(rejoin.history.room).toEqual({
      isOpen: false,
      summary: 'Agreed on 40 blue widgets',
      closedAt: expect.any(String),
    });
  });

  it('closes over REST: 200 {room, order}; an order already PROCESSING keeps its status; twice is 409', async () => {
    const { id: roomId } = await order(owner);
    await api('PATCH', `/orders/${roomId}/status`, { token: admin.accessToken, body: { status: 'PROCESSING' } });
    const customer = await joined(owner, roomId);
    const closed = await api('POST', `/chat/rooms/${roomId}/close`, {
      token: admin.accessToken,
      body: { summary: 'Done here' },
    });
    expect(closed.status).toBe(200);
    expect(closed.body.room).toMatchObject({
      id: roomId,
      isOpen: false,
      summary: 'Done here',
      closedBy: admin.user.id,
    });
    expect(closed.body.order).toMatchObject({ id: roomId, status: 'PROCESSING', chatRoom: { isOpen: false } });
    expect(await customer.c.next((f) => f.type === 'roomClosed')).toMatchObject({ roomId, summary: 'Done here' });
    const again = await api('POST', `/chat/rooms/${roomId}/close`, {
      token: admin.accessToken,
      body: { summary: 'Again' },
    });
    expect(again.status).toBe(409);
    expect((await api('POST', `/chat/rooms/${roomId}/close`, { body: { summary: 'x' } })).status).toBe(401);
    expect(
      (await api('POST', `/chat/rooms/${roomId}/close`, { token: other.accessToken, body: { summary: 'x' } })).status,
    ).toBe(403);
  });

  it('answers 400 for a bad summary and 404 for an unknown room', async () => {
    const { id: roomId } = await order(owner);
    for (const body of [{}, { summary: '' }, { summary: 'x'.repeat(2001) }, { summary: 'ok', extra: 1 }]) {
      expect((await api('POST', `/chat/rooms/${roomId}/close`, { token: admin.accessToken, body })).status).toBe(400);
    }
    expect(
      (
        await api('POST', '/chat/rooms/01ARZ3NDEKTSV4RRFFQ69G5FAV/close', {
          token: admin.accessToken,
          body: { summary: 'x' },
        })
      ).status,
    ).toBe(404);
    expect((await api('GET', `/chat/rooms/${roomId}`, { token: owner.accessToken })).body.isOpen).toBe(true);
  });
});

describe('order status pushes', () => {
  it('reaches every member when an admin changes the status', async () => {
    const { id: roomId } = await order(owner);
    const [customer, second] = await Promise.all([joined(owner, roomId), joined(owner, roomId)]);
    await api('PATCH', `/orders/${roomId}/status`, { token: admin.accessToken, body: { status: 'PROCESSING' } });
    for (const { c } of [customer, second]) {
      expect(await c.next((f) => f.type === 'orderStatusChanged')).toEqual({
        type: 'orderStatusChanged',
        orderId: roomId,
        status: 'PROCESSING',
        previousStatus: 'REVIEW',
        changedAt: expect.any(String),
      });
    }
  });
});

describe('history paging', () => {
  it('GET /chat/rooms/{id} gives the latest 50, and /messages?before pages back to the first', async () => {
    // Fresh users all three, whose rate windows no other test has used.
    const [owner, ...admins] = await Promise.all([
      newUser('chat-history'),
      newAdmin('chat-first'),
      newAdmin('chat-second'),
    ]);
    const { id: roomId } = await order(owner);
    // Three senders, 20 messages each: one user may send at most 20 per 10 s.
    const senders = await Promise.all([owner, ...admins].map(async (s) => (await joined(s, roomId)).c));
    const contents = Array.from({ length: 60 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    for (const [i, content] of contents.entries()) {
      const c = senders[i % senders.length]!;
      c.send({ action: 'sendMessage', roomId, content });
      await c.next(isMessage(content));
    }

    const room = await api('GET', `/chat/rooms/${roomId}`, { token: owner.accessToken });
    expect(room.body.messages.map((m: any) => m.content)).toEqual(contents.slice(10));
    expect(room.body.nextCursor).toBe(room.body.messages[0].id);

    const older = await api('GET', `/chat/rooms/${roomId}/messages?before=${room.body.nextCursor}&limit=7`, {
      token: admin.accessToken,
    });
    expect(older.body.items.map((m: any) => m.content)).toEqual(contents.slice(3, 10));
    const oldest = await api('GET', `/chat/rooms/${roomId}/messages?before=${older.body.nextCursor}&limit=7`, {
      token: owner.accessToken,
    });
    expect(oldest.body.items.map((m: any) => m.content)).toEqual(contents.slice(0, 3));
    expect(oldest.body.nextCursor).toBeNull();

    const joinedLate = await joined(admin, roomId);
    expect(joinedLate.history.messages).toHaveLength(50);
    expect(joinedLate.history.nextCursor).toBe(room.body.nextCursor);
    for (const query of ['limit=0', 'limit=101', 'before=xyz', 'other=1']) {
      expect((await api('GET', `/chat/rooms/${roomId}/messages?${query}`, { token: owner.accessToken })).status).toBe(
        400,
      );
    }
  });
});
